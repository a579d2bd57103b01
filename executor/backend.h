// -----------------------------------------------------------------------------
// File: executor/backend.h
// -----------------------------------------------------------------------------
//
// A `Backend` is where the executor runs the jobs it has leased: Kubernetes
// pods, local processes, or simulated nodes for tests and scale runs. The
// executor asks it for its nodes (`Nodes`), turns each lease into a `RunSpec`
// bound to one of those nodes, calls `Start`, and reports the `RunUpdate`s it
// drains with `Poll` back to the server. When the server has acknowledged a
// run's final state the executor calls `Forget`.
//
// Node mode (a DaemonSet executor per node): the executor only reports the node
// named by NODE_NAME and ignores runs recovered on other nodes. A backend that
// can watch a single node (Kubernetes: a fieldSelector on spec.nodeName) is given
// that name at construction; the interface is the same.
//
// Restarts: a backend whose runs outlive the executor process (Kubernetes
// pods, local processes with their state files) hands them back with
// `Recover`, which the executor calls once at start, before any `Start`.
//
// Example:
//
//   LocalBackend backend({.work_root = "/var/lib/armada/runs"});
//   ASSIGN_OR_RETURN(std::vector<ExistingRun> existing, backend.Recover());
//   ASSIGN_OR_RETURN(std::vector<BackendNode> nodes, backend.Nodes());
//   absl::Status s = backend.Start(spec);  // spec.node_name is one of `nodes`
//   ...
//   for (const RunUpdate& update : backend.Poll()) Report(update);
//   ...                                     // server acknowledged the final event
//   backend.Forget(spec.run_id);
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/model/resource_list.h"
#include "lib/model/scheduling_types.h"

namespace armada::executor {

// One node a backend runs jobs on, as the backend sees it now.
struct BackendNode {
  std::string name{};  // unique within the backend; what RunSpec::node_name refers to
  std::string pool{};  // "" = the executor's pool
  std::map<std::string, std::string> labels{};
  std::vector<model::Taint> taints{};
  model::ResourceList allocatable{};
  // Resources held by pods or processes the executor does not own (Kubernetes: non-Armada
  // pods; local and fake backends: none).
  model::ResourceList allocated_by_others{};
  // The node takes no new runs (cordoned, or tainted NoSchedule with a taint the executor
  // is not configured to tolerate). Runs already on it go on.
  bool unschedulable = false;
};

// What a backend needs to start one run. The executor builds it from the server's lease
// (executorapi.JobRunLease and its api.Job).
struct RunSpec {
  // Identity.
  std::string run_id{};
  std::string job_id{};
  std::string queue{};
  std::string job_set{};
  std::string owner{};                // the user who submitted the job (JobRunLease.user)
  std::vector<std::string> groups{};  // that user's groups (JobRunLease.groups)

  // Placement and scheduling.
  std::string node_name{};         // the node the server leased the run to; one of Nodes()
  std::string pod_namespace{};     // the job's namespace (api.Job.namespace)
  std::string priority_class{};    // pod spec priorityClassName; "" = none given
  double priority = 0;             // the job's priority within its queue (lower first)
  model::ResourceList requests{};  // what the run holds on its node (the job's scheduling
                                   // requests, else the sum of its containers' requests)

  // The job's own metadata, as submitted. Backends add Armada's (armada_job_id, ...).
  std::map<std::string, std::string> labels{};
  std::map<std::string, std::string> annotations{};

  // The whole pod, for backends that create real pods: the job's first pod spec
  // (api.Job.pod_specs[0]) serialized as a k8s.io.api.core.v1.PodSpec in protobuf wire
  // format. Process backends use the fields below instead. Empty only for hand-made specs.
  std::string pod_spec{};

  // The first container, for process backends (local, fake).
  std::string container_name{};
  std::string image{};  // informational: the local and fake backends run no images
  // The container's command followed by its args; command[0] is the program.
  std::vector<std::string> command{};
  std::vector<std::pair<std::string, std::string>> env{};  // container env, in order (later wins)
  std::string working_dir{};               // container workingDir; empty = the run's own directory
  int64_t termination_grace_seconds = 30;  // REQUIRES: >= 0; 0 = kill at once on cancel
  int64_t active_deadline_seconds = 0;     // REQUIRES: >= 0; 0 = none
};

// The ARMADA_* variables every container of the run sees, which the job cannot override:
// ARMADA_JOB_ID, ARMADA_RUN_ID, ARMADA_QUEUE, ARMADA_JOB_SET_ID, and for gang members
// ARMADA_GANG_ID, ARMADA_GANG_CARDINALITY and ARMADA_GANG_NODE_UNIFORMITY_LABEL_NAME (from
// the armadaproject.io/gang* annotations). In this order; never fails.
std::vector<std::pair<std::string, std::string>> ArmadaEnv(const RunSpec& spec);

// The phases a run goes through, in order. A run reports each phase at most once, and
// always ends in exactly one final phase: kSucceeded, kFailed or kReturned. kRunning may be
// skipped (a run that could not be started goes from kPending to kFailed).
enum class RunPhase {
  kPending,    // the backend accepted the run (pod created / process being started)
  kRunning,    // the job's program runs
  kSucceeded,  // it exited 0
  kFailed,     // it failed, was cancelled, or could not start in a way a retry won't fix
  kReturned,   // the backend gave the run up (e.g. pod stuck unschedulable); the server
               // may run the job again elsewhere. The run no longer runs anywhere.
};

// Returns "pending", "running", "succeeded", "failed" or "returned", for logs.
inline const char* RunPhaseName(RunPhase phase) {
  switch (phase) {
    case RunPhase::kPending:
      return "pending";
    case RunPhase::kRunning:
      return "running";
    case RunPhase::kSucceeded:
      return "succeeded";
    case RunPhase::kFailed:
      return "failed";
    case RunPhase::kReturned:
      return "returned";
    default:
      return "unknown";
  }
}

// True for kSucceeded, kFailed and kReturned: no further update follows for the run.
inline bool IsFinal(RunPhase phase) {
  return phase == RunPhase::kSucceeded || phase == RunPhase::kFailed ||
         phase == RunPhase::kReturned;
}

// Why a run failed, as far as the backend can tell (api.Cause).
enum class FailureCause { kError, kEvicted, kOom, kDeadlineExceeded };

// One state change of one run.
struct RunUpdate {
  std::string run_id{};
  RunPhase phase = RunPhase::kPending;
  int exit_code = 0;  // for kFailed/kSucceeded: the first container's exit code
  // Human readable, e.g. "exit code 3", "killed by signal 9 (SIGKILL)", "cancelled",
  // "active deadline 5s exceeded", "failed to start: No such file or directory".
  std::string reason{};
  FailureCause cause = FailureCause::kError;  // for kFailed
  bool cancelled = false;                     // kFailed because Cancel was called
  bool run_attempted = false;                 // kReturned: the job's program may have started
  std::string node_name{};                    // where the run is; "" = the node in its RunSpec
  absl::Time time{};  // when the backend observed the change (wall clock, for display)
};

// What a caller asks of a run's output (binoculars.LogRequest, as the executor resolves it).
struct LogQuery {
  std::string run_id{};         // "" = the latest run of `job_id` the backend knows
  std::string job_id{};         // REQUIRES: non-empty when run_id is empty
  std::string pod_namespace{};  // Kubernetes: the pod's namespace; "" = the backend's default
  // Only lines stamped after this; backends that keep no per-line time ignore it.
  absl::Time since = absl::InfinitePast();
  int64_t tail_lines = 0;              // > 0: only the last this many lines
  int64_t limit_bytes = kMaxLogBytes;  // at most this much text; later lines are dropped
  static constexpr int64_t kMaxLogBytes = 2'000'000;  // Armada's Binoculars limit
};

// One line of a run's output, without its newline.
struct LogLine {
  std::string timestamp{};  // RFC 3339 with nanoseconds; "" when the backend keeps none
  std::string line{};
};

// A run the backend already had when the executor started (see Backend::Recover).
struct ExistingRun {
  std::string run_id{};
  std::string job_id{};
  std::string node_name{};
  // The phase it is in now, with its details if final (phase, exit_code, reason, cause,
  // cancelled, run_attempted and time of `last`; last.run_id == run_id).
  RunUpdate last{};
};

// Runs jobs somewhere. Implementations: kubernetes, local, fake.
//
// Thread safety: every method may be called concurrently from different threads (a lease
// loop calls Start/Cancel while a reporter calls Poll). The destructor must not run
// concurrently with any other method.
class Backend {
 public:
  virtual ~Backend() = default;

  // The nodes this backend runs jobs on, sorted by name. Cost: proportional to the number
  // of nodes (the executor calls it once a lease period). Errors: kUnavailable while the
  // backend does not know its nodes (e.g. the Kubernetes node list has not synced); the
  // executor then skips that period's lease exchange.
  virtual absl::StatusOr<std::vector<BackendNode>> Nodes() const = 0;

  // The runs the backend already has from an earlier executor process that were never
  // passed to Forget: still active ones (phase kPending or kRunning, updates follow from
  // Poll, Cancel works on them) and ones that ended (final phase with its details; no
  // update follows). A run that ended while no executor watched it is reported kFailed
  // with a reason saying so, unless its real outcome was recorded. Called once, before
  // the first Start; afterwards every returned run counts as known to the backend (Start
  // with its id is kAlreadyExists). Sorted by run id. Errors: kUnavailable when the
  // backend cannot list its runs yet; the executor retries and leases nothing until then.
  virtual absl::StatusOr<std::vector<ExistingRun>> Recover() = 0;

  // Starts the run described by `spec` on `spec.node_name`. On OK the run is known to the
  // backend and its updates (at least kPending, eventually one final phase) come out of
  // Poll, even when the program itself could not be started. Errors:
  //   kAlreadyExists   `spec.run_id` is already known (started or recovered, not forgotten).
  //   kInvalidArgument `spec` is malformed (e.g. empty command); names the field.
  //   kNotFound        `spec.node_name` is not one of Nodes().
  //   others           the backend could not create the run; no updates follow. The
  //                    executor returns the lease (run_attempted=false) so the job can
  //                    run elsewhere.
  // A backend may also create the run asynchronously (e.g. one API call per pod from a
  // worker): it then returns OK, and a later creation failure comes out of Poll as
  // kReturned (retryable, run_attempted=false) or kFailed (e.g. an invalid spec).
  // Must not block for long: it is called for every lease of an exchange in turn.
  virtual absl::Status Start(const RunSpec& spec) = 0;

  // Asks the backend to stop the run; its final update follows from Poll (kFailed,
  // cancelled=true, reason "cancelled"), after the termination grace period at most.
  // Idempotent; an unknown or finished run id is a no-op.
  virtual void Cancel(const std::string& run_id) = 0;

  // Drains the state changes since the last call, in the order they happened for each
  // run. May do work (reaping, enforcing deadlines, advancing simulated runs), so call it
  // regularly.
  virtual std::vector<RunUpdate> Poll() = 0;

  // The server has acknowledged the run's final state: the backend may release what it
  // keeps for it (state files; Kubernetes: the pod may be deleted once old enough), and
  // Recover never returns it again. Logs may be kept for their retention period. Cancels
  // the run first if it is somehow still active. Idempotent; unknown ids are a no-op.
  virtual void Forget(const std::string& run_id) = 0;

  // The run's output so far, oldest line first, as `query` limits it. A running run's
  // output grows between calls. Errors: kNotFound when the backend has no output for the
  // run (never ran here, or its logs passed their retention), naming the run or job;
  // kUnavailable when the place the output lives cannot be reached now.
  virtual absl::StatusOr<std::vector<LogLine>> Logs(const LogQuery& query) const = 0;

  // The runs started or recovered and not yet finished, sorted by id.
  virtual std::vector<std::string> ActiveRunIds() const = 0;
};

}  // namespace armada::executor
