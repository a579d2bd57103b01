// -----------------------------------------------------------------------------
// File: executor/backends/local/internal/process_launcher.h
// -----------------------------------------------------------------------------
//
// Starts one run's process for LocalBackend, behind a small monitor process so
// that the job's exit status survives the executor:
//
//   executor ── fork ──> monitor (own session; ignores TERM, INT, HUP, QUIT)
//                           └── fork ──> job (own process group; execs the program)
//
// The monitor waits for the job, kills whatever is left in the job's process
// group, writes the job's raw wait status to `<dir>/exit` (atomically, via
// rename) and exits 0. The executor signals the job's process group, reaps the
// monitor and reads the exit file; an executor started later finds the file
// (or the live monitor) after a crash.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "executor/backend.h"

namespace armada::executor::local_internal {

struct Launched {
  pid_t monitor_pid = -1;     // the executor's child; reap it with waitpid
  pid_t pid = -1;             // the job's process, also its process group id
  std::string start_failure;  // non-empty if the program could not be started
};

// Creates `dir` (with stdout.log and stderr.log) and starts `spec` in it as described
// above; `env` is the complete environment. Blocks until the program has exec'd or failed
// to; on a start failure the monitor still writes the exit file (exit code 127). Errors:
// the errno-mapped code when the directory, logs, pipes or processes cannot be created.
// Thread-safe; async-signal-safe after fork.
absl::StatusOr<Launched> Launch(const RunSpec& spec, const std::string& dir,
                                const std::vector<std::pair<std::string, std::string>>& env);

// The path of the exit file in run directory `dir`.
std::string ExitFilePath(const std::string& dir);

// The raw wait status the monitor recorded in `dir`, if it did.
std::optional<int> ReadExitStatus(const std::string& dir);

// How a wait status reads in a RunUpdate.
struct Ending {
  int exit_code;
  std::string reason;
};
Ending DescribeWaitStatus(int status);

// Exit code reported when the program could not be started, as shells do.
inline constexpr int kStartFailedExitCode = 127;

}  // namespace armada::executor::local_internal
