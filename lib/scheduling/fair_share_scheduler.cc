#include "lib/scheduling/fair_share_scheduler.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/scheduling/fair_share.h"
#include "lib/scheduling/internal/round_limits.h"
#include "lib/scheduling/node_index.h"

namespace armada::scheduling {
namespace {

using model::ResourceList;

// The snapshot, sorted so that nothing depends on input order.
struct Sorted {
  std::map<std::string, const model::QueueInfo*> queues;
  std::vector<const model::QueuedJob*> jobs;           // by (queue, priority, seq, id)
  std::map<std::string, std::vector<int>> candidates;  // queue -> indices into jobs
  std::map<std::string, std::vector<const model::NodeInfo*>> pools;      // pool -> nodes
  std::map<std::string, std::vector<const model::RunningJob*>> running;  // pool -> jobs
  std::set<std::string> indexed_labels;  // label keys some job selects on
};

// What the pools of one cycle share: which jobs are leased, why the others are not, and the
// limits that stop the cycle.
struct Cycle {
  std::vector<bool> leased;                         // by index into Sorted::jobs
  std::map<int, std::vector<std::string>> reasons;  // job index -> one reason per pool
  internal::RoundLimits limits;
};

double Weight(const model::QueueInfo& queue) {
  double f = queue.priority_factor;
  return (std::isfinite(f) && f > 0) ? 1.0 / f : 1.0;
}

std::string SchedulingKey(const model::QueuedJob& job) {
  std::string key = job.requests.ToString();
  auto add = [&key](const std::string& s) { absl::StrAppend(&key, "|", s.size(), ":", s); };
  for (const auto& [k, v] : job.node_selector) add(k), add(v);
  add("affinity");
  for (const auto& term : job.node_affinity) {
    add("term");
    for (const auto& r : term.match_expressions) {
      add(r.key), add(r.op);
      for (const auto& v : r.values) add(v);
      add("end");
    }
  }
  add("tolerations");
  for (const auto& t : job.tolerations) add(t.key), add(t.op), add(t.value), add(t.effect);
  return key;
}

// One pool's round: allocation bookkeeping, limits and the progressive filling loop.
class PoolRound {
 public:
  PoolRound(const FairShareConfig& config, const SchedulingSnapshot& snapshot, const Sorted& s,
            std::string pool, Cycle& cycle, Decision& decision)
      : config_(config),
        snapshot_(snapshot),
        s_(s),
        pool_(std::move(pool)),
        cycle_(cycle),
        leased_(cycle.leased),
        reasons_(cycle.reasons),
        decision_(decision) {}

  void Run() {
    const auto pool_nodes_it = s_.pools.find(pool_);
    static const std::vector<const model::NodeInfo*> kNoNodes;
    const auto& nodes = pool_nodes_it == s_.pools.end() ? kNoNodes : pool_nodes_it->second;
    std::map<std::pair<std::string, std::string>, size_t> node_at;
    std::vector<ResourceList> used;
    for (size_t i = 0; i < nodes.size(); ++i) {
      node_at[{nodes[i]->executor, nodes[i]->name}] = i;
      used.push_back(nodes[i]->allocated);
      if (!nodes[i]->unschedulable) total_.Add(nodes[i]->allocatable);
    }
    auto run_it = s_.running.find(pool_);
    if (run_it != s_.running.end()) {
      for (const model::RunningJob* r : run_it->second) {
        auto at = node_at.find({r->executor, r->node});
        if (at != node_at.end()) used[at->second].Add(r->requests);
        alloc_[r->queue].Add(r->requests);
        alloc_pc_[{r->queue, PriorityClassOf(r->priority_class)}].Add(r->requests);
      }
    }
    UpdateUsage();
    if (nodes.empty()) return;
    NodeIndex index(nodes, used, total_, config_.fairness_resources, s_.indexed_labels);
    index_ = &index;
    ChooseActiveQueues();
    Fill();
    ReportShares();
    index_ = nullptr;
  }

 private:
  std::string PriorityClassOf(const std::string& name) const {
    return name.empty() ? config_.default_priority_class : name;
  }

  double Share(const ResourceList& amounts) const {
    return DominantShare(amounts, total_, config_.fairness_resources);
  }

  // Decays the usage of every queue known in this pool to snapshot.now.
  void UpdateUsage() {
    std::set<std::string> names;
    for (const auto& [name, q] : s_.queues) names.insert(name);
    for (const auto& [name, a] : alloc_) names.insert(name);
    for (const auto& [key, u] : snapshot_.usage) {
      if (key.pool == pool_) names.insert(key.queue);
    }
    for (const std::string& name : names) {
      model::PoolQueue key{pool_, name};
      auto prev = snapshot_.usage.find(key);
      std::optional<model::QueueUsage> previous;
      if (prev != snapshot_.usage.end()) previous = prev->second;
      auto a = alloc_.find(name);
      double share = a == alloc_.end() ? 0 : Share(a->second);
      const absl::Duration half_life = config_.HalfLifeOf(pool_);
      model::QueueUsage updated = DecayUsage(previous, share, snapshot_.now, half_life);
      decision_.usage[key] = updated;
      usage_[name] = half_life > absl::ZeroDuration() ? updated.decayed_share : 0;
    }
  }

  struct Active {
    const model::QueueInfo* info;
    double weight;
    std::vector<int> jobs;  // candidates not leased in an earlier pool
    size_t next = 0;
    double demand = 0;  // dominant share of running + queued, capped by class limits
  };

  void ChooseActiveQueues() {
    for (const auto& [name, info] : s_.queues) {
      Active a{info, Weight(*info), {}};
      auto c = s_.candidates.find(name);
      if (c != s_.candidates.end()) {
        for (int j : c->second) {
          if (!leased_[j]) a.jobs.push_back(j);
        }
      }
      if (a.jobs.empty() && !alloc_.contains(name)) continue;
      a.demand = DemandShare(name, a);
      active_.emplace(name, std::move(a));
    }
  }

  // The limit of `queue` for priority class `pc`: its own override, else the class's.
  const std::map<std::string, double>* LimitsOf(const model::QueueInfo& queue,
                                                const std::string& pc) const {
    auto own = queue.resource_limits_by_priority_class.find(pc);
    if (own != queue.resource_limits_by_priority_class.end()) return &own->second;
    auto cls = config_.priority_classes.find(pc);
    return cls == config_.priority_classes.end() ? nullptr
                                                 : &cls->second.maximum_resource_fraction_per_queue;
  }

  static int64_t Cap(double fraction, int64_t total) {
    return static_cast<int64_t>(std::floor(fraction * static_cast<double>(total)));
  }

  // The resource of `limits` that `amounts` exceeds, if any.
  std::optional<std::string> Exceeded(const std::map<std::string, double>& limits,
                                      const ResourceList& amounts) const {
    for (const auto& [resource, fraction] : limits) {
      // A fraction >= 1 cannot bind before the pool is full; skipping it keeps "no node has
      // ... free" as the reason when a lone queue fills the pool.
      if (fraction >= 1) continue;
      if (amounts.Get(resource) > Cap(fraction, total_.Get(resource))) return resource;
    }
    return std::nullopt;
  }

  double Cost(const std::string& queue, const ResourceList& amounts) const {
    return (Share(amounts) + usage_.at(queue)) / active_.at(queue).weight;
  }

  double CostWithNext(const std::string& queue) const {
    const Active& a = active_.at(queue);
    ResourceList amounts = Alloc(queue);
    amounts.Add(s_.jobs[a.jobs[a.next]]->requests);
    return Cost(queue, amounts);
  }

  ResourceList Alloc(const std::string& queue) const {
    auto it = alloc_.find(queue);
    return it == alloc_.end() ? ResourceList() : it->second;
  }

  // Progressive filling until every queue is done or a limit stops the round. A queue whose
  // rate limit is reached stops; the global rate limit, the cycle time and
  // maximum_resource_fraction_to_schedule stop them all. Jobs not considered get the reason.
  void Fill() {
    std::set<std::pair<double, std::string>> heap;  // (cost counting the next job, queue)
    for (const auto& [name, a] : active_) {
      if (!a.info->cordoned && a.next < a.jobs.size()) heap.insert({CostWithNext(name), name});
    }
    std::optional<std::string> stopped;
    while (!heap.empty() && !stopped) {
      stopped = cycle_.limits.RoundStop();
      if (stopped) break;
      std::string queue = heap.begin()->second;
      heap.erase(heap.begin());
      Active& a = active_.at(queue);
      if (!cycle_.limits.QueueAllows(queue)) {
        SkipRest(a, internal::kQueueRateLimitReason);
        continue;
      }
      int j = a.jobs[a.next++];
      if (TryLease(j, *a.info)) stopped = "round reached maximum_resource_fraction_to_schedule";
      if (a.next < a.jobs.size()) heap.insert({CostWithNext(queue), queue});
    }
    if (!stopped) return;
    for (auto& [name, a] : active_) {
      if (!a.info->cordoned) SkipRest(a, *stopped);
    }
  }

  // Gives `reason` to the queue's jobs not considered yet and marks them considered.
  void SkipRest(Active& a, const std::string& reason) {
    for (; a.next < a.jobs.size(); ++a.next) AddReason(a.jobs[a.next], reason);
  }

  void AddReason(int j, const std::string& reason) {
    reasons_[j].push_back(absl::StrCat("pool ", pool_, ": ", reason));
  }

  // Tries to lease jobs[j]; returns true when the round's limit stops the pool.
  bool TryLease(int j, const model::QueueInfo& queue) {
    const model::QueuedJob& job = *s_.jobs[j];
    std::string pc = PriorityClassOf(job.priority_class);
    ResourceList in_class = alloc_pc_[{queue.name, pc}];
    in_class.Add(job.requests);
    if (const auto* limits = LimitsOf(queue, pc)) {
      if (auto r = Exceeded(*limits, in_class)) {
        AddReason(j, absl::StrCat("queue ", queue.name, " would exceed its ", *r,
                                  " limit for priority class ", pc));
        return false;
      }
    }
    std::string key = SchedulingKey(job);
    auto cached = infeasible_.find(key);
    if (cached != infeasible_.end()) {
      AddReason(j, cached->second);
      return false;
    }
    NodeIndex::Fit fit = index_->BestFit(job);
    if (fit.node == nullptr) {
      infeasible_.emplace(key, fit.reason);
      AddReason(j, fit.reason);
      return false;
    }
    index_->Place(fit.node, job.requests);
    leased_[j] = true;
    alloc_[queue.name].Add(job.requests);
    alloc_pc_[{queue.name, pc}] = std::move(in_class);
    scheduled_.Add(job.requests);
    cycle_.limits.OnLease(queue.name);
    decision_.leases.push_back(
        {job.id, job.queue, fit.node->executor, fit.node->name, fit.node->pool});
    return Exceeded(config_.maximum_resource_fraction_to_schedule, scheduled_).has_value();
  }

  // Demand: running allocation plus every job still queued, capped by the class limits. Called
  // before the round's leases.
  double DemandShare(const std::string& name, const Active& a) const {
    if (a.info->cordoned) return Share(Alloc(name));
    std::map<std::string, ResourceList> by_class;
    for (const auto& [key, amounts] : alloc_pc_) {
      if (key.first == name) by_class[key.second].Add(amounts);
    }
    for (int j : a.jobs) {
      by_class[PriorityClassOf(s_.jobs[j]->priority_class)].Add(s_.jobs[j]->requests);
    }
    ResourceList demand;
    for (auto& [pc, amounts] : by_class) {
      if (const auto* limits = LimitsOf(*a.info, pc)) {
        for (const auto& [resource, fraction] : *limits) {
          int64_t cap = Cap(fraction, total_.Get(resource));
          if (amounts.Get(resource) > cap) amounts.Set(resource, cap);
        }
      }
      demand.Add(amounts);
    }
    return std::min(1.0, Share(demand));
  }

  void ReportShares() {
    std::vector<double> weights;
    std::vector<double> demands;
    double total_weight = 0;
    for (const auto& [name, a] : active_) {
      weights.push_back(a.weight);
      demands.push_back(a.demand);
      total_weight += a.weight;
    }
    std::vector<double> adjusted = WaterFill(weights, demands);
    size_t i = 0;
    for (const auto& [name, a] : active_) {
      ResourceList alloc = Alloc(name);
      decision_.shares.push_back({pool_, name, a.weight, a.weight / total_weight, adjusted[i++],
                                  Share(alloc), usage_.at(name), Cost(name, alloc)});
    }
  }

  const FairShareConfig& config_;
  const SchedulingSnapshot& snapshot_;
  const Sorted& s_;
  std::string pool_;
  Cycle& cycle_;
  std::vector<bool>& leased_;
  std::map<int, std::vector<std::string>>& reasons_;
  Decision& decision_;

  ResourceList total_;
  ResourceList scheduled_;
  std::map<std::string, ResourceList> alloc_;                             // queue -> amounts
  std::map<std::pair<std::string, std::string>, ResourceList> alloc_pc_;  // (queue, pc)
  std::map<std::string, double> usage_;                                   // used in costs
  std::map<std::string, Active> active_;
  std::map<std::string, std::string> infeasible_;  // scheduling key -> reason
  NodeIndex* index_ = nullptr;
};

void AddSelectedLabels(const model::QueuedJob& job, std::set<std::string>& labels) {
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
  Sorted s;
  std::vector<const model::QueueInfo*> queues;
  for (const auto& q : snapshot.queues) queues.push_back(&q);
  std::sort(queues.begin(), queues.end(), [](auto* a, auto* b) {
    return std::tie(a->name, a->priority_factor, a->cordoned) <
           std::tie(b->name, b->priority_factor, b->cordoned);
  });
  for (const auto* q : queues) s.queues.emplace(q->name, q);

  for (const auto& job : snapshot.jobs) s.jobs.push_back(&job);
  std::sort(s.jobs.begin(), s.jobs.end(), [](auto* a, auto* b) {
    return std::tie(a->queue, a->priority, a->submit_seq, a->id) <
           std::tie(b->queue, b->priority, b->submit_seq, b->id);
  });
  for (int j = 0; j < static_cast<int>(s.jobs.size()); ++j) {
    const model::QueuedJob& job = *s.jobs[j];
    auto q = s.queues.find(job.queue);
    std::string pc =
        job.priority_class.empty() ? config_.default_priority_class : job.priority_class;
    if (q == s.queues.end()) {
      decision.unscheduled.push_back({job.id, "queue " + job.queue + " does not exist"});
    } else if (q->second->cordoned) {
      decision.unscheduled.push_back({job.id, "queue " + job.queue + " is cordoned"});
    } else if (!config_.priority_classes.contains(pc)) {
      decision.unscheduled.push_back({job.id, "unknown priority class " + pc});
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

  Cycle cycle{
      std::vector<bool>(s.jobs.size(), false), {}, internal::RoundLimits(config_, snapshot)};
  for (const std::string& pool : pools) {
    PoolRound(config_, snapshot, s, pool, cycle, decision).Run();
  }
  decision.rate_limits = cycle.limits.State();

  for (const auto& [queue, jobs] : s.candidates) {
    for (int j : jobs) {
      if (cycle.leased[j]) continue;
      auto it = cycle.reasons.find(j);
      std::string reason = it == cycle.reasons.end() ? "no schedulable node in any pool"
                                                     : absl::StrJoin(it->second, "; ");
      decision.unscheduled.push_back({s.jobs[j]->id, std::move(reason)});
    }
  }
  return decision;
}

}  // namespace armada::scheduling
