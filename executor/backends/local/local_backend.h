// -----------------------------------------------------------------------------
// File: executor/backends/local/local_backend.h
// -----------------------------------------------------------------------------
//
// `LocalBackend` runs each run as a local process on the executor's host, for
// development and single-machine installs. Container images are ignored.
//
// Each run gets a directory `<work_root>/<run_id>/` holding `stdout.log` and
// `stderr.log`. The process:
//   - runs `command[0]` (looked up in the job's PATH when it has no '/') with
//     the remaining elements as arguments, in its own process group;
//   - has cwd = `working_dir` if set, else the run directory; stdin /dev/null;
//   - sees PATH and LANG from the executor, HOME = the run directory, then the
//     container env in order (later wins), then ARMADA_JOB_ID, ARMADA_RUN_ID,
//     ARMADA_QUEUE and ARMADA_JOB_SET_ID, which the job cannot override;
//   - inherits no other file descriptors and default signal dispositions.
//
// When the main process exits, whatever is left in its process group is killed,
// like a container whose main process ended.
//
// Final updates:
//   exit 0                -> kSucceeded, exit_code 0
//   exit N != 0           -> kFailed, "exit code N"
//   killed by signal N    -> kFailed, exit_code 128+N, "killed by signal N (SIGNAME)"
//   could not start       -> kFailed (right after kPending), exit_code 127,
//                            "failed to start: <strerror>"
//   Cancel                -> kFailed, "cancelled" (exit_code is what the process got)
//   active deadline       -> kFailed, "active deadline Ns exceeded"
// Stopping sends SIGTERM to the process group, then SIGKILL from Poll once
// `termination_grace_seconds` have passed.
//
// REQUIRES: the executor leaves SIGCHLD at its default disposition and does not
// reap children it did not create (no waitpid(-1, ...)); Poll reaps them.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "executor/backend.h"

namespace armada::executor {

class LocalBackend : public Backend {
 public:
  struct Options {
    // Directory under which run directories are created; created if missing. A relative
    // path is made absolute at construction. REQUIRES: non-empty.
    std::string work_root;
    // How long a finished run's directory (and logs) is kept, measured from when Poll saw
    // the process end. Afterwards Poll deletes it and the run id is forgotten.
    absl::Duration log_retention = absl::Hours(24);
  };

  // Does no I/O besides one log line saying that images are ignored.
  explicit LocalBackend(Options options);
  // Sends SIGKILL to every live process group and reaps the processes; blocks until then.
  ~LocalBackend() override;

  LocalBackend(const LocalBackend&) = delete;
  LocalBackend& operator=(const LocalBackend&) = delete;

  // See Backend::Start. Blocks until the process has exec'd its program or failed to.
  // Extra errors: kInvalidArgument for a run_id unusable as a directory name ("", ".",
  // "..", or containing '/'), a negative grace or deadline, or an env name that is empty
  // or contains '='; kFailedPrecondition if work_root is empty; the errno-mapped code if
  // the run directory, its logs or the process cannot be created.
  absl::Status Start(const RunSpec& spec) override;
  void Cancel(const std::string& run_id) override;
  // Reaps exited processes, enforces deadlines and grace periods, deletes expired run
  // directories, then drains updates. Cost: one waitpid per live run.
  std::vector<RunUpdate> Poll() override;
  std::vector<std::string> ActiveRunIds() const override;

 private:
  // Intervals (deadlines, grace, retention) use a monotonic clock so that wall clock steps
  // cannot kill a run early; RunUpdate::time uses absl::Now() for display.
  using SteadyTime = std::chrono::steady_clock::time_point;
  enum class State { kStarting, kRunning, kFinished };
  struct Run {
    RunSpec spec;
    std::string dir;
    State state = State::kStarting;
    pid_t pid = -1;  // also the process group id
    SteadyTime started_at;
    std::string stop_reason;  // why we are stopping it; empty = not being stopped
    std::optional<SteadyTime> term_sent_at;
    bool kill_sent = false;
    SteadyTime finished_at;
  };

  void Emit(const std::string& run_id, RunPhase phase, int exit_code, std::string reason)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records why the run is stopping (first reason wins) and signals it if it is running.
  void RequestStop(Run& run, std::string reason, SteadyTime now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SendStopSignal(Run& run, SteadyTime now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Returns true if the run's process has exited; then the run is finished.
  bool ReapIfExited(Run& run, SteadyTime now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Finish(Run& run, int exit_code, const std::string& reason, SteadyTime now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemoveExpiredRuns(SteadyTime now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string work_root_;
  const std::chrono::nanoseconds log_retention_;
  mutable absl::Mutex mu_;
  std::map<std::string, Run> runs_ ABSL_GUARDED_BY(mu_);  // ordered: Poll is deterministic
  std::vector<RunUpdate> updates_ ABSL_GUARDED_BY(mu_);
};

}  // namespace armada::executor
