#include "server/scheduler/scheduling_reports.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace armada::server {
namespace {

int Clamp(int verbosity) { return std::clamp(verbosity, 0, SchedulingReports::kMaxVerbosity); }

absl::Status NoCycle() { return absl::NotFoundError("no scheduling cycle has been recorded yet"); }

bool KnowsQueue(const scheduling::CycleSummary& s, const std::string& queue) {
  if (s.queue_cordoned.contains(queue) || s.reasons.contains(queue)) return true;
  return std::any_of(s.shares.begin(), s.shares.end(),
                     [&](const scheduling::QueueShare& q) { return q.queue == queue; });
}

// Every queue the summary mentions, for the stored queue reports.
std::vector<std::string> QueuesOf(const scheduling::CycleSummary& s) {
  std::set<std::string> names;
  for (const auto& [name, cordoned] : s.queue_cordoned) names.insert(name);
  for (const auto& q : s.shares) names.insert(q.queue);
  for (const auto& [name, reasons] : s.reasons) {
    if (!name.empty()) names.insert(name);
  }
  return {names.begin(), names.end()};
}

absl::Status QueueNotFound(const std::string& queue) {
  return absl::NotFoundError(
      absl::StrCat("queue ", queue, " was not in the latest scheduling cycle"));
}

absl::Status JobNotFound(const std::string& job_id) {
  return absl::NotFoundError(absl::StrCat(
      "job ", job_id,
      " was not considered by the scheduling cycles kept (it may have finished or been "
      "cancelled, or be older than the reports kept)"));
}

}  // namespace

SchedulingReports::SchedulingReports(store::Database* db, SchedulingReportsOptions options)
    : db_(db), options_(options) {}

void SchedulingReports::Record(const scheduling::SchedulingSnapshot& snapshot,
                               const scheduling::Decision& decision) {
  int64_t cycle;
  {
    std::lock_guard<std::mutex> lock(mu_);
    cycle = next_cycle_++;
  }
  auto summary = std::make_shared<const scheduling::CycleSummary>(
      scheduling::Summarize(cycle, snapshot, decision));
  std::vector<scheduling::JobOutcome> outcomes =
      scheduling::JobOutcomes(*summary, snapshot, decision, options_.max_breakdowns);
  if (db_ != nullptr) Persist(*summary, outcomes);
  std::lock_guard<std::mutex> lock(mu_);
  cycles_.push_front(std::move(summary));
  while (cycles_.size() > std::max<size_t>(options_.max_cycles, 1)) cycles_.pop_back();
  RememberJobs(std::move(outcomes));
}

void SchedulingReports::RememberJobs(std::vector<scheduling::JobOutcome> outcomes) {
  for (auto& outcome : outcomes) {
    auto it = job_at_.find(outcome.job_id);
    if (it != job_at_.end()) {
      *it->second = std::move(outcome);
      jobs_.splice(jobs_.begin(), jobs_, it->second);
      continue;
    }
    jobs_.push_front(std::move(outcome));
    job_at_.emplace(jobs_.front().job_id, jobs_.begin());
    while (jobs_.size() > options_.max_jobs) {
      job_at_.erase(jobs_.back().job_id);
      jobs_.pop_back();
    }
  }
}

void SchedulingReports::Persist(const scheduling::CycleSummary& summary,
                                const std::vector<scheduling::JobOutcome>& outcomes) const {
  std::vector<const scheduling::CycleSummary*> cycles = {&summary};
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& c : cycles_) cycles.push_back(c.get());
    if (cycles.size() > options_.max_cycles)
      cycles.resize(std::max<size_t>(options_.max_cycles, 1));
  }
  nlohmann::json reports = {{"scheduling", nlohmann::json::array()},
                            {"queues", nlohmann::json::object()},
                            {"jobs", nlohmann::json::object()}};
  for (int v = 0; v <= kMaxVerbosity; ++v) {
    reports["scheduling"].push_back(scheduling::FormatSchedulingReport(cycles, v));
  }
  for (const std::string& queue : QueuesOf(summary)) {
    auto& texts = reports["queues"][queue] = nlohmann::json::array();
    for (int v = 0; v <= kMaxVerbosity; ++v) {
      texts.push_back(scheduling::FormatQueueReport(summary, queue, v));
    }
  }
  for (size_t i = 0; i < outcomes.size() && i < options_.persisted_jobs; ++i) {
    reports["jobs"][outcomes[i].job_id] = scheduling::FormatJobReport(outcomes[i]);
  }
  auto& shares = reports["shares"] = nlohmann::json::array();
  for (const scheduling::QueueShare& share : summary.shares) {
    shares.push_back({{"pool", share.pool},
                      {"queue", share.queue},
                      {"weight", share.weight},
                      {"fairShare", share.fair_share},
                      {"adjustedFairShare", share.adjusted_fair_share},
                      {"actualShare", share.actual_share},
                      {"decayedUsage", share.decayed_usage},
                      {"cost", share.cost}});
  }
  // Reports quote job and queue facts (reasons, selectors) that came from
  // outside: a strict dump would throw on invalid UTF-8 and end the leader,
  // and every replica that took over after it.
  const std::string text = reports.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  absl::Status status = db_->Run([&](pqxx::work& tx) {
    tx.exec_params0(
        "INSERT INTO scheduling_reports (id, cycle, cycle_time_micros, reports) "
        "VALUES (1, $1, $2, $3::jsonb) ON CONFLICT (id) DO UPDATE SET cycle = EXCLUDED.cycle, "
        "cycle_time_micros = EXCLUDED.cycle_time_micros, reports = EXCLUDED.reports, "
        "updated_at = now()",
        summary.cycle, absl::ToUnixMicros(summary.time), text);
    return absl::OkStatus();
  });
  if (!status.ok()) {
    spdlog::warn("cycle={} could not store the scheduling reports: {}", summary.cycle,
                 std::string(status.message()));
  }
}

absl::StatusOr<SchedulingReports::Source> SchedulingReports::Choose() const {
  std::optional<int64_t> mine;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!cycles_.empty()) mine = absl::ToUnixMicros(cycles_.front()->time);
  }
  if (db_ == nullptr) {
    if (!mine) return NoCycle();
    return Source::kMemory;
  }
  std::optional<int64_t> stored;
  absl::Status status = db_->Run([&](pqxx::work& tx) {
    pqxx::result r = tx.exec("SELECT cycle_time_micros FROM scheduling_reports WHERE id = 1");
    stored.reset();
    if (!r.empty()) stored = r[0][0].as<int64_t>();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (mine && (!stored || *mine >= *stored)) return Source::kMemory;
  if (!stored) return NoCycle();
  return Source::kStored;
}

absl::StatusOr<std::optional<std::string>> SchedulingReports::ReadStored(
    const std::string& expression, const std::string& key, int verbosity) const {
  std::optional<std::string> text;
  absl::Status status = db_->Run([&](pqxx::work& tx) {
    // Both parameters are typed here, whichever the expression uses.
    pqxx::result r = tx.exec_params(
        absl::StrCat("SELECT ", expression,
                     " FROM scheduling_reports WHERE id = 1 AND $1::text IS NOT NULL AND "
                     "$2::int IS NOT NULL"),
        key, verbosity);
    text.reset();
    if (r.empty()) return NoCycle();
    if (!r[0][0].is_null()) text = r[0][0].as<std::string>();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return text;
}

absl::StatusOr<std::string> SchedulingReports::SchedulingReport(int verbosity) const {
  auto source = Choose();
  if (!source.ok()) return source.status();
  if (*source == Source::kStored) {
    auto text = ReadStored("reports->'scheduling'->>($2::int)", "", Clamp(verbosity));
    if (!text.ok()) return text.status();
    if (!*text) return NoCycle();
    return **text;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (cycles_.empty()) return NoCycle();
  std::vector<const scheduling::CycleSummary*> cycles;
  for (const auto& c : cycles_) cycles.push_back(c.get());
  return scheduling::FormatSchedulingReport(cycles, verbosity);
}

absl::StatusOr<std::string> SchedulingReports::QueueReport(const std::string& queue,
                                                           int verbosity) const {
  if (queue.empty()) return absl::InvalidArgumentError("queue_name: must not be empty");
  auto source = Choose();
  if (!source.ok()) return source.status();
  if (*source == Source::kStored) {
    auto text = ReadStored("reports->'queues'->($1::text)->>($2::int)", queue, Clamp(verbosity));
    if (!text.ok()) return text.status();
    if (!*text) return QueueNotFound(queue);
    return **text;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (cycles_.empty()) return NoCycle();
  if (!KnowsQueue(*cycles_.front(), queue)) return QueueNotFound(queue);
  return scheduling::FormatQueueReport(*cycles_.front(), queue, verbosity);
}

absl::StatusOr<std::string> SchedulingReports::JobReport(const std::string& job_id) const {
  if (job_id.empty()) return absl::InvalidArgumentError("job_id: must not be empty");
  auto source = Choose();
  if (!source.ok()) return source.status();
  if (*source == Source::kStored) {
    auto text = ReadStored("reports->'jobs'->>($1::text)", job_id, 0);
    if (!text.ok()) return text.status();
    if (!*text) return JobNotFound(job_id);
    return **text;
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = job_at_.find(job_id);
  if (it == job_at_.end()) return JobNotFound(job_id);
  return scheduling::FormatJobReport(*it->second);
}

absl::StatusOr<std::vector<scheduling::QueueShare>> SchedulingReports::LatestShares() const {
  auto source = Choose();
  if (!source.ok()) return source.status();
  if (*source == Source::kMemory) {
    std::lock_guard<std::mutex> lock(mu_);
    if (cycles_.empty()) return NoCycle();
    return cycles_.front()->shares;
  }
  auto text = ReadStored("reports->>'shares'", "", 0);
  if (!text.ok()) return text.status();
  std::vector<scheduling::QueueShare> shares;
  if (!*text) return shares;  // stored by a server that did not keep shares
  const nlohmann::json json = nlohmann::json::parse(**text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_array()) return shares;
  // value() throws on a field of the wrong type; a damaged row must not end
  // the caller's request with an exception, only yield fewer shares.
  for (const auto& item : json) {
    if (!item.is_object()) continue;
    scheduling::QueueShare share;
    try {
      share.pool = item.value("pool", "");
      share.queue = item.value("queue", "");
      share.weight = item.value("weight", 1.0);
      share.fair_share = item.value("fairShare", 0.0);
      share.adjusted_fair_share = item.value("adjustedFairShare", 0.0);
      share.actual_share = item.value("actualShare", 0.0);
      share.decayed_usage = item.value("decayedUsage", 0.0);
      share.cost = item.value("cost", 0.0);
    } catch (const nlohmann::json::exception&) {
      continue;
    }
    shares.push_back(std::move(share));
  }
  return shares;
}

}  // namespace armada::server
