// -----------------------------------------------------------------------------
// File: executor/backend.h
// -----------------------------------------------------------------------------
//
// A `Backend` is where the executor runs the jobs it has leased: Kubernetes
// pods, local processes, or a fake for tests. The executor turns a leased job
// into a `RunSpec`, calls `Start`, and reports the `RunUpdate`s it drains with
// `Poll` back to the server.
//
// Example:
//
//   LocalBackend backend({.work_root = "/var/lib/armada/runs"});
//   absl::Status s = backend.Start(spec);
//   ...
//   for (const RunUpdate& update : backend.Poll()) Report(update);
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace armada::executor {

// What a backend needs to start one run: derived from the job's first container.
struct RunSpec {
  std::string run_id;
  std::string job_id;
  std::string queue;
  std::string job_set;
  std::vector<std::string>
      command;  // container command followed by args; command[0] is the program
  std::vector<std::pair<std::string, std::string>> env;  // container env, in order (later wins)
  std::string working_dir;                 // container workingDir; empty = the run's own directory
  int64_t termination_grace_seconds = 30;  // REQUIRES: >= 0; 0 = kill at once on cancel
  int64_t active_deadline_seconds = 0;     // REQUIRES: >= 0; 0 = none
};

// The phases a run goes through, in order. A run reports each phase at most once, and
// always ends in exactly one of kSucceeded or kFailed. kRunning may be skipped (a run
// that could not be started goes from kPending to kFailed).
enum class RunPhase { kPending, kRunning, kSucceeded, kFailed };

// Returns "pending", "running", "succeeded" or "failed", for logs.
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
    default:
      return "unknown";
  }
}

// True for kSucceeded and kFailed: no further update follows for the run.
inline bool IsFinal(RunPhase phase) {
  return phase == RunPhase::kSucceeded || phase == RunPhase::kFailed;
}

// One state change of one run.
struct RunUpdate {
  std::string run_id;
  RunPhase phase = RunPhase::kPending;
  int exit_code = 0;  // for kFailed/kSucceeded
  // Human readable, e.g. "exit code 3", "killed by signal 9 (SIGKILL)", "cancelled",
  // "active deadline 5s exceeded", "failed to start: No such file or directory".
  std::string reason;
  absl::Time time;  // when the backend observed the change (wall clock, for display)
};

// Runs jobs somewhere. Implementations: kubernetes, local, fake.
//
// Thread safety: every method may be called concurrently from different threads (a lease
// loop calls Start/Cancel while a reporter calls Poll). The destructor must not run
// concurrently with any other method.
class Backend {
 public:
  virtual ~Backend() = default;

  // Starts the run described by `spec`. On OK the run is known to the backend and its
  // updates (at least kPending, eventually one final phase) come out of Poll, even when
  // the program itself could not be started. Errors:
  //   kAlreadyExists   `spec.run_id` is already known (started earlier, not yet forgotten).
  //   kInvalidArgument `spec` is malformed (e.g. empty command); names the field.
  //   others           the backend could not create the run; no updates follow.
  virtual absl::Status Start(const RunSpec& spec) = 0;

  // Asks the backend to stop the run; its final update follows from Poll (kFailed,
  // reason "cancelled"). Idempotent; an unknown or finished run id is a no-op.
  virtual void Cancel(const std::string& run_id) = 0;

  // Drains the state changes since the last call, in the order they happened for each
  // run. May do work (reaping, enforcing deadlines), so call it regularly.
  virtual std::vector<RunUpdate> Poll() = 0;

  // The runs started and not yet finished, sorted by id.
  virtual std::vector<std::string> ActiveRunIds() const = 0;
};

}  // namespace armada::executor
