// -----------------------------------------------------------------------------
// File: executor/backends/local/internal/log_reader.h
// -----------------------------------------------------------------------------
//
// Reads a run's log file as lines without reading more of it than a reply may
// carry: a job that printed gigabytes costs `max_bytes` of I/O, not its size.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace armada::executor::local_internal {

// The lines of the file at `path`, without their newlines, holding at most
// `max_bytes` of text (newlines included). With `tail_lines` > 0, the last
// that many lines of the file's last `max_bytes`; otherwise the first lines
// that fit. A partial line cut by the budget is left out, except a final line
// that has no newline yet (a running program's latest output). Errors:
// kNotFound when the file does not exist; the errno-mapped code otherwise.
absl::StatusOr<std::vector<std::string>> ReadLogLines(const std::string& path, int64_t max_bytes,
                                                      int64_t tail_lines);

}  // namespace armada::executor::local_internal
