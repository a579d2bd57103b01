// -----------------------------------------------------------------------------
// File: executor/backends/kubernetes/kubernetes_backend.h
// -----------------------------------------------------------------------------
//
// `KubernetesBackend` runs each leased run as a pod in a Kubernetes cluster, as Armada's
// executor does (reference §4.3-4.7):
//
//   Nodes      from a node watch: labels, taints, allocatable, unschedulable (cordoned or
//              not Ready), and the requests of running pods the executor does not own
//              (a second pod watch, labelSelector !armada_job_id).
//   Start      builds the pod (pod_builder.h: armada-<jobId>-0, Armada's labels,
//              annotations and ARMADA_* env, restartPolicy Never, nodeSelector on the leased
//              node) and creates it from a worker thread. A pod of the same name and run
//              already there counts as created. Creation errors come out of Poll: an invalid
//              pod (400/422) as kFailed, anything else as kReturned (run_attempted=false).
//   Poll       maps our pods (a watch, labelSelector armada_job_id) to updates: created ->
//              kPending; Running -> kRunning; Succeeded -> kSucceeded; Failed -> kFailed with
//              exit code and cause (OOMKilled, Evicted, DeadlineExceeded; pod_state.h).
//              Pending pods that do not start (§4.5) are deleted, then reported once gone:
//                container waiting InvalidImageName          -> kFailed at once
//                ErrImagePull / ImagePullBackOff for image_pull_deadline -> kReturned
//                unschedulable for unschedulable_deadline    -> kReturned
//                any other waiting reason for stuck_starting_deadline -> kReturned
//              (run_attempted=false; deadlines run from when the backend first saw the
//              condition, by the injected clock). A pod deleted by someone else ends its
//              run: kFailed if it was running, else kReturned. A pod that never appears
//              within missing_pod_deadline after creation: kReturned.
//   Cancel     deletes the pod with the run's termination grace period; kFailed "cancelled"
//              follows once the pod is gone or terminated, or, if it is stuck terminating,
//              grace + stuck_terminating_timeout later (after a delete with grace 0).
//   Forget     marks the pod (annotation armadaproject.io/executor-forgotten) and deletes it
//              once finished_pod_min_age has passed since its end was seen.
//   Recover    adopts our pods (labelSelector armada_job_id) not yet forgotten; in node mode
//              only those bound or assigned to this node.
//
// Node mode (`node_name` set): the node watch and the foreign-pod watch use field selectors
// (metadata.name, spec.nodeName), so only that node is reported.
//
// The first call of Nodes, Recover, Start or Poll lists nodes and pods and starts the
// watches; until that succeeds they return kUnavailable (Poll: nothing).
//
// Thread safety: as Backend. API calls run on one worker thread (task_queue.h), so no
// method blocks on the API server except the first listing.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "executor/backend.h"
#include "executor/backends/kubernetes/informer.h"
#include "executor/backends/kubernetes/kube_client.h"
#include "executor/backends/kubernetes/pod_builder.h"
#include "executor/backends/kubernetes/pod_state.h"
#include "executor/backends/kubernetes/task_queue.h"
#include "lib/common/clock.h"

namespace armada::executor::kubernetes {

class KubernetesBackend : public Backend {
 public:
  struct Options {
    PodOptions pod{};
    std::string node_name{};   // node mode: report and run only this node
    std::string pool_label{};  // node label naming a node's pool; "" = the executor's pool
    absl::Duration unschedulable_deadline = absl::Minutes(5);
    absl::Duration image_pull_deadline = absl::Minutes(15);
    absl::Duration stuck_starting_deadline = absl::Minutes(5);
    absl::Duration missing_pod_deadline = absl::Minutes(5);
    absl::Duration finished_pod_min_age = absl::Minutes(3);
    absl::Duration stuck_terminating_timeout = absl::Seconds(30);
    absl::Duration watch_timeout = absl::Minutes(5);
  };

  // `clock` is borrowed and must outlive the backend.
  KubernetesBackend(Options options, std::unique_ptr<KubeClient> client,
                    const common::Clock& clock);
  ~KubernetesBackend() override;

  absl::StatusOr<std::vector<BackendNode>> Nodes() const override;
  absl::StatusOr<std::vector<ExistingRun>> Recover() override;
  absl::Status Start(const RunSpec& spec) override;
  void Cancel(const std::string& run_id) override;
  std::vector<RunUpdate> Poll() override;
  void Forget(const std::string& run_id) override;
  std::vector<std::string> ActiveRunIds() const override;
  // The pod's log through the API server (pods/<name>/log, with times), whether or not the
  // run is still known: the pod outlives it for finished_pod_min_age at least. Blocks on the
  // API server. kNotFound once the pod is gone; kInvalidArgument while it waits to start.
  absl::StatusOr<std::vector<LogLine>> Logs(const LogQuery& query) const override;

 private:
  struct Run {
    std::string run_id, job_id, ns, pod_name, node_name;
    int64_t grace_seconds = 30;
    absl::Time started_at;             // Start (or adoption), by clock_
    bool created = false;              // the pod exists (create succeeded, or adopted)
    bool seen = false;                 // the pod has been in the watch cache
    std::optional<RunPhase> reported;  // the last phase reported
    bool final = false;
    bool cancel_requested = false;
    PodIssue issue = PodIssue::kNone;
    absl::Time issue_since;
    // Set while the pod is being deleted: reported once it is gone (or at `deadline`).
    std::optional<RunUpdate> on_gone;
    absl::Time deadline;
    bool delete_in_flight = false;
    bool force_deleted = false;
    absl::Time finished_at;  // when the final update was produced
    bool forgotten = false;
  };

  absl::Status EnsureStarted() const;
  void CreatePod(const std::string& run_id, const nlohmann::json& pod);
  void DeletePod(const std::string& run_id, const std::string& ns, const std::string& name,
                 std::optional<int64_t> grace);
  void Step(Run& run, const Informer::Cache& pods, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void StepPending(Run& run, const PodObservation& obs, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Emit(Run& run, RunUpdate update) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Terminate(Run& run, RunUpdate on_gone, std::optional<int64_t> grace, absl::Time deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CleanUp(const Informer::Cache& pods, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  RunUpdate MakeUpdate(const Run& run, RunPhase phase, std::string reason) const;
  bool OnThisNode(const nlohmann::json& pod) const;

  const Options options_;
  const std::unique_ptr<KubeClient> client_;
  const common::Clock& clock_;
  // Informers are created at construction and started lazily (EnsureStarted).
  const std::unique_ptr<Informer> nodes_;
  const std::unique_ptr<Informer> our_pods_;
  const std::unique_ptr<Informer> other_pods_;
  mutable absl::Mutex start_mu_;
  mutable bool started_ ABSL_GUARDED_BY(start_mu_) = false;

  mutable absl::Mutex mu_;
  std::map<std::string, Run> runs_ ABSL_GUARDED_BY(mu_);  // by run id
  std::vector<RunUpdate> updates_ ABSL_GUARDED_BY(mu_);   // not yet drained by Poll
  // Declared last: destroyed first, so no task runs against a half-destroyed backend.
  std::unique_ptr<TaskQueue> worker_;
};

}  // namespace armada::executor::kubernetes
