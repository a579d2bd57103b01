#include "server/scheduler/job_index.h"

#include <algorithm>
#include <cassert>

#include "api/event.pb.h"
#include "lib/store/job_store.h"
#include "server/jobs/scheduling_conversion.h"
#include "spdlog/spdlog.h"

namespace armada::server {
namespace {
constexpr int kSyncBatch = 10000;
}  // namespace

absl::Status JobIndex::Load(store::Database& db) {
  assert(!lent_);
  std::vector<model::QueuedJob> unfinished;
  std::vector<model::RunningJob> leases;
  int64_t cursor = 0;
  absl::Status status = db.Run([&](pqxx::work& tx) {
    cursor = store::LastEventSeq(tx);
    unfinished = store::QueuedJobs(tx, /*with_leased=*/true);
    leases = store::RunningJobs(tx);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  queued_.clear();
  queued_at_.clear();
  leased_jobs_.clear();
  leases_.clear();
  for (auto& job : unfinished) AddQueued(std::move(job));
  for (const auto& lease : leases) RecordLease(lease);
  cursor_ = cursor;
  spdlog::info("job index loaded: queued={} leased={} cursor={}", queued_.size(),
               leased_jobs_.size(), cursor_);
  return absl::OkStatus();
}

model::QueuedJob* JobIndex::Find(const std::string& job_id) {
  if (auto it = queued_at_.find(job_id); it != queued_at_.end()) return &queued_[it->second];
  if (auto it = leased_jobs_.find(job_id); it != leased_jobs_.end()) return &it->second;
  return nullptr;
}

void JobIndex::AddQueued(model::QueuedJob job) {
  if (queued_at_.contains(job.id) || leased_jobs_.contains(job.id)) return;
  queued_at_.emplace(job.id, queued_.size());
  queued_.push_back(std::move(job));
}

std::optional<model::QueuedJob> JobIndex::RemoveQueued(const std::string& job_id) {
  auto it = queued_at_.find(job_id);
  if (it == queued_at_.end()) return std::nullopt;
  const size_t at = it->second;
  queued_at_.erase(it);
  model::QueuedJob job = std::move(queued_[at]);
  if (at + 1 != queued_.size()) {
    queued_[at] = std::move(queued_.back());
    queued_at_[queued_[at].id] = at;
  }
  queued_.pop_back();
  return job;
}

void JobIndex::Apply(int64_t seq, const std::string& job_id, const std::string& message,
                     std::vector<std::string>& unplaced) {
  api::EventMessage event;
  if (!event.ParseFromString(message)) {
    spdlog::error("job={} event {} is unreadable; skipped", job_id, seq);
    return;
  }
  switch (event.events_case()) {
    case api::EventMessage::kSubmitted:
      AddQueued(QueuedJobOf(event.submitted().job()));
      break;
    case api::EventMessage::kQueued:  // also a requeue after a returned lease
      if (auto it = leased_jobs_.find(job_id); it != leased_jobs_.end()) {
        model::QueuedJob job = std::move(it->second);
        leased_jobs_.erase(it);
        leases_.erase(job_id);
        AddQueued(std::move(job));
      }
      break;
    case api::EventMessage::kLeaseReturned:
      // A retry avoids the node where the run started (the requeue follows).
      if (event.lease_returned().run_attempted()) {
        auto lease = leases_.find(job_id);
        auto job = leased_jobs_.find(job_id);
        if (lease != leases_.end() && job != leased_jobs_.end()) {
          job->second.avoid_nodes.push_back(lease->second.node);
        }
      }
      break;
    case api::EventMessage::kReprioritized:
      if (model::QueuedJob* job = Find(job_id)) {
        job->priority = static_cast<uint32_t>(event.reprioritized().new_priority());
      }
      break;
    case api::EventMessage::kLeased:
      if (queued_at_.contains(job_id)) unplaced.push_back(job_id);
      break;
    // A preempted job is followed by "queued" (requeued) or "failed".
    case api::EventMessage::kSucceeded:
    case api::EventMessage::kFailed:
    case api::EventMessage::kCancelled:
      RemoveQueued(job_id);
      leased_jobs_.erase(job_id);
      leases_.erase(job_id);
      break;
    default:
      break;
  }
}

absl::StatusOr<int64_t> JobIndex::Sync(store::Database& db) {
  assert(!lent_);
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
      for (const auto& placement : placements) RecordLease(placement);
    }
    if (static_cast<int>(events.size()) < kSyncBatch) return applied;
  }
}

void JobIndex::RecordLease(const model::RunningJob& lease) {
  assert(!lent_);
  if (auto job = RemoveQueued(lease.id)) {
    leased_jobs_.emplace(lease.id, std::move(*job));
  } else if (!leased_jobs_.contains(lease.id)) {
    return;  // unknown or finished
  }
  leases_.insert_or_assign(lease.id, lease);
}

std::vector<model::QueuedJob> JobIndex::TakeQueued() {
  assert(!lent_);
  lent_ = true;
  return std::move(queued_);
}

void JobIndex::ReturnQueued(std::vector<model::QueuedJob> jobs) {
  assert(lent_);
  assert(jobs.size() == queued_at_.size());
  queued_ = std::move(jobs);
  lent_ = false;
}

std::vector<model::QueuedJob> JobIndex::QueuedJobs() const {
  std::vector<model::QueuedJob> out = queued_;
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

std::vector<model::RunningJob> JobIndex::RunningJobs() const {
  std::vector<model::RunningJob> out;
  out.reserve(leases_.size());
  for (const auto& [id, lease] : leases_) out.push_back(lease);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

}  // namespace armada::server
