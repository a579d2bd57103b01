// -----------------------------------------------------------------------------
// File: executor/backends/local/internal/run_record.h
// -----------------------------------------------------------------------------
//
// The small state files LocalBackend keeps in each run directory so that an
// executor restarted after a crash can find its runs again:
//
//   <dir>/run    written once the process is started: ids, node, pids, start
//                time, grace and deadline (key=value lines, replaced atomically)
//   <dir>/stop   why the executor is stopping the run ("cancelled", ...)
//   <dir>/exit   the job's wait status, written by the monitor process
//
// Forget removes all three and keeps the logs.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace armada::executor::local_internal {

struct RunRecord {
  std::string run_id;
  std::string job_id;
  std::string queue;
  std::string job_set;
  std::string node_name;
  int64_t termination_grace_seconds = 0;
  int64_t active_deadline_seconds = 0;
  absl::Time started_at = absl::UnixEpoch();
  pid_t monitor_pid = -1;
  uint64_t monitor_start_ticks = 0;  // /proc/<pid>/stat starttime; 0 = unknown
  pid_t pid = -1;                    // the job's process and process group
};

// Writes `<dir>/run` atomically. Errors: the errno-mapped code.
absl::Status WriteRunRecord(const std::string& dir, const RunRecord& record);

// Reads `<dir>/run`. kNotFound if there is none (never started, or forgotten);
// kDataLoss if it cannot be parsed.
absl::StatusOr<RunRecord> ReadRunRecord(const std::string& dir);

// Records why the run is being stopped (best effort) / reads it back ("" = none).
void WriteStopReason(const std::string& dir, const std::string& reason);
std::string ReadStopReason(const std::string& dir);

// Removes the state files, keeping the logs. Best effort.
void RemoveRunFiles(const std::string& dir);

// The starttime of `pid` from /proc (clock ticks since boot); 0 if it does not exist.
uint64_t ProcessStartTicks(pid_t pid);

// True if `pid` exists, is not a zombie, and (when `start_ticks` != 0) started at
// `start_ticks`, i.e. it is the same process and not a reuse of its pid.
bool ProcessAlive(pid_t pid, uint64_t start_ticks);

}  // namespace armada::executor::local_internal
