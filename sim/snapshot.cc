#include "sim/snapshot.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace armada::sim {

model::QueuedJob MakeQueuedJob(const JobSpec& spec, std::string id, int64_t seq,
                               std::string gang_id) {
  model::QueuedJob job;
  if (spec.gang_cardinality > 0) {
    job.gang_id = std::move(gang_id);
    job.gang_cardinality = spec.gang_cardinality;
    job.gang_uniformity_label = spec.gang_uniformity_label;
  }
  job.id = std::move(id);
  job.queue = spec.queue;
  job.job_set = "sim";
  job.priority = spec.priority;
  job.submit_seq = seq;
  job.requests = spec.resources;
  job.node_selector = spec.node_selector;
  job.priority_class = spec.priority_class;
  job.tolerations = spec.tolerations;
  job.runtime_bound = spec.active_deadline;
  return job;
}

model::RunningJob MakeRunningJob(const model::QueuedJob& job, const scheduling::Lease& lease,
                                 absl::Time started_at) {
  model::RunningJob r;
  r.started_at = started_at;
  r.id = job.id;
  r.queue = job.queue;
  r.job_set = job.job_set;
  r.node = lease.node;
  r.executor = lease.executor;
  r.pool = lease.pool;
  r.requests = job.requests;
  r.priority_class = job.priority_class;
  r.gang_id = job.gang_id;
  r.priority = job.priority;
  r.submit_seq = job.submit_seq;
  r.runtime_bound = job.runtime_bound;
  return r;
}

scheduling::SchedulingSnapshot MakeSnapshot(
    const Scenario& scenario, std::vector<model::QueuedJob> queued,
    const std::vector<model::RunningJob>& running,
    const std::map<model::PoolQueue, model::QueueUsage>& usage,
    const scheduling::RateLimitState& rate_limits, absl::Time now) {
  scheduling::SchedulingSnapshot snapshot;
  snapshot.queues = scenario.queues;
  snapshot.jobs = std::move(queued);
  snapshot.nodes = scenario.nodes;
  snapshot.now = now;
  snapshot.running = running;
  snapshot.usage = usage;
  snapshot.rate_limits = rate_limits;
  return snapshot;
}

std::vector<QueueRow> MakeQueueRows(const Scenario& scenario, const scheduling::Decision& decision,
                                    const std::vector<model::RunningJob>& running) {
  std::map<std::pair<std::string, std::string>, int64_t> counts;  // (pool, queue)
  for (const auto& r : running) ++counts[{r.pool, r.queue}];
  std::vector<QueueRow> rows;
  if (scenario.PoolCount() <= 1) {
    std::map<std::string, QueueRow> by_queue;
    for (const auto& q : scenario.queues) by_queue[q.name].key = q.name;
    for (const auto& [key, n] : counts) by_queue[key.second].running += n;
    for (const auto& s : decision.shares) {
      QueueRow& row = by_queue[s.queue];
      row.key = s.queue;
      row.fair_share = s.fair_share;
      row.adjusted_fair_share = s.adjusted_fair_share;
      row.actual_share = s.actual_share;
      row.cost = s.cost;
    }
    for (auto& [name, row] : by_queue) rows.push_back(std::move(row));
    return rows;
  }
  for (const auto& s : decision.shares) {
    auto it = counts.find({s.pool, s.queue});
    rows.push_back({absl::StrCat(s.pool, "/", s.queue), it == counts.end() ? 0 : it->second,
                    s.fair_share, s.adjusted_fair_share, s.actual_share, s.cost});
  }
  return rows;
}

}  // namespace armada::sim
