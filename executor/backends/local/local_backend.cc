#include "executor/backends/local/local_backend.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "executor/backends/local/internal/log_reader.h"
#include "executor/backends/local/internal/process_launcher.h"
#include "executor/backends/local/internal/run_record.h"
#include "lib/common/status_macros.h"
#include "spdlog/spdlog.h"

namespace armada::executor {
namespace {

namespace fs = std::filesystem;
using local_internal::DescribeWaitStatus;
using local_internal::Ending;

std::string ErrnoText(int err) { return std::generic_category().message(err); }

// PATH and LANG from the executor, HOME, the container env (later wins), then the
// ARMADA_* variables, which the job cannot override.
std::vector<std::pair<std::string, std::string>> BuildEnv(const RunSpec& spec,
                                                          const std::string& home) {
  std::vector<std::pair<std::string, std::string>> vars;
  auto set = [&vars](const std::string& name, const std::string& value) {
    for (auto& var : vars) {
      if (var.first == name) {
        var.second = value;
        return;
      }
    }
    vars.emplace_back(name, value);
  };
  for (const char* name : {"PATH", "LANG"}) {
    if (const char* value = std::getenv(name)) set(name, value);
  }
  set("HOME", home);
  for (const auto& [name, value] : spec.env) set(name, value);
  for (const auto& [name, value] : ArmadaEnv(spec)) set(name, value);
  return vars;
}

bool HasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

bool UsableAsDirName(const std::string& id) {
  return !id.empty() && id != "." && id != ".." && id.find('/') == id.npos && !HasNul(id);
}

absl::Status ValidateSpec(const RunSpec& spec) {
  const std::string& id = spec.run_id;
  if (!UsableAsDirName(id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("run \"", id, "\": run_id must be usable as a directory name"));
  }
  const std::string prefix = absl::StrCat("run ", id, ": ");
  if (spec.command.empty() || spec.command[0].empty()) {
    return absl::InvalidArgumentError(absl::StrCat(prefix, "command is empty"));
  }
  if (spec.termination_grace_seconds < 0 || spec.active_deadline_seconds < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, "termination_grace_seconds and active_deadline_seconds must be >= 0"));
  }
  for (size_t i = 0; i < spec.command.size(); ++i) {
    if (HasNul(spec.command[i])) {
      return absl::InvalidArgumentError(absl::StrCat(prefix, "command[", i, "] contains NUL"));
    }
  }
  for (size_t i = 0; i < spec.env.size(); ++i) {
    const auto& [name, value] = spec.env[i];
    if (name.empty() || name.find('=') != name.npos || HasNul(name) || HasNul(value)) {
      return absl::InvalidArgumentError(absl::StrCat(
          prefix, "env[", i, "] \"", name, "\": name must be non-empty without '=' or NUL"));
    }
  }
  return absl::OkStatus();
}

std::chrono::steady_clock::time_point SteadyNow() { return std::chrono::steady_clock::now(); }

// HOME and the default cwd must not depend on the executor's cwd. Keeps "" (rejected by Start).
std::string AbsolutePath(const std::string& path) {
  std::error_code ec;
  const fs::path absolute = fs::absolute(path, ec);
  return path.empty() || ec ? path : absolute.string();
}

BackendNode WithDefaultName(BackendNode node) {
  if (node.name.empty()) node.name = "local";
  return node;
}

// True if `pid` is alive and its environment says it runs `run_id`: safe to signal
// even if its pid may have been reused.
bool IsJobProcess(pid_t pid, const std::string& run_id) {
  if (!local_internal::ProcessAlive(pid, 0)) return false;
  std::ifstream in(absl::StrCat("/proc/", pid, "/environ"));
  std::stringstream contents;
  contents << in.rdbuf();
  const std::string wanted = absl::StrCat("ARMADA_RUN_ID=", run_id);
  for (absl::string_view var : absl::StrSplit(contents.str(), '\0')) {
    if (var == wanted) return true;
  }
  return false;
}

void Reap(pid_t pid) {
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

LocalBackend::LocalBackend(Options options)
    : work_root_(AbsolutePath(options.work_root)),
      log_retention_(
          absl::ToChronoNanoseconds(std::max(options.log_retention, absl::ZeroDuration()))),
      node_(WithDefaultName(std::move(options.node))) {
  spdlog::info(
      "local backend: container images are ignored; jobs run as local processes work_root={} "
      "node={}",
      work_root_, node_.name);
}

LocalBackend::~LocalBackend() {
  absl::MutexLock lock(&mu_);
  int killed = 0;
  for (auto& [id, run] : runs_) {
    if (run.state != State::kRunning) continue;
    local_internal::WriteStopReason(run.dir, "executor shut down");
    ::kill(-run.pid, SIGKILL);
    if (!run.adopted) Reap(run.monitor_pid);  // it reaps the job and records its exit first
    ++killed;
  }
  if (killed > 0) spdlog::info("local backend: killed {} live runs at shutdown", killed);
}

absl::StatusOr<std::vector<BackendNode>> LocalBackend::Nodes() const {
  return std::vector<BackendNode>{node_};
}

absl::Status LocalBackend::Start(const RunSpec& spec) {
  RETURN_IF_ERROR(ValidateSpec(spec));
  if (work_root_.empty()) return absl::FailedPreconditionError("local backend: work_root is empty");
  if (!spec.node_name.empty() && spec.node_name != node_.name) {
    return absl::NotFoundError(
        absl::StrCat("run ", spec.run_id, ": node ", spec.node_name, " is not ", node_.name));
  }
  const std::string dir = (fs::path(work_root_) / spec.run_id).string();
  {
    // Reserve the id, then launch unlocked: exec may be slow and must not block Poll.
    absl::MutexLock lock(&mu_);
    if (runs_.count(spec.run_id) > 0) {
      return absl::AlreadyExistsError(
          absl::StrCat("run ", spec.run_id, ": already known to the local backend"));
    }
    Run& run = runs_[spec.run_id];
    run.spec = spec;
    run.dir = dir;
  }
  absl::StatusOr<local_internal::Launched> launched =
      local_internal::Launch(spec, dir, BuildEnv(spec, dir));
  const absl::Time wall_now = absl::Now();
  if (launched.ok() && launched->start_failure.empty()) {
    local_internal::RunRecord record{
        .run_id = spec.run_id,
        .job_id = spec.job_id,
        .queue = spec.queue,
        .job_set = spec.job_set,
        .node_name = node_.name,
        .termination_grace_seconds = spec.termination_grace_seconds,
        .active_deadline_seconds = spec.active_deadline_seconds,
        .started_at = wall_now,
        .monitor_pid = launched->monitor_pid,
        .monitor_start_ticks = local_internal::ProcessStartTicks(launched->monitor_pid),
        .pid = launched->pid};
    if (absl::Status s = local_internal::WriteRunRecord(dir, record); !s.ok()) {
      spdlog::warn("local backend: cannot write the run's state file job={} run={} error=\"{}\"",
                   spec.job_id, spec.run_id, std::string(s.message()));
    }
  }
  absl::MutexLock lock(&mu_);
  const auto it = runs_.find(spec.run_id);
  assert(it != runs_.end() && it->second.state == State::kStarting);
  if (!launched.ok()) {
    runs_.erase(it);
    return absl::Status(launched.status().code(),
                        absl::StrCat("start run ", spec.run_id, ": ", launched.status().message()));
  }
  Run& run = it->second;
  const SteadyTime now = SteadyNow();
  run.pid = launched->pid;
  run.monitor_pid = launched->monitor_pid;
  run.started_at = now;
  Emit(run, RunPhase::kPending, 0, "");
  if (!launched->start_failure.empty()) {
    run.state = State::kFinished;
    run.finished_at = now;
    spdlog::info(
        "local backend: run could not start queue={} jobset={} job={} run={} reason=\"{}\"",
        spec.queue, spec.job_set, spec.job_id, spec.run_id, launched->start_failure);
    Emit(run, RunPhase::kFailed, local_internal::kStartFailedExitCode, launched->start_failure);
    return absl::OkStatus();
  }
  run.state = State::kRunning;
  spdlog::info("local backend: run started queue={} jobset={} job={} run={} pid={}", spec.queue,
               spec.job_set, spec.job_id, spec.run_id, run.pid);
  Emit(run, RunPhase::kRunning, 0, "");
  if (!run.stop_reason.empty()) SendStopSignal(run, now);  // cancelled while starting
  return absl::OkStatus();
}

void LocalBackend::Cancel(const std::string& run_id) {
  absl::MutexLock lock(&mu_);
  const auto it = runs_.find(run_id);
  if (it != runs_.end()) RequestStop(it->second, "cancelled", SteadyNow());
}

std::vector<RunUpdate> LocalBackend::Poll() {
  absl::MutexLock lock(&mu_);
  const SteadyTime now = SteadyNow();
  for (auto& [id, run] : runs_) {
    if (run.state != State::kRunning || ReapIfExited(run, now)) continue;
    const int64_t deadline = run.spec.active_deadline_seconds;
    if (deadline > 0 && now - run.started_at >= std::chrono::seconds(deadline)) {
      RequestStop(run, absl::StrCat("active deadline ", deadline, "s exceeded"), now);
    }
    const auto grace = std::chrono::seconds(run.spec.termination_grace_seconds);
    if (run.term_sent_at.has_value() && !run.kill_sent && now - *run.term_sent_at >= grace) {
      spdlog::info(
          "local backend: run still alive after grace, sending SIGKILL job={} run={} pid={}",
          run.spec.job_id, id, run.pid);
      ::kill(-run.pid, SIGKILL);
      run.kill_sent = true;
    }
  }
  RemoveExpiredRuns(now);
  return std::exchange(updates_, {});
}

void LocalBackend::Forget(const std::string& run_id) {
  absl::MutexLock lock(&mu_);
  const auto it = runs_.find(run_id);
  if (it == runs_.end() || it->second.forgotten) return;
  Run& run = it->second;
  if (run.state != State::kFinished) {
    spdlog::warn("local backend: forgetting a run that still runs; stopping it job={} run={}",
                 run.spec.job_id, run_id);
    RequestStop(run, "forgotten by the executor", SteadyNow());
  }
  run.forgotten = true;
  if (run.state == State::kFinished) local_internal::RemoveRunFiles(run.dir);
}

std::vector<std::string> LocalBackend::ActiveRunIds() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> ids;
  for (const auto& [id, run] : runs_) {
    if (run.state != State::kFinished) ids.push_back(id);
  }
  return ids;
}

absl::StatusOr<std::vector<LogLine>> LocalBackend::Logs(const LogQuery& query) const {
  std::string run_id = query.run_id;
  if (run_id.empty()) {
    // The job's latest run this backend still knows (runs_ keeps them until their logs expire).
    absl::MutexLock lock(&mu_);
    std::optional<SteadyTime> latest;
    for (const auto& [id, run] : runs_) {
      if (run.spec.job_id == query.job_id && (!latest || run.started_at > *latest)) {
        run_id = id;
        latest = run.started_at;
      }
    }
    if (run_id.empty()) {
      return absl::NotFoundError(absl::StrCat("job ", query.job_id, ": no run on this executor"));
    }
  }
  if (!UsableAsDirName(run_id)) {
    return absl::InvalidArgumentError(absl::StrCat("run \"", run_id, "\": not a run id"));
  }
  const fs::path dir = fs::path(work_root_) / run_id;
  std::vector<LogLine> lines;
  int64_t budget = std::max<int64_t>(0, query.limit_bytes);
  // A pod's log interleaves stdout and stderr; a process's are two files, given in turn.
  for (const char* file : {"stdout.log", "stderr.log"}) {
    absl::StatusOr<std::vector<std::string>> text =
        local_internal::ReadLogLines((dir / file).string(), budget, query.tail_lines);
    if (absl::IsNotFound(text.status())) {
      return absl::NotFoundError(absl::StrCat("run ", run_id, ": no logs on this executor (",
                                              (dir / file).string(), " does not exist)"));
    }
    if (!text.ok()) return text.status();
    for (std::string& line : *text) {
      budget -= static_cast<int64_t>(line.size()) + 1;
      lines.push_back(LogLine{.line = std::move(line)});
    }
  }
  if (query.tail_lines > 0 && static_cast<int64_t>(lines.size()) > query.tail_lines) {
    lines.erase(lines.begin(), lines.end() - query.tail_lines);
  }
  return lines;
}

void LocalBackend::Emit(const Run& run, RunPhase phase, int exit_code, std::string reason) {
  const bool cancelled = phase == RunPhase::kFailed && run.stop_reason == "cancelled";
  updates_.push_back(RunUpdate{.run_id = run.spec.run_id,
                               .phase = phase,
                               .exit_code = exit_code,
                               .reason = std::move(reason),
                               .cancelled = cancelled,
                               .node_name = node_.name,
                               .time = absl::Now()});
}

void LocalBackend::RequestStop(Run& run, std::string reason, SteadyTime now) {
  if (run.state == State::kFinished) return;
  if (run.stop_reason.empty()) {
    run.stop_reason = std::move(reason);
    local_internal::WriteStopReason(run.dir, run.stop_reason);
  }
  if (run.state == State::kRunning) SendStopSignal(run, now);
}

void LocalBackend::SendStopSignal(Run& run, SteadyTime now) {
  if (run.term_sent_at.has_value()) return;
  const bool kill_now = run.spec.termination_grace_seconds == 0;
  spdlog::info("local backend: stopping run job={} run={} pid={} reason=\"{}\" signal={}",
               run.spec.job_id, run.spec.run_id, run.pid, run.stop_reason,
               kill_now ? "SIGKILL" : "SIGTERM");
  ::kill(-run.pid, kill_now ? SIGKILL : SIGTERM);
  run.term_sent_at = now;
  run.kill_sent = kill_now;
}

bool LocalBackend::ReapIfExited(Run& run, SteadyTime now) {
  if (run.adopted) {
    // Not our child: the monitor's exit file says it ended; check liveness first, since
    // the monitor writes the file before it exits.
    const bool alive = local_internal::ProcessAlive(run.monitor_pid, run.monitor_start_ticks);
    if (alive && !local_internal::ReadExitStatus(run.dir).has_value()) return false;
  } else {
    siginfo_t info = {};
    int rc;
    do {
      rc = ::waitid(P_PID, run.monitor_pid, &info, WEXITED | WNOHANG);
    } while (rc < 0 && errno == EINTR);
    if (rc == 0 && info.si_pid == 0) return false;  // still running
    if (rc < 0) {
      spdlog::error("local backend: cannot wait for run job={} run={} pid={} error=\"{}\"",
                    run.spec.job_id, run.spec.run_id, run.monitor_pid, ErrnoText(errno));
    }
  }
  Finish(run, now);
  return true;
}

RunUpdate LocalBackend::Outcome(const Run& run) const {
  RunUpdate outcome{.run_id = run.spec.run_id, .phase = RunPhase::kFailed};
  const std::optional<int> status = local_internal::ReadExitStatus(run.dir);
  if (status.has_value()) {
    const Ending ending = DescribeWaitStatus(*status);
    outcome.exit_code = ending.exit_code;
    outcome.reason = ending.reason;
  } else {
    outcome.exit_code = -1;
    outcome.reason =
        run.adopted ? absl::StrCat("executor restarted; process ", run.pid,
                                   " ended while the executor was down (exit status not recorded)")
                    : absl::StrCat("lost track of process ", run.pid,
                                   ": its monitor ended without recording an exit status");
  }
  // A run we stopped failed, whatever its exit code: the job did not run to completion.
  if (!run.stop_reason.empty()) {
    outcome.reason = run.stop_reason;
  } else if (status.has_value() && outcome.exit_code == 0) {
    outcome.phase = RunPhase::kSucceeded;
  }
  outcome.cancelled = run.stop_reason == "cancelled";
  return outcome;
}

void LocalBackend::Finish(Run& run, SteadyTime now) {
  if (!local_internal::ReadExitStatus(run.dir).has_value() &&
      IsJobProcess(run.pid, run.spec.run_id)) {
    ::kill(-run.pid, SIGKILL);  // its monitor is gone: do not leave the job running untracked
  }
  const RunUpdate outcome = Outcome(run);
  run.state = State::kFinished;
  run.finished_at = now;
  spdlog::info(
      "local backend: run finished queue={} jobset={} job={} run={} phase={} exit_code={} "
      "reason=\"{}\"",
      run.spec.queue, run.spec.job_set, run.spec.job_id, run.spec.run_id,
      RunPhaseName(outcome.phase), outcome.exit_code, outcome.reason);
  Emit(run, outcome.phase, outcome.exit_code, outcome.reason);
  if (run.forgotten) local_internal::RemoveRunFiles(run.dir);
}

void LocalBackend::RemoveExpiredRuns(SteadyTime now) {
  auto remove_dir = [](const std::string& dir) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec) {
      spdlog::warn("local backend: cannot remove run directory dir={} error=\"{}\"", dir,
                   ec.message());
    }
  };
  for (auto it = runs_.begin(); it != runs_.end();) {
    const Run& run = it->second;
    if (run.state != State::kFinished || now - run.finished_at < log_retention_) {
      ++it;
      continue;
    }
    remove_dir(run.dir);
    it = runs_.erase(it);
  }
  for (auto it = expiring_dirs_.begin(); it != expiring_dirs_.end();) {
    if (now < it->second) {
      ++it;
      continue;
    }
    remove_dir(it->first);
    it = expiring_dirs_.erase(it);
  }
}

absl::StatusOr<std::vector<ExistingRun>> LocalBackend::Recover() {
  absl::MutexLock lock(&mu_);
  std::vector<ExistingRun> existing;
  std::error_code ec;
  if (work_root_.empty() || !fs::is_directory(work_root_, ec)) return existing;
  const SteadyTime now = SteadyNow();
  for (const fs::directory_entry& entry : fs::directory_iterator(work_root_, ec)) {
    if (!entry.is_directory(ec)) continue;
    std::optional<ExistingRun> run = RecoverDir(entry.path().string(), now);
    if (run.has_value()) existing.push_back(*std::move(run));
  }
  std::sort(existing.begin(), existing.end(),
            [](const ExistingRun& a, const ExistingRun& b) { return a.run_id < b.run_id; });
  spdlog::info("local backend: recovered {} runs from {}", existing.size(), work_root_);
  return existing;
}

std::optional<ExistingRun> LocalBackend::RecoverDir(const std::string& dir, SteadyTime now) {
  absl::StatusOr<local_internal::RunRecord> record = local_internal::ReadRunRecord(dir);
  if (!record.ok()) {
    // Forgotten (or never started): only logs are left, kept for the retention period.
    std::error_code ec;
    const auto modified = fs::last_write_time(dir, ec);
    const auto age = ec ? std::chrono::nanoseconds(0)
                        : std::chrono::duration_cast<std::chrono::nanoseconds>(
                              fs::file_time_type::clock::now() - modified);
    expiring_dirs_[dir] = now + std::max(std::chrono::nanoseconds(0), log_retention_ - age);
    if (record.status().code() != absl::StatusCode::kNotFound) {
      spdlog::warn("local backend: ignoring run directory dir={} error=\"{}\"", dir,
                   std::string(record.status().message()));
    }
    return std::nullopt;
  }
  if (runs_.count(record->run_id) > 0) return std::nullopt;
  Run& run = runs_[record->run_id];
  run.dir = dir;
  run.spec.run_id = record->run_id;
  run.spec.job_id = record->job_id;
  run.spec.queue = record->queue;
  run.spec.job_set = record->job_set;
  run.spec.node_name = record->node_name;
  run.spec.termination_grace_seconds = record->termination_grace_seconds;
  run.spec.active_deadline_seconds = record->active_deadline_seconds;
  run.pid = record->pid;
  run.monitor_pid = record->monitor_pid;
  run.monitor_start_ticks = record->monitor_start_ticks;
  run.adopted = true;
  run.stop_reason = local_internal::ReadStopReason(dir);
  const absl::Duration age = std::max(absl::ZeroDuration(), absl::Now() - record->started_at);
  run.started_at = now - absl::ToChronoNanoseconds(age);

  ExistingRun existing{.run_id = record->run_id,
                       .job_id = record->job_id,
                       .node_name = record->node_name.empty() ? node_.name : record->node_name};
  const bool alive = local_internal::ProcessAlive(run.monitor_pid, run.monitor_start_ticks);
  if (alive && !local_internal::ReadExitStatus(dir).has_value()) {
    run.state = State::kRunning;
    spdlog::info("local backend: adopted a run that still runs job={} run={} pid={}",
                 record->job_id, record->run_id, run.pid);
    if (!run.stop_reason.empty()) SendStopSignal(run, now);  // it was being stopped
    existing.last = RunUpdate{.run_id = run.spec.run_id,
                              .phase = RunPhase::kRunning,
                              .node_name = existing.node_name,
                              .time = absl::Now()};
    return existing;
  }
  Finish(run, now);
  // Finish emitted the outcome as an update; Recover returns it instead.
  existing.last = updates_.back();
  updates_.pop_back();
  return existing;
}

}  // namespace armada::executor
