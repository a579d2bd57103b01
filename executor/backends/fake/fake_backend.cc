#include "executor/backends/fake/fake_backend.h"

#include <signal.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "spdlog/spdlog.h"

namespace armada::executor {
namespace {

constexpr int kCancelledExitCode = 128 + SIGTERM;

std::map<std::string, size_t> IndexByName(const std::vector<BackendNode>& nodes) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < nodes.size(); ++i) index[nodes[i].name] = i;
  return index;
}

// The integer right after `marker` in `text` (spaces allowed), if any.
std::optional<int64_t> IntAfter(absl::string_view text, absl::string_view marker) {
  const size_t at = text.find(marker);
  if (at == text.npos) return std::nullopt;
  absl::string_view rest = text.substr(at + marker.size());
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  size_t digits = 0;
  while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
  int64_t value = 0;
  if (digits == 0 || !absl::SimpleAtoi(rest.substr(0, digits), &value)) return std::nullopt;
  return value;
}

// Finds `sleep <seconds>` or Armada's `sleep $(( (RANDOM % N) + M ))` in one command word
// or shell script.
std::optional<absl::Duration> SleepIn(absl::string_view text, std::mt19937_64& random) {
  std::vector<absl::string_view> words =
      absl::StrSplit(text, absl::ByAnyChar(" \t\n;&|()"), absl::SkipEmpty());
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    if (words[i] != "sleep" && !absl::EndsWith(words[i], "/sleep")) continue;
    double seconds = 0;
    if (absl::SimpleAtod(words[i + 1], &seconds) && seconds >= 0) {
      return absl::Seconds(seconds);
    }
  }
  const size_t sleep = text.find("sleep");
  if (sleep == text.npos) return std::nullopt;
  const absl::string_view rest = text.substr(sleep);
  const std::optional<int64_t> range = IntAfter(rest, "RANDOM %");
  if (!range.has_value() || *range <= 0) return std::nullopt;
  const int64_t offset = IntAfter(rest, "+").value_or(0);
  std::uniform_int_distribution<int64_t> pick(0, *range - 1);
  return absl::Seconds(offset + pick(random));
}

}  // namespace

absl::StatusOr<std::unique_ptr<FakeBackend>> FakeBackend::Create(Options options,
                                                                 const common::Clock& clock) {
  if (options.failure_rate < 0 || options.failure_rate > 1) {
    return absl::InvalidArgumentError("fake: failureRate must be in [0, 1]");
  }
  if (options.min_runtime < absl::ZeroDuration() || options.min_runtime > options.max_runtime) {
    return absl::InvalidArgumentError("fake: runtime needs 0 <= min <= max");
  }
  if (options.pending_delay < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("fake: pendingDelay must be >= 0");
  }
  std::vector<BackendNode> nodes;
  for (size_t g = 0; g < options.node_groups.size(); ++g) {
    const NodeGroup& group = options.node_groups[g];
    if (group.count < 0 || group.name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("fake: nodeGroups[", g, "]: needs a name and count >= 0"));
    }
    for (int i = 0; i < group.count; ++i) {
      nodes.push_back(BackendNode{.name = absl::StrCat(group.name, "-", i),
                                  .pool = group.pool,
                                  .labels = group.labels,
                                  .taints = group.taints,
                                  .allocatable = group.allocatable,
                                  .unschedulable = group.unschedulable});
    }
  }
  std::sort(nodes.begin(), nodes.end(),
            [](const BackendNode& a, const BackendNode& b) { return a.name < b.name; });
  for (size_t i = 1; i < nodes.size(); ++i) {
    if (nodes[i].name == nodes[i - 1].name) {
      return absl::InvalidArgumentError(absl::StrCat("fake: node ", nodes[i].name, " twice"));
    }
  }
  return std::unique_ptr<FakeBackend>(new FakeBackend(std::move(options), std::move(nodes), clock));
}

FakeBackend::FakeBackend(Options options, std::vector<BackendNode> nodes,
                         const common::Clock& clock)
    : options_(std::move(options)),
      clock_(clock),
      nodes_(std::move(nodes)),
      node_index_(IndexByName(nodes_)),
      random_(options_.seed),
      allocated_(nodes_.size()) {
  spdlog::info("fake backend: {} simulated nodes; jobs are not run", nodes_.size());
}

absl::StatusOr<std::vector<BackendNode>> FakeBackend::Nodes() const { return nodes_; }

absl::StatusOr<std::vector<ExistingRun>> FakeBackend::Recover() {
  return std::vector<ExistingRun>{};
}

std::optional<absl::Duration> FakeBackend::RuntimeFromSpec(const RunSpec& spec,
                                                           std::mt19937_64& random) {
  const auto annotation = spec.annotations.find(kFakeRuntimeAnnotation);
  absl::Duration runtime;
  if (annotation != spec.annotations.end() && absl::ParseDuration(annotation->second, &runtime) &&
      runtime >= absl::ZeroDuration()) {
    return runtime;
  }
  // `sleep 30` as separate words, or inside one word such as sh -c's script.
  if (auto found = SleepIn(absl::StrJoin(spec.command, " "), random)) return found;
  return std::nullopt;
}

absl::Status FakeBackend::Start(const RunSpec& spec) {
  if (spec.run_id.empty()) return absl::InvalidArgumentError("run_id is empty");
  if (nodes_.empty()) return absl::FailedPreconditionError("fake backend: no nodes");
  size_t node = 0;
  if (!spec.node_name.empty()) {
    const auto it = node_index_.find(spec.node_name);
    if (it == node_index_.end()) {
      return absl::NotFoundError(
          absl::StrCat("run ", spec.run_id, ": no fake node ", spec.node_name));
    }
    node = it->second;
  }
  absl::MutexLock lock(&mu_);
  if (runs_.count(spec.run_id) > 0) {
    return absl::AlreadyExistsError(absl::StrCat("run ", spec.run_id, ": already known"));
  }
  const absl::Time now = clock_.Now();
  absl::Duration runtime;
  if (std::optional<absl::Duration> from_spec = RuntimeFromSpec(spec, random_)) {
    runtime = *from_spec;
  } else {
    std::uniform_int_distribution<int64_t> pick(absl::ToInt64Milliseconds(options_.min_runtime),
                                                absl::ToInt64Milliseconds(options_.max_runtime));
    runtime = absl::Milliseconds(pick(random_));
  }
  const bool fails = std::bernoulli_distribution(options_.failure_rate)(random_);

  Run& run = runs_[spec.run_id];
  run.job_id = spec.job_id;
  run.node = node;
  run.requests = spec.requests;
  run.end = RunUpdate{.run_id = spec.run_id,
                      .phase = RunPhase::kSucceeded,
                      .reason = "exit code 0",
                      .node_name = nodes_[node].name};
  if (fails) {
    run.end.phase = RunPhase::kFailed;
    run.end.exit_code = 1;
    run.end.reason = "exit code 1 (simulated failure)";
  }
  const absl::Duration deadline = absl::Seconds(spec.active_deadline_seconds);
  if (spec.active_deadline_seconds > 0 && deadline < runtime) {
    runtime = deadline;
    run.end.phase = RunPhase::kFailed;
    run.end.exit_code = kCancelledExitCode;
    run.end.cause = FailureCause::kDeadlineExceeded;
    run.end.reason = absl::StrCat("active deadline ", spec.active_deadline_seconds, "s exceeded");
  }
  allocated_[node].Add(spec.requests);
  Emit(spec.run_id, RunPhase::kPending, now);
  const absl::Time running_at = now + options_.pending_delay;
  timers_.push(Timer{running_at, next_seq_++, spec.run_id, Step::kRun});
  timers_.push(Timer{running_at + runtime, next_seq_++, spec.run_id, Step::kEnd});
  return absl::OkStatus();
}

void FakeBackend::Cancel(const std::string& run_id) {
  absl::MutexLock lock(&mu_);
  const auto it = runs_.find(run_id);
  if (it == runs_.end() || IsFinal(it->second.phase)) return;
  End(it->second, RunUpdate{.run_id = run_id,
                            .phase = RunPhase::kFailed,
                            .exit_code = kCancelledExitCode,
                            .reason = "cancelled",
                            .cancelled = true,
                            .node_name = nodes_[it->second.node].name});
}

std::vector<RunUpdate> FakeBackend::Poll() {
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_.Now();
  while (!timers_.empty() && timers_.top().at <= now) {
    const Timer timer = timers_.top();
    timers_.pop();
    const auto it = runs_.find(timer.run_id);
    // Stale: the run was cancelled (or forgotten) before this step came due.
    if (it == runs_.end() || IsFinal(it->second.phase)) continue;
    Run& run = it->second;
    if (timer.step == Step::kRun) {
      if (run.phase == RunPhase::kPending) {
        run.phase = RunPhase::kRunning;
        Emit(timer.run_id, RunPhase::kRunning, timer.at);
      }
    } else {
      RunUpdate end = run.end;
      end.time = timer.at;
      End(run, std::move(end));
    }
  }
  return std::exchange(updates_, {});
}

void FakeBackend::Forget(const std::string& run_id) {
  absl::MutexLock lock(&mu_);
  const auto it = runs_.find(run_id);
  if (it == runs_.end()) return;
  if (!IsFinal(it->second.phase)) allocated_[it->second.node].Subtract(it->second.requests);
  runs_.erase(it);  // its timers, if any, turn stale
}

std::vector<std::string> FakeBackend::ActiveRunIds() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> ids;
  for (const auto& [id, run] : runs_) {
    if (!IsFinal(run.phase)) ids.push_back(id);
  }
  return ids;
}

absl::StatusOr<std::vector<LogLine>> FakeBackend::Logs(const LogQuery& query) const {
  absl::MutexLock lock(&mu_);
  if (!query.run_id.empty()) {
    if (runs_.count(query.run_id) > 0) return std::vector<LogLine>{};
    return absl::NotFoundError(absl::StrCat("run ", query.run_id, ": not on this executor"));
  }
  for (const auto& [id, run] : runs_) {
    if (run.job_id == query.job_id) return std::vector<LogLine>{};
  }
  return absl::NotFoundError(absl::StrCat("job ", query.job_id, ": no run on this executor"));
}

model::ResourceList FakeBackend::AllocatedForTest(const std::string& node) const {
  const auto it = node_index_.find(node);
  if (it == node_index_.end()) return {};
  absl::MutexLock lock(&mu_);
  return allocated_[it->second];
}

void FakeBackend::Emit(const std::string& run_id, RunPhase phase, absl::Time at) {
  const Run& run = runs_.at(run_id);
  updates_.push_back(
      RunUpdate{.run_id = run_id, .phase = phase, .node_name = nodes_[run.node].name, .time = at});
}

void FakeBackend::End(Run& run, RunUpdate update) {
  if (update.time == absl::Time()) update.time = clock_.Now();
  run.phase = update.phase;
  allocated_[run.node].Subtract(run.requests);
  updates_.push_back(std::move(update));
}

}  // namespace armada::executor
