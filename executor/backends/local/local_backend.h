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
//   Cancel                -> kFailed, cancelled, "cancelled" (exit_code is what the
//                            process got)
//   active deadline       -> kFailed, "active deadline Ns exceeded"
// Stopping sends SIGTERM to the process group, then SIGKILL from Poll once
// `termination_grace_seconds` have passed.
//
// Restarts: each process runs under a small monitor process (see
// internal/process_launcher.h) that records the job's exit status in the run
// directory, next to a state file with the run's ids and pids
// (internal/run_record.h). A new LocalBackend over the same work_root finds
// them in Recover: a run whose process still runs is adopted (watched through
// /proc and the exit file, since it is no longer the executor's child; stop
// signals, grace and deadline apply as before); a run that ended is reported
// with its recorded outcome, or failed with "executor restarted; process <pid>
// ended while the executor was down (exit status not recorded)" when none was
// recorded. Forget removes the state files and keeps the logs.
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
    // The one node runs go to (Nodes() returns it). An empty name becomes "local".
    BackendNode node{};
  };

  // Does no I/O besides one log line saying that images are ignored.
  explicit LocalBackend(Options options);
  // Sends SIGKILL to every live process group and reaps the processes; blocks until then.
  ~LocalBackend() override;

  LocalBackend(const LocalBackend&) = delete;
  LocalBackend& operator=(const LocalBackend&) = delete;

  // One node: Options::node. Never fails.
  absl::StatusOr<std::vector<BackendNode>> Nodes() const override;
  // Scans work_root for run directories with state files (see the file comment). Errors:
  // none in practice (unreadable entries are logged and skipped).
  absl::StatusOr<std::vector<ExistingRun>> Recover() override;
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
  void Forget(const std::string& run_id) override;
  std::vector<std::string> ActiveRunIds() const override;
  // stdout.log, then stderr.log, of the run's directory (no per-line times: `since` is
  // ignored). Kept for log_retention after the run ends, across executor restarts when
  // asked by run id.
  absl::StatusOr<std::vector<LogLine>> Logs(const LogQuery& query) const override;

 private:
  // Intervals (deadlines, grace, retention) use a monotonic clock so that wall clock steps
  // cannot kill a run early; RunUpdate::time uses absl::Now() for display.
  using SteadyTime = std::chrono::steady_clock::time_point;
  enum class State { kStarting, kRunning, kFinished };
  struct Run {
    RunSpec spec;
    std::string dir;
    State state = State::kStarting;
    pid_t pid = -1;          // the job's process, also its process group id
    pid_t monitor_pid = -1;  // our child unless adopted
    uint64_t monitor_start_ticks = 0;
    bool adopted = false;  // recovered from an earlier executor: not our child
    bool forgotten = false;
    SteadyTime started_at;
    std::string stop_reason;  // why we are stopping it; empty = not being stopped
    std::optional<SteadyTime> term_sent_at;
    bool kill_sent = false;
    SteadyTime finished_at;
  };

  void Emit(const Run& run, RunPhase phase, int exit_code, std::string reason)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records why the run is stopping (first reason wins) and signals it if it is running.
  void RequestStop(Run& run, std::string reason, SteadyTime now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SendStopSignal(Run& run, SteadyTime now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Returns true if the run's process has ended; then the run is finished.
  bool ReapIfExited(Run& run, SteadyTime now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The final phase, exit code and reason of a run whose process has ended.
  RunUpdate Outcome(const Run& run) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Finish(Run& run, SteadyTime now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemoveExpiredRuns(SteadyTime now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Recover's work for one run directory; nullopt if it holds no run to report.
  std::optional<ExistingRun> RecoverDir(const std::string& dir, SteadyTime now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string work_root_;
  const std::chrono::nanoseconds log_retention_;
  const BackendNode node_;
  mutable absl::Mutex mu_;
  std::map<std::string, Run> runs_ ABSL_GUARDED_BY(mu_);  // ordered: Poll is deterministic
  std::vector<RunUpdate> updates_ ABSL_GUARDED_BY(mu_);
  // Directories of runs forgotten by an earlier executor: removed at the given time.
  std::map<std::string, SteadyTime> expiring_dirs_ ABSL_GUARDED_BY(mu_);
};

}  // namespace armada::executor
