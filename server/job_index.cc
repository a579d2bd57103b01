#include "server/job_index.h"

#include <algorithm>

#include "api/event.pb.h"
#include "lib/store/job_store.h"
#include "server/scheduling_conversion.h"
#include "spdlog/spdlog.h"

namespace armada::server {
namespace {
constexpr int kSyncBatch = 10000;
}  // namespace

absl::Status JobIndex::Load(store::Database& db) {
  absl::flat_hash_map<std::string, model::QueuedJob> jobs;
  absl::flat_hash_map<std::string, model::RunningJob> leases;
  int64_t cursor = 0;
  absl::Status status = db.Run([&](pqxx::work& tx) {
    jobs.clear();
    leases.clear();
    cursor = store::LastEventSeq(tx);
    for (auto& job : store::QueuedJobs(tx, /*with_leased=*/true)) {
      std::string id = job.id;
      jobs.emplace(std::move(id), std::move(job));
    }
    for (auto& lease : store::RunningJobs(tx)) {
      if (!jobs.contains(lease.id)) continue;
      std::string id = lease.id;
      leases.emplace(std::move(id), std::move(lease));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  jobs_ = std::move(jobs);
  leases_ = std::move(leases);
  cursor_ = cursor;
  spdlog::info("job index loaded: jobs={} cursor={}", jobs_.size(), cursor_);
  return absl::OkStatus();
}

void JobIndex::Apply(int64_t seq, const std::string& job_id, const std::string& message,
                     std::vector<std::string>& unplaced) {
  api::EventMessage event;
  if (!event.ParseFromString(message)) {
    spdlog::error("job={} event {} is unreadable; skipped", job_id, seq);
    return;
  }
  auto it = jobs_.find(job_id);
  switch (event.events_case()) {
    case api::EventMessage::kSubmitted:
      if (it == jobs_.end()) jobs_.emplace(job_id, QueuedJobOf(event.submitted().job()));
      break;
    case api::EventMessage::kQueued:  // also a requeue after a returned lease
      leases_.erase(job_id);
      break;
    case api::EventMessage::kLeased:
      if (it != jobs_.end() && !leases_.contains(job_id)) unplaced.push_back(job_id);
      break;
    case api::EventMessage::kSucceeded:
    case api::EventMessage::kFailed:
    case api::EventMessage::kCancelled:
    case api::EventMessage::kPreempted:
      if (it != jobs_.end()) jobs_.erase(it);
      leases_.erase(job_id);
      break;
    default:
      break;
  }
}

absl::StatusOr<int64_t> JobIndex::Sync(store::Database& db) {
  int64_t applied = 0;
  while (true) {
    std::vector<store::LoggedEvent> events;
    std::vector<model::RunningJob> placements;
    std::vector<std::string> unplaced;
    absl::Status status = db.Run([&](pqxx::work& tx) {
      events = store::EventsAfter(tx, cursor_, kSyncBatch);
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    if (events.empty()) return applied;
    for (const auto& event : events) Apply(event.seq, event.job_id, event.message, unplaced);
    cursor_ = events.back().seq;
    applied += static_cast<int64_t>(events.size());
    if (!unplaced.empty()) {
      // Leases this replica did not write (it was not leader then): read where
      // they went. A job whose run already ended is removed by a later event.
      status = db.Run([&](pqxx::work& tx) {
        placements = store::RunningJobs(tx, &unplaced);
        return absl::OkStatus();
      });
      if (!status.ok()) return status;
      for (auto& placement : placements) RecordLease(placement);
    }
    if (static_cast<int>(events.size()) < kSyncBatch) return applied;
  }
}

void JobIndex::RecordLease(const model::RunningJob& lease) {
  if (jobs_.contains(lease.id)) leases_.insert_or_assign(lease.id, lease);
}

std::vector<model::QueuedJob> JobIndex::QueuedJobs() const {
  std::vector<model::QueuedJob> out;
  for (const auto& [id, job] : jobs_) {
    if (!leases_.contains(id)) out.push_back(job);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

std::vector<model::RunningJob> JobIndex::RunningJobs() const {
  std::vector<model::RunningJob> out;
  for (const auto& [id, lease] : leases_) out.push_back(lease);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

}  // namespace armada::server
