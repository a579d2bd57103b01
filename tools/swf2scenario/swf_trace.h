#pragma once

// Reading Standard Workload Format (SWF) traces of the Parallel Workloads Archive: one job per
// line, 18 whitespace-separated integer columns (-1 = unknown), header comments starting with
// `;`. Column meanings: ../shared/traces/README.md.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace armada::swf2scenario {

// One job line. Times are seconds from the log's start; -1 means unknown throughout.
struct SwfJob {
  int64_t id = -1;
  int64_t submit = -1;           // column 2
  int64_t wait = -1;             // column 3
  int64_t run_time = -1;         // column 4
  int64_t allocated_procs = -1;  // column 5
  int64_t requested_procs = -1;  // column 8
  int64_t requested_time = -1;   // column 9
  int64_t status = -1;           // column 11
  int64_t user = -1;             // column 12
  int64_t group = -1;            // column 13
  int64_t partition = -1;        // column 16

  // Allocated processors when known, else requested ones; -1 when neither is known.
  int64_t Processors() const;
};

// The header fields the converter uses; -1 when the header does not give them.
struct SwfHeader {
  int64_t max_nodes = -1;
  int64_t max_procs = -1;
  int64_t unix_start_time = -1;
  std::vector<std::string> comments;  // every `;` line, without the `;`, in file order
};

struct SwfTrace {
  SwfHeader header;
  std::vector<SwfJob> jobs;  // in file order
};

// Parses one job line. Columns may be separated by any run of spaces or tabs; a line with fewer
// than 18 columns or a non-integer column is kInvalidArgument naming the column. Fractional
// values (some archive logs have them in the CPU-time column) are truncated.
absl::StatusOr<SwfJob> ParseSwfLine(absl::string_view line);

// Parses a whole trace held in memory: `;` lines go to the header (MaxNodes, MaxProcs and
// UnixStartTime are read from them), blank lines are skipped, every other line must parse.
// `max_jobs` >= 0 stops after that many job lines. Errors name the 1-based line number.
absl::StatusOr<SwfTrace> ParseSwf(absl::string_view text, int64_t max_jobs = -1);

// Reads `path`, plain or gzip-compressed (detected by content, not name), and parses it as
// ParseSwf does. kNotFound when it cannot be opened.
absl::StatusOr<SwfTrace> ReadSwfFile(const std::string& path, int64_t max_jobs = -1);

}  // namespace armada::swf2scenario
