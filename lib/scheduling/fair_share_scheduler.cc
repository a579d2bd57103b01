#include "lib/scheduling/fair_share_scheduler.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/scheduling/internal/pool_round.h"

namespace armada::scheduling {
namespace {

void AddSelectedLabels(const model::QueuedJob& job, std::set<std::string>& labels) {
  if (!job.gang_uniformity_label.empty()) labels.insert(job.gang_uniformity_label);
  for (const auto& [key, value] : job.node_selector) labels.insert(key);
  for (const auto& term : job.node_affinity) {
    for (const auto& r : term.match_expressions) labels.insert(r.key);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<FairShareScheduler>> FairShareScheduler::Create(
    FairShareConfig config) {
  absl::Status status = config.Validate();
  if (!status.ok()) return status;
  return std::unique_ptr<FairShareScheduler>(new FairShareScheduler(std::move(config)));
}

Decision FairShareScheduler::Schedule(const SchedulingSnapshot& snapshot) const {
  Decision decision;
  internal::SortedSnapshot s;
  std::vector<const model::QueueInfo*> queues;
  for (const auto& q : snapshot.queues) queues.push_back(&q);
  std::sort(queues.begin(), queues.end(), [](auto* a, auto* b) {
    return std::tie(a->name, a->priority_factor, a->cordoned) <
           std::tie(b->name, b->priority_factor, b->cordoned);
  });
  for (const auto* q : queues) s.queues.emplace(q->name, q);

  // Within a queue: higher class priority first (as Armada orders a queue), then the job's own.
  auto class_priority = [this](const model::QueuedJob& job) -> int64_t {
    auto cls = config_.priority_classes.find(
        job.priority_class.empty() ? config_.default_priority_class : job.priority_class);
    return cls == config_.priority_classes.end() ? 0 : -int64_t{cls->second.priority};
  };
  // The class priority is looked up once per job, not once per comparison.
  std::vector<std::pair<int64_t, const model::QueuedJob*>> keyed;
  keyed.reserve(snapshot.jobs.size());
  for (const auto& job : snapshot.jobs) keyed.emplace_back(class_priority(job), &job);
  std::sort(keyed.begin(), keyed.end(), [](const auto& x, const auto& y) {
    const model::QueuedJob& a = *x.second;
    const model::QueuedJob& b = *y.second;
    return std::tie(a.queue, x.first, a.priority, a.submit_seq, a.id) <
           std::tie(b.queue, y.first, b.priority, b.submit_seq, b.id);
  });
  s.jobs.reserve(keyed.size());
  for (const auto& [priority, job] : keyed) s.jobs.push_back(job);
  for (int j = 0; j < static_cast<int>(s.jobs.size()); ++j) {
    const model::QueuedJob& job = *s.jobs[j];
    auto q = s.queues.find(job.queue);
    std::string pc =
        job.priority_class.empty() ? config_.default_priority_class : job.priority_class;
    if (q == s.queues.end()) {
      decision.unscheduled.push_back(
          {job.id, "queue " + job.queue + " does not exist", UnscheduledKind::kQueue});
    } else if (q->second->cordoned) {
      decision.unscheduled.push_back(
          {job.id, "queue " + job.queue + " is cordoned", UnscheduledKind::kQueue});
    } else if (!config_.priority_classes.contains(pc)) {
      decision.unscheduled.push_back(
          {job.id, "unknown priority class " + pc, UnscheduledKind::kQueue});
    } else {
      s.candidates[job.queue].push_back(j);
      AddSelectedLabels(job, s.indexed_labels);
    }
  }

  std::map<std::pair<std::string, std::string>, std::string> pool_of_node;
  for (const auto& node : snapshot.nodes) {
    s.pools[node.pool].push_back(&node);
    pool_of_node[{node.executor, node.name}] = node.pool;
  }
  for (const auto& r : snapshot.running) {
    std::string pool = r.pool;
    if (pool.empty()) {
      auto it = pool_of_node.find({r.executor, r.node});
      if (it != pool_of_node.end()) pool = it->second;
    }
    s.running[pool].push_back(&r);
  }
  std::set<std::string> pools;
  for (const auto& [pool, nodes] : s.pools) pools.insert(pool);
  for (const auto& [pool, jobs] : s.running) pools.insert(pool);
  for (const auto& [key, usage] : snapshot.usage) pools.insert(key.pool);

  internal::CycleState cycle{
      std::vector<bool>(s.jobs.size(), false), {}, internal::RoundLimits(config_, snapshot), {}, 0};
  for (const std::string& pool : pools) {
    internal::PoolRound(config_, snapshot, s, pool, cycle, decision).Run();
  }
  decision.rate_limits = cycle.limits.State();

  for (const auto& [queue, jobs] : s.candidates) {
    for (int j : jobs) {
      if (cycle.leased[j]) continue;
      const std::string& gang = s.jobs[j]->gang_id;
      if (auto never = cycle.never_fits.find(gang);
          !gang.empty() && never != cycle.never_fits.end() &&
          static_cast<int>(never->second.size()) == cycle.pools_with_nodes) {
        decision.rejected.push_back(
            {s.jobs[j]->id, absl::StrCat("gang ", gang, " can never be scheduled: ",
                                         absl::StrJoin(never->second, "; "))});
        continue;
      }
      auto it = cycle.reasons.find(j);
      if (it == cycle.reasons.end()) {
        decision.unscheduled.push_back(
            {s.jobs[j]->id, "no schedulable node in any pool", UnscheduledKind::kNoFit});
        continue;
      }
      // The kind of the first pool's reason: reports add a node breakdown for kNoFit.
      std::vector<std::string> texts;
      for (const internal::Reason& r : it->second) texts.push_back(r.text);
      decision.unscheduled.push_back(
          {s.jobs[j]->id, absl::StrJoin(texts, "; "), it->second.front().kind});
    }
  }
  return decision;
}

}  // namespace armada::scheduling
