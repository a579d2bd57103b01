#include "executor/backends/local/internal/run_record.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace armada::executor::local_internal {
namespace {

namespace fs = std::filesystem;

absl::Status WriteAtomically(const std::string& path, const std::string& contents) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << contents;
    out.flush();
    if (!out) return absl::InternalError(absl::StrCat("write ", tmp));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return absl::ErrnoToStatus(ec.value(), absl::StrCat("rename ", tmp));
  return absl::OkStatus();
}

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace

absl::Status WriteRunRecord(const std::string& dir, const RunRecord& r) {
  const std::string contents = absl::StrCat(
      "run_id=", r.run_id, "\njob_id=", r.job_id, "\nqueue=", r.queue, "\njob_set=", r.job_set,
      "\nnode=", r.node_name, "\ngrace_seconds=", r.termination_grace_seconds,
      "\ndeadline_seconds=", r.active_deadline_seconds,
      "\nstarted_unix_micros=", absl::ToUnixMicros(r.started_at), "\nmonitor_pid=", r.monitor_pid,
      "\nmonitor_start_ticks=", r.monitor_start_ticks, "\npid=", r.pid, "\n");
  return WriteAtomically(dir + "/run", contents);
}

absl::StatusOr<RunRecord> ReadRunRecord(const std::string& dir) {
  const std::string path = dir + "/run";
  std::error_code ec;
  if (!fs::exists(path, ec)) return absl::NotFoundError(absl::StrCat(path, " does not exist"));
  std::map<std::string, std::string> values;
  for (absl::string_view line : absl::StrSplit(ReadWhole(path), '\n', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(line, absl::MaxSplits('=', 1));
    values[kv.first] = kv.second;
  }
  RunRecord r;
  r.run_id = values["run_id"];
  r.job_id = values["job_id"];
  r.queue = values["queue"];
  r.job_set = values["job_set"];
  r.node_name = values["node"];
  int64_t micros = 0;
  const bool ok = !r.run_id.empty() &&
                  absl::SimpleAtoi(values["grace_seconds"], &r.termination_grace_seconds) &&
                  absl::SimpleAtoi(values["deadline_seconds"], &r.active_deadline_seconds) &&
                  absl::SimpleAtoi(values["started_unix_micros"], &micros) &&
                  absl::SimpleAtoi(values["monitor_pid"], &r.monitor_pid) &&
                  absl::SimpleAtoi(values["monitor_start_ticks"], &r.monitor_start_ticks) &&
                  absl::SimpleAtoi(values["pid"], &r.pid);
  if (!ok) return absl::DataLossError(absl::StrCat(path, " is malformed"));
  r.started_at = absl::FromUnixMicros(micros);
  return r;
}

void WriteStopReason(const std::string& dir, const std::string& reason) {
  WriteAtomically(dir + "/stop", reason).IgnoreError();
}

std::string ReadStopReason(const std::string& dir) { return ReadWhole(dir + "/stop"); }

void RemoveRunFiles(const std::string& dir) {
  std::error_code ec;
  for (const char* name : {"/run", "/stop", "/exit", "/run.tmp", "/stop.tmp", "/exit.tmp"}) {
    fs::remove(dir + name, ec);
  }
}

namespace {

// Fields 3 (state) and 22 (starttime) of /proc/<pid>/stat; false if unreadable.
bool ReadStat(pid_t pid, char& state, uint64_t& start_ticks) {
  const std::string stat = ReadWhole(absl::StrCat("/proc/", pid, "/stat"));
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return false;
  // After "(comm)": field 3 is first, so starttime (22) is the 20th.
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(stat).substr(paren + 1), ' ', absl::SkipEmpty());
  if (fields.size() < 20 || fields[0].empty()) return false;
  state = fields[0][0];
  return absl::SimpleAtoi(fields[19], &start_ticks);
}

}  // namespace

uint64_t ProcessStartTicks(pid_t pid) {
  char state = 0;
  uint64_t ticks = 0;
  return pid > 0 && ReadStat(pid, state, ticks) ? ticks : 0;
}

bool ProcessAlive(pid_t pid, uint64_t start_ticks) {
  char state = 0;
  uint64_t ticks = 0;
  if (pid <= 0 || !ReadStat(pid, state, ticks)) return false;
  if (state == 'Z' || state == 'X') return false;
  return start_ticks == 0 || ticks == start_ticks;
}

}  // namespace armada::executor::local_internal
