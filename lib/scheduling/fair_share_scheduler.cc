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
#include "lib/scheduling/node_matching.h"

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
  // Gang id -> why it can never be scheduled, per pool with nodes that said so.
  std::map<std::string, std::vector<std::string>> never_fits;
  int pools_with_nodes = 0;
};

// The running jobs of a pool, as candidates for preemption.
struct Victim {
  const model::RunningJob* job;
  const model::NodeInfo* node;  // nullptr: its node is not schedulable in this pool
  int32_t priority;
  bool preemptible;
  bool evicted = false;
};

// A way to make room for a job on one node: the running jobs to evict.
struct PreemptionPlan {
  const model::NodeInfo* node = nullptr;
  std::vector<int> victims;  // indices into the pool's victims, gangs expanded
  bool fair_share = false;   // fair-share (else urgency) preemption
  int32_t highest_priority = 0;
  int count = 0;
  double evicted_share = 0;
  absl::Time oldest_start = absl::InfiniteFuture();  // of its victims
};

double Weight(const model::QueueInfo& queue) {
  double f = queue.priority_factor;
  return (std::isfinite(f) && f > 0) ? 1.0 / f : 1.0;
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
        const std::string pc = PriorityClassOf(r->priority_class);
        alloc_[r->queue].Add(r->requests);
        alloc_pc_[{r->queue, pc}].Add(r->requests);
        auto cls = config_.priority_classes.find(pc);
        victims_.push_back({r, at == node_at.end() ? nullptr : nodes[at->second],
                            cls == config_.priority_classes.end() ? 0 : cls->second.priority,
                            cls != config_.priority_classes.end() && cls->second.preemptible});
      }
    }
    UpdateUsage();
    if (nodes.empty()) return;
    ++cycle_.pools_with_nodes;
    nodes_ = &nodes;
    NodeIndex index(nodes, used, total_, config_.fairness_resources, s_.indexed_labels);
    index_ = &index;
    for (size_t v = 0; v < victims_.size(); ++v) {
      if (victims_[v].node != nullptr && !index.Contains(victims_[v].node)) {
        victims_[v].node = nullptr;  // unschedulable node: nothing to make room on
      }
      if (victims_[v].node != nullptr) {
        victims_on_node_[victims_[v].node].push_back(static_cast<int>(v));
      }
      if (!victims_[v].job->gang_id.empty()) {
        gang_victims_[victims_[v].job->gang_id].push_back(static_cast<int>(v));
      }
    }
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
    // What the queue offers, in order: single jobs, and complete gangs at the place of their
    // first member.
    std::vector<std::vector<int>> entries;
    size_t next = 0;
    double demand = 0;  // dominant share of running + queued, capped by class limits
  };

  void ChooseActiveQueues() {
    for (const auto& [name, info] : s_.queues) {
      Active a{info, Weight(*info), {}, {}};
      auto c = s_.candidates.find(name);
      if (c != s_.candidates.end()) {
        for (int j : c->second) {
          if (!leased_[j]) a.jobs.push_back(j);
        }
      }
      if (a.jobs.empty() && !alloc_.contains(name)) continue;
      a.entries = Entries(a.jobs);
      a.demand = DemandShare(name, a);
      active_.emplace(name, std::move(a));
    }
    double total_weight = 0;
    for (const auto& [name, a] : active_) total_weight += a.weight;
    std::vector<double> weights;
    std::vector<double> demands;
    for (const auto& [name, a] : active_) {
      weights.push_back(a.weight);
      demands.push_back(a.demand);
    }
    std::vector<double> adjusted = WaterFill(weights, demands);
    size_t i = 0;
    for (const auto& [name, a] : active_) {
      fair_share_[name] = a.weight / total_weight;
      adjusted_share_[name] = adjusted[i++];
    }
  }

  // Groups a queue's jobs into what Fill offers: gangs whole, once complete.
  std::vector<std::vector<int>> Entries(const std::vector<int>& jobs) {
    std::vector<std::vector<int>> entries;
    std::map<std::string, size_t> gang_entry;
    for (int j : jobs) {
      const model::QueuedJob& job = *s_.jobs[j];
      if (job.gang_id.empty()) {
        entries.push_back({j});
        continue;
      }
      auto [it, inserted] = gang_entry.emplace(job.gang_id, entries.size());
      if (inserted) entries.emplace_back();
      entries[it->second].push_back(j);
    }
    std::vector<std::vector<int>> complete;
    for (auto& entry : entries) {
      const model::QueuedJob& first = *s_.jobs[entry[0]];
      if (!first.gang_id.empty() && static_cast<int>(entry.size()) < first.gang_cardinality) {
        for (int j : entry) {
          AddReason(j, absl::StrCat("gang ", first.gang_id, " is incomplete: ", entry.size(),
                                    " of ", first.gang_cardinality, " members queued"));
        }
        continue;
      }
      complete.push_back(std::move(entry));
    }
    return complete;
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
    for (int j : a.entries[a.next]) amounts.Add(s_.jobs[j]->requests);
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
      if (!a.info->cordoned && a.next < a.entries.size()) heap.insert({CostWithNext(name), name});
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
      const std::vector<int>& entry = a.entries[a.next++];
      const bool round_full = entry.size() == 1 && s_.jobs[entry[0]]->gang_id.empty()
                                  ? TryLease(entry[0], *a.info)
                                  : TryLeaseGang(entry, *a.info);
      if (round_full) stopped = "round reached maximum_resource_fraction_to_schedule";
      if (a.next < a.entries.size()) heap.insert({CostWithNext(queue), queue});
    }
    if (!stopped) return;
    for (auto& [name, a] : active_) {
      if (!a.info->cordoned) SkipRest(a, *stopped);
    }
  }

  // Gives `reason` to the queue's jobs not considered yet and marks them considered.
  void SkipRest(Active& a, const std::string& reason) {
    for (; a.next < a.entries.size(); ++a.next) {
      for (int j : a.entries[a.next]) AddReason(j, reason);
    }
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
    const model::NodeInfo* node = nullptr;
    std::string reason;
    if (auto cached = infeasible_.find(key); cached != infeasible_.end()) {
      reason = cached->second;
    } else {
      NodeIndex::Fit fit = index_->BestFit(job);
      node = fit.node;
      if (node == nullptr) infeasible_.emplace(key, reason = fit.reason);
    }
    if (node == nullptr) {
      // No room without evicting anything: try making room.
      const std::string preemption_key = absl::StrCat(key, "|", queue.name, "|", pc);
      if (!unpreemptable_.contains(preemption_key)) {
        if (auto plan = PlanPreemption(job, queue.name, pc)) {
          Evict(*plan, job);
          node = plan->node;
        } else {
          unpreemptable_.insert(preemption_key);
        }
      }
    }
    if (node == nullptr) {
      AddReason(j, reason);
      return false;
    }
    Lease(j, queue.name, pc, node, {});
    return Exceeded(config_.maximum_resource_fraction_to_schedule, scheduled_).has_value();
  }

  // Records the lease of jobs[j] on `node`.
  void Lease(int j, const std::string& queue, const std::string& pc, const model::NodeInfo* node,
             const std::pair<std::string, std::string>& uniformity) {
    const model::QueuedJob& job = *s_.jobs[j];
    index_->Place(node, job.requests);
    leased_[j] = true;
    alloc_[queue].Add(job.requests);
    alloc_pc_[{queue, pc}].Add(job.requests);
    scheduled_.Add(job.requests);
    cycle_.limits.OnLease(queue);
    decision_.leases.push_back({job.id, job.queue, node->executor, node->name, node->pool,
                                uniformity.first, uniformity.second});
  }

  // The share a queue is entitled to: the larger of its fair share and its demand-capped
  // (water-filled) fair share.
  double EntitledShare(const std::string& queue) const {
    auto f = fair_share_.find(queue);
    auto a = adjusted_share_.find(queue);
    return std::max(f == fair_share_.end() ? 0 : f->second,
                    a == adjusted_share_.end() ? 0 : a->second);
  }

  // A way to place `job` of `queue` (class `pc`) by evicting running jobs, or nullopt.
  // Urgency: jobs of a lower priority, lowest first, then the most recently started.
  // Fair share (when the queue is below its share and the job would not itself be evicted
  // next cycle): preemptible jobs, not of a higher priority, of queues above the protected
  // fraction of their share, most recently started first, as long as every queue losing jobs
  // still costs more than this queue afterwards. Among nodes: the lowest highest evicted
  // priority, then the fewest jobs evicted, then the least share evicted, then the name.
  std::optional<PreemptionPlan> PlanPreemption(const model::QueuedJob& job,
                                               const std::string& queue, const std::string& pc) {
    const auto& cls = config_.priority_classes.at(pc);
    ResourceList with_job = Alloc(queue);
    with_job.Add(job.requests);
    const double share_after = Share(with_job);
    const double entitled = EntitledShare(queue);
    const bool fair_share_allowed =
        config_.enable_fair_share_preemption && Share(Alloc(queue)) < entitled &&
        (!cls.preemptible ||
         share_after <= config_.protected_fraction_of_fair_share * entitled + 1e-12) &&
        cycle_.limits.FairSharePreemptionAllows(1);
    const double cost_after = Cost(queue, with_job);
    std::optional<PreemptionPlan> best;
    for (const model::NodeInfo* node : *nodes_) {
      auto on_node = victims_on_node_.find(node);
      if (on_node == victims_on_node_.end() || StaticMismatch(job, *node)) continue;
      if (std::find(job.avoid_nodes.begin(), job.avoid_nodes.end(), node->name) !=
          job.avoid_nodes.end()) {
        continue;
      }
      auto plan = PlanOnNode(job, queue, cls.priority, fair_share_allowed, cost_after, node,
                             on_node->second);
      if (!plan) continue;
      if (!best || std::make_tuple(plan->highest_priority, plan->count, plan->evicted_share,
                                   -absl::ToUnixMicros(plan->oldest_start)) <
                       std::make_tuple(best->highest_priority, best->count, best->evicted_share,
                                       -absl::ToUnixMicros(best->oldest_start))) {
        best = std::move(plan);
      }
    }
    return best;
  }

  std::optional<PreemptionPlan> PlanOnNode(const model::QueuedJob& job, const std::string& queue,
                                           int32_t priority, bool fair_share_allowed,
                                           double cost_after, const model::NodeInfo* node,
                                           const std::vector<int>& on_node) {
    std::vector<int> urgency;
    std::vector<int> fair;
    for (int v : on_node) {
      const Victim& victim = victims_[v];
      if (victim.evicted) continue;
      if (victim.priority < priority) {
        urgency.push_back(v);
      } else if (fair_share_allowed && victim.preemptible && victim.priority <= priority &&
                 victim.job->queue != queue &&
                 Share(Alloc(victim.job->queue)) >
                     config_.protected_fraction_of_fair_share * EntitledShare(victim.job->queue)) {
        fair.push_back(v);
      }
    }
    auto recent_first = [this](int a, int b) {
      const Victim& x = victims_[a];
      const Victim& y = victims_[b];
      return std::make_tuple(x.priority, -absl::ToUnixMicros(x.job->started_at), x.job->id) <
             std::make_tuple(y.priority, -absl::ToUnixMicros(y.job->started_at), y.job->id);
    };
    std::sort(urgency.begin(), urgency.end(), recent_first);
    std::sort(fair.begin(), fair.end(), recent_first);

    PreemptionPlan plan;
    plan.node = node;
    ResourceList free = index_->Free(node);
    std::set<int> chosen;
    std::map<std::string, ResourceList> lost;  // queue -> what fair-share eviction takes
    auto take = [&](int v, bool by_fair_share) {
      for (int member : Expand(v)) {
        if (!chosen.insert(member).second) continue;
        const Victim& victim = victims_[member];
        if (victim.node == node) free.Add(victim.job->requests);
        if (by_fair_share) lost[victim.job->queue].Add(victim.job->requests);
        plan.victims.push_back(member);
        plan.highest_priority = std::max(plan.highest_priority, victim.priority);
        plan.evicted_share += Share(victim.job->requests);
        plan.oldest_start = std::min(plan.oldest_start, victim.job->started_at);
      }
    };
    for (int v : urgency) {
      if (job.requests.FitsWithin(free)) break;
      take(v, false);
    }
    if (!job.requests.FitsWithin(free)) {
      plan.fair_share = true;
      for (int v : fair) {
        if (job.requests.FitsWithin(free)) break;
        if (chosen.contains(v)) continue;
        // Only while the queue losing the job stays costlier than this one.
        ResourceList remaining = Alloc(victims_[v].job->queue);
        remaining.Subtract(lost[victims_[v].job->queue]);
        remaining.Subtract(victims_[v].job->requests);
        if (Cost(victims_[v].job->queue, remaining) < cost_after) continue;
        take(v, true);
      }
    }
    if (!job.requests.FitsWithin(free)) return std::nullopt;
    if (plan.fair_share &&
        !cycle_.limits.FairSharePreemptionAllows(static_cast<int>(plan.victims.size()))) {
      return std::nullopt;
    }
    plan.count = static_cast<int>(plan.victims.size());
    return plan;
  }

  // The victim and, for a gang member, the rest of its gang in this pool.
  std::vector<int> Expand(int v) const {
    const std::string& gang = victims_[v].job->gang_id;
    if (gang.empty()) return {v};
    return gang_victims_.at(gang);
  }

  // Evicts the plan's victims to make room for `job`.
  void Evict(const PreemptionPlan& plan, const model::QueuedJob& job) {
    for (int v : plan.victims) {
      Victim& victim = victims_[v];
      victim.evicted = true;
      if (victim.node != nullptr) index_->Remove(victim.node, victim.job->requests);
      alloc_[victim.job->queue].Subtract(victim.job->requests);
      alloc_pc_[{victim.job->queue, PriorityClassOf(victim.job->priority_class)}].Subtract(
          victim.job->requests);
      std::string reason =
          plan.fair_share &&
                  victim.priority >=
                      config_.priority_classes.at(PriorityClassOf(job.priority_class)).priority
              ? absl::StrCat("fair share: queue ", job.queue, " is below its fair share and ",
                             victim.job->queue, " above its")
              : absl::StrCat(
                    "urgency: priority ",
                    config_.priority_classes.at(PriorityClassOf(job.priority_class)).priority,
                    " over ", victim.priority);
      if (!victim.job->gang_id.empty()) {
        absl::StrAppend(&reason, " (gang ", victim.job->gang_id, " evicted whole)");
      }
      decision_.preemptions.push_back({victim.job->id, victim.job->queue, victim.job->executor,
                                       victim.job->node, pool_, job.id, std::move(reason)});
    }
    if (plan.fair_share) {
      cycle_.limits.OnFairSharePreemption(static_cast<int>(plan.victims.size()));
    }
  }

  // Tries to lease a whole gang; returns true when the round's limit stops the pool. Gangs
  // are placed without preempting anything. With a uniformity label, every value of it in the
  // pool is tried and the tightest fit wins.
  bool TryLeaseGang(const std::vector<int>& members, const model::QueueInfo& queue) {
    const model::QueuedJob& first = *s_.jobs[members[0]];
    const std::string pc = PriorityClassOf(first.priority_class);
    auto fail = [&](const std::string& reason) {
      for (int j : members) AddReason(j, absl::StrCat("gang ", first.gang_id, ": ", reason));
      return false;
    };
    if (!cycle_.limits.Allows(queue.name, static_cast<int>(members.size()))) {
      return fail("not enough scheduling rate tokens for the whole gang");
    }
    ResourceList total;
    for (int j : members) total.Add(s_.jobs[j]->requests);
    ResourceList in_class = alloc_pc_[{queue.name, pc}];
    in_class.Add(total);
    if (const auto* limits = LimitsOf(queue, pc)) {
      if (auto r = Exceeded(*limits, in_class)) {
        return fail(absl::StrCat("queue ", queue.name, " would exceed its ", *r,
                                 " limit for priority class ", pc));
      }
    }
    if (auto never = NeverFits(members)) {
      cycle_.never_fits[first.gang_id].push_back(absl::StrCat("pool ", pool_, ": ", *never));
      return fail(*never);
    }
    std::vector<std::string> values = {""};
    const std::string& label = first.gang_uniformity_label;
    if (!label.empty()) {
      std::set<std::string> seen;
      for (const model::NodeInfo* node : *nodes_) {
        auto it = node->labels.find(label);
        if (it != node->labels.end() && index_->Contains(node)) seen.insert(it->second);
      }
      if (seen.empty()) return fail(absl::StrCat("no node has the uniformity label ", label));
      values.assign(seen.begin(), seen.end());
    }
    // Tightness: what is left of the gang's dominant resource on the nodes it lands on.
    const std::string& dominant = DominantResourceOf(total);
    std::optional<std::pair<int64_t, std::string>> best;  // (free after, value)
    std::string why;
    for (const std::string& value : values) {
      auto placed = PlaceGang(members, label, value, &why);
      if (!placed) continue;
      int64_t free_after = 0;
      std::set<const model::NodeInfo*> used;
      for (const auto& [j, node] : *placed) {
        if (used.insert(node).second) free_after += index_->Free(node).Get(dominant);
      }
      for (const auto& [j, node] : *placed) index_->Remove(node, s_.jobs[j]->requests);
      if (!best || std::make_pair(free_after, value) < *best) best = {free_after, value};
    }
    if (!best) return fail(why);
    auto placed = PlaceGang(members, label, best->second, &why);
    for (const auto& [j, node] : *placed) {
      index_->Remove(node, s_.jobs[j]->requests);  // Lease places it again
      Lease(j, queue.name, pc, node,
            label.empty() ? std::pair<std::string, std::string>{}
                          : std::pair<std::string, std::string>{label, best->second});
    }
    return Exceeded(config_.maximum_resource_fraction_to_schedule, scheduled_).has_value();
  }

  // The fairness resource of which `amounts` is the largest share of the pool.
  const std::string& DominantResourceOf(const ResourceList& amounts) const {
    size_t best = 0;
    double largest = -1;
    for (size_t r = 0; r < config_.fairness_resources.size(); ++r) {
      const std::string& name = config_.fairness_resources[r].name;
      const int64_t total = total_.Get(name);
      if (total <= 0) continue;
      const double share = static_cast<double>(amounts.Get(name)) / static_cast<double>(total);
      if (share > largest) {
        largest = share;
        best = r;
      }
    }
    return config_.fairness_resources[best].name;
  }

  // Places every member (on nodes labelled label=value when label is set), or places none
  // and says why.
  std::optional<std::vector<std::pair<int, const model::NodeInfo*>>> PlaceGang(
      const std::vector<int>& members, const std::string& label, const std::string& value,
      std::string* why) {
    std::vector<std::pair<int, const model::NodeInfo*>> placed;
    for (int j : members) {
      model::QueuedJob member = *s_.jobs[j];
      if (!label.empty()) member.node_selector[label] = value;
      NodeIndex::Fit fit = index_->BestFit(member);
      if (fit.node == nullptr) {
        for (const auto& [k, node] : placed) index_->Remove(node, s_.jobs[k]->requests);
        *why = label.empty() ? fit.reason : absl::StrCat(label, "=", value, ": ", fit.reason);
        return std::nullopt;
      }
      index_->Place(fit.node, member.requests);
      placed.emplace_back(j, fit.node);
    }
    return placed;
  }

  // Why the gang could not be placed even on an empty pool, or nullopt.
  std::optional<std::string> NeverFits(const std::vector<int>& members) const {
    ResourceList capacity;  // of the nodes every member may use
    bool any_node = false;
    for (const model::NodeInfo* node : *nodes_) {
      if (!index_->Contains(node)) continue;
      bool all_match = true;
      for (int j : members) all_match = all_match && !StaticMismatch(*s_.jobs[j], *node);
      if (!all_match) continue;
      any_node = true;
      capacity.Add(node->allocatable);
    }
    if (!any_node) return std::nullopt;  // a static mismatch: reported as such, may change
    ResourceList total;
    for (int j : members) {
      total.Add(s_.jobs[j]->requests);
      bool fits_somewhere = false;
      for (const model::NodeInfo* node : *nodes_) {
        if (index_->Contains(node) && s_.jobs[j]->requests.FitsWithin(node->allocatable)) {
          fits_somewhere = true;
          break;
        }
      }
      if (!fits_somewhere) {
        return absl::StrCat("member ", s_.jobs[j]->id, " needs ", s_.jobs[j]->requests.ToString(),
                            ", more than any node has");
      }
    }
    if (!total.FitsWithin(capacity)) {
      return absl::StrCat("the gang needs ", total.ToString(), " in all, more than the pool's ",
                          capacity.ToString());
    }
    return std::nullopt;
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
    for (const auto& [name, a] : active_) {
      ResourceList alloc = Alloc(name);
      decision_.shares.push_back({pool_, name, a.weight, fair_share_.at(name),
                                  adjusted_share_.at(name), Share(alloc), usage_.at(name),
                                  Cost(name, alloc)});
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
  std::set<std::string> unpreemptable_;            // (key, queue, class): no room even so
  std::map<std::string, double> fair_share_;       // queue -> weight / total weight
  std::map<std::string, double> adjusted_share_;   // queue -> demand-capped fair share
  std::vector<Victim> victims_;
  std::map<const model::NodeInfo*, std::vector<int>> victims_on_node_;
  std::map<std::string, std::vector<int>> gang_victims_;  // gang id -> its running members
  const std::vector<const model::NodeInfo*>* nodes_ = nullptr;
  NodeIndex* index_ = nullptr;
};

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
      std::vector<bool>(s.jobs.size(), false), {}, internal::RoundLimits(config_, snapshot), {}, 0};
  for (const std::string& pool : pools) {
    PoolRound(config_, snapshot, s, pool, cycle, decision).Run();
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
      std::string reason = it == cycle.reasons.end() ? "no schedulable node in any pool"
                                                     : absl::StrJoin(it->second, "; ");
      decision.unscheduled.push_back({s.jobs[j]->id, std::move(reason)});
    }
  }
  return decision;
}

}  // namespace armada::scheduling
