#include "tools/swf2scenario/swf_trace.h"

#include <zlib.h>

#include <cmath>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace armada::swf2scenario {
namespace {

constexpr int kColumns = 18;

absl::StatusOr<int64_t> ParseColumn(absl::string_view text, int column) {
  int64_t v = 0;
  if (absl::SimpleAtoi(text, &v)) return v;
  double d = 0;
  if (absl::SimpleAtod(text, &d) && std::isfinite(d)) return static_cast<int64_t>(d);
  return absl::InvalidArgumentError(
      absl::StrCat("column ", column, ": \"", text, "\" is not a number"));
}

// Reads `; Key: value` header lines the converter cares about.
void ReadHeaderLine(absl::string_view comment, SwfHeader& header) {
  std::vector<absl::string_view> kv = absl::StrSplit(comment, absl::MaxSplits(':', 1));
  if (kv.size() != 2) return;
  const absl::string_view key = absl::StripAsciiWhitespace(kv[0]);
  const absl::string_view value = absl::StripAsciiWhitespace(kv[1]);
  int64_t n = 0;
  if (!absl::SimpleAtoi(value, &n)) return;
  if (key == "MaxNodes") header.max_nodes = n;
  if (key == "MaxProcs") header.max_procs = n;
  if (key == "UnixStartTime") header.unix_start_time = n;
}

}  // namespace

int64_t SwfJob::Processors() const {
  if (allocated_procs > 0) return allocated_procs;
  if (requested_procs > 0) return requested_procs;
  return -1;
}

absl::StatusOr<SwfJob> ParseSwfLine(absl::string_view line) {
  std::vector<absl::string_view> cols =
      absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
  if (cols.size() < kColumns) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected ", kColumns, " columns, found ", cols.size()));
  }
  int64_t v[kColumns];
  for (int i = 0; i < kColumns; ++i) {
    absl::StatusOr<int64_t> c = ParseColumn(cols[i], i + 1);
    if (!c.ok()) return c.status();
    v[i] = *c;
  }
  SwfJob job;
  job.id = v[0];
  job.submit = v[1];
  job.wait = v[2];
  job.run_time = v[3];
  job.allocated_procs = v[4];
  job.requested_procs = v[7];
  job.requested_time = v[8];
  job.status = v[10];
  job.user = v[11];
  job.group = v[12];
  job.partition = v[15];
  return job;
}

absl::StatusOr<SwfTrace> ParseSwf(absl::string_view text, int64_t max_jobs) {
  SwfTrace trace;
  int64_t line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    if (max_jobs >= 0 && static_cast<int64_t>(trace.jobs.size()) >= max_jobs) break;
    const absl::string_view stripped = absl::StripAsciiWhitespace(line);
    if (stripped.empty()) continue;
    if (stripped.front() == ';') {
      absl::string_view comment = stripped.substr(1);
      ReadHeaderLine(comment, trace.header);
      trace.header.comments.emplace_back(comment);
      continue;
    }
    absl::StatusOr<SwfJob> job = ParseSwfLine(stripped);
    if (!job.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_no, ": ", job.status().message()));
    }
    trace.jobs.push_back(*job);
  }
  return trace;
}

absl::StatusOr<SwfTrace> ReadSwfFile(const std::string& path, int64_t max_jobs) {
  gzFile f = gzopen(path.c_str(), "rb");  // reads plain files unchanged
  if (f == nullptr) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::string text;
  char buf[1 << 16];
  int n = 0;
  while ((n = gzread(f, buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(n));
  const bool failed = n < 0;
  gzclose(f);
  if (failed) return absl::DataLossError(absl::StrCat(path, ": read error (corrupt gzip?)"));
  absl::StatusOr<SwfTrace> trace = ParseSwf(text, max_jobs);
  if (!trace.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", trace.status().message()));
  }
  return trace;
}

}  // namespace armada::swf2scenario
