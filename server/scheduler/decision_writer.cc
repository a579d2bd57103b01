#include "server/scheduler/decision_writer.h"

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "lib/common/ids.h"
#include "lib/store/job_store.h"
#include "server/jobs/job_events.h"
#include "server/jobs/job_transitions.h"

namespace armada::server {

absl::Status DecisionWriter::WriteEvictions(const scheduling::Decision& decision, absl::Time now) {
  if (decision.preemptions.empty() && decision.rejected.empty() && decision.usage.empty()) {
    return absl::OkStatus();
  }
  return db_.Run([&](pqxx::work& tx) -> absl::Status {
    if (absl::Status fenced = lock_.Fence(tx); !fenced.ok()) return fenced;
    JobTransitions transitions(tx, now, policy_);
    for (const scheduling::Preemption& p : decision.preemptions) {
      auto victims = store::GetJobs(tx, {p.job_id}, /*lock=*/true);
      if (victims.empty()) continue;
      for (const store::RunRecord& run : store::LockActiveRunsOfJob(tx, p.job_id)) {
        if (run.node != p.node || run.executor != p.executor) continue;
        transitions.PreemptRun(victims[0], run, "scheduler", p.preempting_job_id, p.reason);
      }
    }
    for (const scheduling::Unscheduled& r : decision.rejected) {
      auto rejected = store::GetJobs(tx, {r.job_id}, /*lock=*/true);
      if (!rejected.empty()) transitions.Reject(rejected[0], r.reason);
    }
    transitions.Commit();
    store::SaveQueueUsage(tx, decision.usage);
    return absl::OkStatus();
  });
}

absl::Status DecisionWriter::WriteLeases(const std::vector<const scheduling::Lease*>& leases,
                                         const JobsById& by_id, absl::Time now,
                                         std::vector<model::RunningJob>& leased) {
  std::vector<model::RunningJob> written;
  absl::Status status = db_.Run([&](pqxx::work& tx) -> absl::Status {
    written.clear();
    if (absl::Status fenced = lock_.Fence(tx); !fenced.ok()) return fenced;
    std::vector<store::RunRecord> runs;
    std::vector<std::string> uniformity;
    runs.reserve(leases.size());
    uniformity.reserve(leases.size());
    for (const scheduling::Lease* lease : leases) {
      runs.push_back({common::NewRunId(), lease->job_id, lease->executor, lease->node, lease->pool,
                      model::RunState::kLeased});
      uniformity.push_back(lease->gang_uniformity_value);
    }
    const std::vector<bool> done = store::LeaseJobs(tx, runs, now, uniformity);
    std::vector<store::EventRecord> events;
    for (size_t i = 0; i < leases.size(); ++i) {
      if (!done[i]) continue;  // cancelled meanwhile
      const model::QueuedJob* job = by_id.at(leases[i]->job_id);
      const scheduling::Lease& lease = *leases[i];
      EventSubject subject{job->id, job->queue, job->job_set};
      events.push_back(ToRecord(subject, LeasedEvent(subject, now, lease.executor, lease.pool)));
      model::RunningJob running;
      running.id = job->id;
      running.queue = job->queue;
      running.job_set = job->job_set;
      running.node = lease.node;
      running.executor = lease.executor;
      running.pool = lease.pool;
      running.requests = job->requests;
      running.priority_class = job->priority_class;
      running.started_at = now;
      running.gang_id = job->gang_id;
      running.priority = job->priority;
      running.submit_seq = job->submit_seq;
      running.runtime_bound = job->runtime_bound;
      written.push_back(std::move(running));
    }
    store::AppendEvents(tx, events);
    return absl::OkStatus();
  });
  if (status.ok()) {
    for (auto& job : written) leased.push_back(std::move(job));
  }
  return status;
}

WrittenDecision DecisionWriter::Write(const scheduling::Decision& decision,
                                      const std::vector<model::QueuedJob>& jobs, absl::Time now) {
  WrittenDecision out;
  out.status = WriteEvictions(decision, now);
  if (!out.status.ok()) return out;
  absl::flat_hash_set<std::string> leased_ids;
  for (const scheduling::Lease& lease : decision.leases) leased_ids.insert(lease.job_id);
  JobsById by_id;
  for (const auto& job : jobs) {
    if (leased_ids.contains(job.id)) by_id[job.id] = &job;
  }
  auto gang_of = [&](size_t i) -> const std::string& {
    static const std::string kNone;
    auto it = by_id.find(decision.leases[i].job_id);
    return it == by_id.end() ? kNone : it->second->gang_id;
  };
  std::vector<const scheduling::Lease*> chunk;
  for (size_t i = 0; i < decision.leases.size(); ++i) {
    if (!by_id.contains(decision.leases[i].job_id)) continue;  // not in the snapshot: a bug
    chunk.push_back(&decision.leases[i]);
    // A gang's members are adjacent in the decision and go in one transaction.
    const bool last = i + 1 == decision.leases.size();
    const bool gang_goes_on = !last && !gang_of(i).empty() && gang_of(i + 1) == gang_of(i);
    if (last || (!gang_goes_on && static_cast<int>(chunk.size()) >= leases_per_transaction_)) {
      out.status = WriteLeases(chunk, by_id, now, out.leased);
      if (!out.status.ok()) return out;
      chunk.clear();
    }
  }
  if (!chunk.empty()) out.status = WriteLeases(chunk, by_id, now, out.leased);
  return out;
}

}  // namespace armada::server
