#include "lib/scheduling/internal/pool_round.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "lib/scheduling/fair_share.h"
#include "lib/scheduling/internal/gang_placer.h"
#include "lib/scheduling/internal/gang_reservation.h"
#include "lib/scheduling/node_matching.h"

namespace armada::scheduling::internal {
namespace {

using model::ResourceList;

constexpr char kRoundFraction[] = "round reached maximum_resource_fraction_to_schedule";

double Weight(const model::QueueInfo& queue) {
  const double f = queue.priority_factor;
  return (std::isfinite(f) && f > 0) ? 1.0 / f : 1.0;
}

int64_t Cap(double fraction, int64_t total) {
  return static_cast<int64_t>(std::floor(fraction * static_cast<double>(total)));
}

// The resource of `limits` that `amounts` exceeds, if any. A fraction >= 1 cannot bind before
// the pool is full; skipping it keeps "no node has ... free" as the reason when a lone queue
// fills the pool.
std::optional<std::string> Exceeded(const std::map<std::string, double>& limits,
                                    const ResourceList& amounts, const ResourceList& total) {
  for (const auto& [resource, fraction] : limits) {
    if (fraction >= 1) continue;
    if (amounts.Get(resource) > Cap(fraction, total.Get(resource))) return resource;
  }
  return std::nullopt;
}

// The fairness resource of which `amounts` is the largest share of `total`.
std::string DominantResourceOf(const ResourceList& amounts, const ResourceList& total,
                               const std::vector<FairnessResource>& resources) {
  size_t best = 0;
  double largest = -1;
  for (size_t r = 0; r < resources.size(); ++r) {
    const int64_t t = total.Get(resources[r].name);
    if (t <= 0) continue;
    const double share = static_cast<double>(amounts.Get(resources[r].name)) / t;
    if (share > largest) {
      largest = share;
      best = r;
    }
  }
  return resources.empty() ? "" : resources[best].name;
}

}  // namespace

PoolRound::PoolRound(const FairShareConfig& config, const SchedulingSnapshot& snapshot,
                     const SortedSnapshot& sorted, std::string pool, CycleState& cycle,
                     Decision& decision)
    : config_(config),
      snapshot_(snapshot),
      s_(sorted),
      pool_(std::move(pool)),
      cycle_(cycle),
      decision_(decision) {}

void PoolRound::Run() {
  static const std::vector<const model::NodeInfo*> kNoNodes;
  auto pool_nodes = s_.pools.find(pool_);
  nodes_ = pool_nodes == s_.pools.end() ? kNoNodes : pool_nodes->second;
  ResourceList total;
  for (const model::NodeInfo* node : nodes_) {
    if (!node->unschedulable) total.Add(node->allocatable);
  }
  ledger_.emplace(total, config_.fairness_resources);
  AddRunningJobs(nodes_);
  UpdateUsage();
  if (nodes_.empty()) return;
  ++cycle_.pools_with_nodes;
  std::set<int32_t> priorities;
  for (const auto& [name, pc] : config_.priority_classes) priorities.insert(pc.priority);
  db_.emplace(nodes_, total, config_.fairness_resources, s_.indexed_labels, priorities);
  for (size_t j = 0; j < jobs_.size(); ++j) {
    Job& job = jobs_[j];
    if (job.node != nullptr && !db_->Contains(job.node)) job.node = nullptr;
    if (job.node != nullptr) {
      db_->Bind(static_cast<int>(j), job.node, &job.requests(), job.priority, job.preemptible);
    }
  }
  db_->Commit();
  SetUpQueues();

  std::map<std::string, std::vector<Gang>> queued_gangs;
  for (auto& [queue, queued] : queued_) queued_gangs[queue] = QueuedGangs(queued);
  if (config_.GangReservationsIn(pool_)) PlanReservation(queued_gangs);

  // 1 and 2: evict for balance, then reschedule with the queued jobs in fair order.
  // Without fair-share preemption nothing is evicted for balance: only urgency preempts.
  const std::vector<int> evicted =
      config_.enable_fair_share_preemption ? Evict(BalancingEvictions()) : std::vector<int>{};
  OrderEvicted(evicted);
  std::map<std::string, std::vector<Gang>> gangs = EvictedGangs(evicted);
  for (auto& [queue, list] : queued_gangs) {
    for (Gang& gang : list) gangs[queue].push_back(std::move(gang));
  }
  auto cost = [this](const std::string& queue, const ResourceList& with_gang) {
    return ledger_->CostWith(queue, with_gang);
  };
  CandidateGangs first(std::move(gangs), cost);
  SchedulePass(first);

  // 3: jobs displaced by urgency preemption get one more try, on their own nodes.
  db_->ClearEvictedOrder();
  const std::vector<int> displaced = Evict(OversubscribedEvictions());
  if (!displaced.empty()) {
    CandidateGangs second(EvictedGangs(displaced), cost);
    SchedulePass(second);
  }
  Finish();
  ReportShares();
}

void PoolRound::AddRunningJobs(const std::vector<const model::NodeInfo*>& nodes) {
  std::map<std::pair<std::string, std::string>, const model::NodeInfo*> node_at;
  for (const model::NodeInfo* node : nodes) node_at[{node->executor, node->name}] = node;
  auto run_it = s_.running.find(pool_);
  if (run_it == s_.running.end()) return;
  for (const model::RunningJob* r : run_it->second) {
    Job job;
    job.run = r;
    job.pc = r->priority_class.empty() ? config_.default_priority_class : r->priority_class;
    auto cls = config_.priority_classes.find(job.pc);
    if (cls != config_.priority_classes.end()) {
      job.priority = cls->second.priority;
      job.preemptible = cls->second.preemptible;
    }
    auto at = node_at.find({r->executor, r->node});
    job.node = at == node_at.end() ? nullptr : at->second;
    job.state = State::kBound;
    const int handle = static_cast<int>(jobs_.size());
    if (!r->gang_id.empty()) gang_members_[r->gang_id].push_back(handle);
    jobs_.push_back(std::move(job));
  }
}

// Decays the usage of every queue known in this pool to snapshot.now.
void PoolRound::UpdateUsage() {
  std::map<std::string, ResourceList> alloc;
  for (const Job& job : jobs_) alloc[job.queue()].Add(job.requests());
  std::set<std::string> names;
  for (const auto& [name, q] : s_.queues) names.insert(name);
  for (const auto& [name, a] : alloc) names.insert(name);
  for (const auto& [key, u] : snapshot_.usage) {
    if (key.pool == pool_) names.insert(key.queue);
  }
  const absl::Duration half_life = config_.HalfLifeOf(pool_);
  for (const std::string& name : names) {
    model::PoolQueue key{pool_, name};
    auto prev = snapshot_.usage.find(key);
    std::optional<model::QueueUsage> previous;
    if (prev != snapshot_.usage.end()) previous = prev->second;
    auto a = alloc.find(name);
    const double share = a == alloc.end() ? 0 : ledger_->Share(a->second);
    model::QueueUsage updated = DecayUsage(previous, share, snapshot_.now, half_life);
    decision_.usage[key] = updated;
    usage_[name] = half_life > absl::ZeroDuration() ? updated.decayed_share : 0;
  }
}

// Active queues (queued jobs not leased in an earlier pool, or running jobs here) join the
// ledger with their allocation; fair shares come from their demand.
void PoolRound::SetUpQueues() {
  std::map<std::string, bool> running;
  for (const Job& job : jobs_) running[job.queue()] = true;
  for (const auto& [name, info] : s_.queues) {
    std::vector<int> queued;
    if (auto c = s_.candidates.find(name); c != s_.candidates.end()) {
      for (int j : c->second) {
        if (!cycle_.leased[j]) queued.push_back(j);
      }
    }
    if (queued.empty() && !running.contains(name)) continue;
    ledger_->AddQueue(name, Weight(*info), usage_.at(name));
    if (!info->cordoned) queued_[name] = std::move(queued);
  }
  for (const Job& job : jobs_) {
    if (ledger_->HasQueue(job.queue())) ledger_->Add(job.queue(), job.pc, job.requests());
  }
  std::map<std::string, std::map<std::string, ResourceList>> running_by_class;  // queue -> pc
  for (const Job& job : jobs_) running_by_class[job.queue()][job.pc].Add(job.requests());
  std::map<std::string, double> constrained;
  for (const std::string& name : ledger_->Queues()) {
    auto q = queued_.find(name);
    const Demand demand = DemandShare(name, q == queued_.end() ? std::vector<int>{} : q->second,
                                      running_by_class[name]);
    demands_[name] = demand;
    constrained[name] = demand.constrained;
  }
  ledger_->SetFairShares(constrained);
}

// Demand: running allocation plus every job still queued; constrained: capped by the class limits.
PoolRound::Demand PoolRound::DemandShare(const std::string& name, const std::vector<int>& queued,
                                         std::map<std::string, ResourceList> by_class) const {
  const model::QueueInfo& info = *s_.queues.at(name);
  for (int j : queued) {
    const model::QueuedJob& job = *s_.jobs[j];
    by_class[job.priority_class.empty() ? config_.default_priority_class : job.priority_class].Add(
        job.requests);
  }
  ResourceList all;
  ResourceList demand;
  for (auto& [pc, amounts] : by_class) {
    all.Add(amounts);
    const std::map<std::string, double>* limits = nullptr;
    if (auto own = info.resource_limits_by_priority_class.find(pc);
        own != info.resource_limits_by_priority_class.end()) {
      limits = &own->second;
    } else if (auto cls = config_.priority_classes.find(pc);
               cls != config_.priority_classes.end()) {
      limits = &cls->second.maximum_resource_fraction_per_queue;
    }
    if (limits != nullptr) {
      for (const auto& [resource, fraction] : *limits) {
        const int64_t cap = Cap(fraction, ledger_->total().Get(resource));
        if (amounts.Get(resource) > cap) amounts.Set(resource, cap);
      }
    }
    demand.Add(amounts);
  }
  return {ledger_->Share(all), std::min(1.0, ledger_->Share(demand))};
}

// A queue's queued jobs as gangs, in queue order: single jobs, and complete gangs at the place of
// their first member. Members of incomplete gangs are reported and left out.
std::vector<Gang> PoolRound::QueuedGangs(const std::vector<int>& queued) {
  std::vector<std::vector<int>> entries;
  std::map<std::string, size_t> gang_entry;
  for (int j : queued) {
    const int handle = static_cast<int>(jobs_.size());
    Job job;
    job.spec = s_.jobs[j];
    job.sorted_index = j;
    job.pc = job.spec->priority_class.empty() ? config_.default_priority_class
                                              : job.spec->priority_class;
    const PriorityClass& cls = config_.priority_classes.at(job.pc);
    job.priority = cls.priority;
    job.preemptible = cls.preemptible;
    jobs_.push_back(std::move(job));
    if (!s_.jobs[j]->gang_id.empty()) gang_members_[s_.jobs[j]->gang_id].push_back(handle);
    if (s_.jobs[j]->gang_id.empty()) {
      entries.push_back({handle});
      continue;
    }
    auto [it, inserted] = gang_entry.emplace(s_.jobs[j]->gang_id, entries.size());
    if (inserted) entries.emplace_back();
    entries[it->second].push_back(handle);
  }
  std::vector<Gang> gangs;
  for (auto& members : entries) {
    const model::QueuedJob& first = *jobs_[members[0]].spec;
    if (!first.gang_id.empty() && static_cast<int>(members.size()) < first.gang_cardinality) {
      for (int m : members) {
        AddReason(m, {UnscheduledKind::kIncompleteGang,
                      absl::StrCat("gang ", first.gang_id, " is incomplete: ", members.size(),
                                   " of ", first.gang_cardinality, " members queued")});
      }
      continue;
    }
    Gang gang;
    gang.queue = first.queue;
    gang.priority = std::numeric_limits<int32_t>::max();
    for (int m : members) {
      gang.priority = std::min(gang.priority, jobs_[m].priority);
      gang.total.Add(jobs_[m].requests());
    }
    gang.members = std::move(members);
    gangs.push_back(std::move(gang));
  }
  return gangs;
}

// Holds nodes for the queued gang that has waited longest (the lowest submit_seq), so that it
// starts when they drain (gang_reservation.h).
void PoolRound::PlanReservation(const std::map<std::string, std::vector<Gang>>& queued_gangs) {
  const Gang* oldest = nullptr;
  auto age = [this](const Gang& g) {
    const model::QueuedJob& first = *jobs_[g.members[0]].spec;
    return std::make_pair(first.submit_seq, first.id);
  };
  for (const auto& [queue, list] : queued_gangs) {
    for (const Gang& gang : list) {
      if (gang.members.size() > 1 && (oldest == nullptr || age(gang) < age(*oldest)) &&
          WithinFairShare(gang) && WithinLimits(gang)) {
        oldest = &gang;
      }
    }
  }
  if (oldest == nullptr) return;
  std::vector<const model::QueuedJob*> members;
  for (int j : oldest->members) members.push_back(jobs_[j].spec);
  std::vector<Release> releases;
  absl::Time next_release = absl::InfiniteFuture();
  for (const Job& job : jobs_) {
    if (job.run == nullptr || job.node == nullptr) continue;
    Release r{job.node, &job.requests(), absl::InfiniteFuture()};
    if (job.run->runtime_bound > absl::ZeroDuration()) {
      r.at = job.run->started_at + job.run->runtime_bound;
      if (r.at > snapshot_.now) next_release = std::min(next_release, r.at);
    }
    releases.push_back(r);
  }
  std::optional<ReservationPlan> plan = PlanGangReservation(*db_, members, releases, snapshot_.now);
  // Held even when the gang fits now: the fair order could otherwise give its room to smaller
  // jobs first, as it did each time nodes drained.
  if (!plan) return;
  reservation_.emplace();
  reservation_->members.insert(oldest->members.begin(), oldest->members.end());
  reservation_->start = plan->start;
  GangReservation out{pool_, members.front()->gang_id, oldest->queue, {}, plan->start};
  reservation_->nodes = plan->nodes;
  for (const model::NodeInfo* node : plan->nodes) out.nodes.push_back(node->name);
  std::sort(out.nodes.begin(), out.nodes.end());
  reservation_->gang_id = out.gang_id;
  decision_.reservations.push_back(std::move(out));
  // The projected start moves once a bound passes: the same inputs may then decide otherwise.
  decision_.revisit_at = std::min(decision_.revisit_at, next_release);
}

// Whether the gang's queue is served below what it is entitled to (max of fair and adjusted fair
// share): nodes are held only for a queue that needs them to get its share, not for one that
// already holds it (a wide gang may still take its queue above).
bool PoolRound::WithinFairShare(const Gang& gang) const {
  return ledger_->ActualShare(gang.queue) < ledger_->EntitledShare(gang.queue);
}

// Whether limits other than free nodes let the gang run now (a gang held back by its queue's
// limit or by rate tokens must not hold nodes idle).
bool PoolRound::WithinLimits(const Gang& gang) {
  const model::QueueInfo& info = *s_.queues.at(gang.queue);
  const std::string& pc = jobs_[gang.members[0]].pc;
  auto own = info.resource_limits_by_priority_class.find(pc);
  const std::map<std::string, double>& limits =
      own != info.resource_limits_by_priority_class.end()
          ? own->second
          : config_.priority_classes.at(pc).maximum_resource_fraction_per_queue;
  ResourceList in_class = ledger_->InClass(gang.queue, pc);
  in_class.Add(gang.total);
  if (Exceeded(limits, in_class, ledger_->total())) return false;
  return cycle_.limits.Allows(gang.queue, static_cast<int>(gang.members.size()));
}

// The nodes `job` must keep off under the reservation, or nullptr: a job the reservation could
// not wait for (no runtime bound, or one ending after the gang's projected start).
const std::set<const model::NodeInfo*>* PoolRound::HeldFrom(int j) const {
  if (!reservation_ || reservation_->members.contains(j)) return nullptr;
  const model::QueuedJob* spec = jobs_[j].spec;
  if (spec->runtime_bound > absl::ZeroDuration() &&
      snapshot_.now + spec->runtime_bound <= reservation_->start) {
    return nullptr;  // backfill: done before the gang can start
  }
  return &reservation_->nodes;
}

std::vector<int> PoolRound::BalancingEvictions() const {
  std::vector<int> out;
  for (size_t j = 0; j < jobs_.size(); ++j) {
    const Job& job = jobs_[j];
    if (job.run == nullptr || job.node == nullptr || !job.preemptible) continue;
    if (!ledger_->HasQueue(job.queue())) continue;
    const double entitled = ledger_->EntitledShare(job.queue());
    const double actual = ledger_->ActualShare(job.queue());
    // Protected: at most protected_fraction_of_fair_share of what it is entitled to.
    if (actual <= config_.protected_fraction_of_fair_share * entitled) continue;
    out.push_back(static_cast<int>(j));
  }
  return out;
}

std::vector<int> PoolRound::OversubscribedEvictions() const {
  std::vector<int> out;
  for (const model::NodeInfo* node : nodes_) {
    const std::vector<int32_t> over = db_->OversubscribedPriorities(node);
    if (over.empty()) continue;
    for (int j : db_->JobsOn(node)) {
      if (db_->IsEvicted(j) || !jobs_[j].preemptible) continue;
      if (std::find(over.begin(), over.end(), db_->PriorityOf(j)) != over.end()) out.push_back(j);
    }
  }
  return out;
}

// Evicts `jobs` and the rest of their gangs; returns every job evicted.
std::vector<int> PoolRound::Evict(const std::vector<int>& jobs) {
  std::set<int> all(jobs.begin(), jobs.end());
  for (int j : jobs) {
    auto gang = gang_members_.find(jobs_[j].gang_id());
    if (gang != gang_members_.end()) all.insert(gang->second.begin(), gang->second.end());
  }
  std::vector<int> evicted;
  for (int j : all) {
    Job& job = jobs_[j];
    if (job.state != State::kBound || !db_->IsBound(j) || db_->IsEvicted(j)) continue;
    db_->Evict(j);
    if (ledger_->HasQueue(job.queue())) ledger_->Subtract(job.queue(), job.pc, job.requests());
    if (job.spec != nullptr) scheduled_.Subtract(job.requests());
    job.state = State::kEvicted;
    evicted.push_back(j);
  }
  db_->Commit();
  return evicted;
}

// The evicted jobs of each queue as gangs, in the order they are rescheduled in: higher class
// priority, lower job priority, longest running, submission order, id.
std::map<std::string, std::vector<Gang>> PoolRound::EvictedGangs(
    const std::vector<int>& evicted) const {
  std::vector<int> ordered;
  for (int j : evicted) {
    if (jobs_[j].state == State::kEvicted) ordered.push_back(j);
  }
  auto key = [this](int j) {
    const Job& job = jobs_[j];
    const uint32_t priority = job.run ? job.run->priority : job.spec->priority;
    const int64_t seq = job.run ? job.run->submit_seq : job.spec->submit_seq;
    const absl::Time started = job.run ? job.run->started_at : snapshot_.now;
    return std::make_tuple(-job.priority, priority, started, seq, job.id());
  };
  std::sort(ordered.begin(), ordered.end(), [&](int a, int b) { return key(a) < key(b); });
  std::map<std::string, std::vector<Gang>> out;
  std::map<std::string, size_t> gang_at;  // gang id -> index in its queue's list
  for (int j : ordered) {
    const Job& job = jobs_[j];
    std::vector<Gang>& list = out[job.queue()];
    Gang* gang = nullptr;
    if (!job.gang_id().empty()) {
      auto [it, inserted] = gang_at.emplace(job.gang_id(), list.size());
      if (!inserted) gang = &list[it->second];
    }
    if (gang == nullptr) {
      list.emplace_back();
      gang = &list.back();
      gang->queue = job.queue();
      gang->evicted = true;
      gang->priority = std::numeric_limits<int32_t>::max();
    }
    gang->members.push_back(j);
    gang->priority = std::min(gang->priority, job.priority);
    gang->total.Add(job.requests());
  }
  return out;
}

// Numbers the evicted jobs in the order the fair order would reschedule them if no new job
// competed (Armada's addEvictedJobsToNodeDb), for fair-share preemption to read from the back.
void PoolRound::OrderEvicted(const std::vector<int>& evicted) {
  FairnessLedger scratch = *ledger_;
  CandidateGangs order(EvictedGangs(evicted),
                       [&scratch](const std::string& queue, const ResourceList& with_gang) {
                         return scratch.HasQueue(queue) ? scratch.CostWith(queue, with_gang) : 0;
                       });
  int next = 0;
  while (const Gang* gang = order.Peek()) {
    for (int j : gang->members) db_->SetEvictedOrder(j, next++);
    if (scratch.HasQueue(gang->queue)) scratch.Add(gang->queue, "", gang->total);
    order.Next();
  }
}

void PoolRound::SchedulePass(CandidateGangs& candidates) {
  bool preemption_limit_hit = false;
  bool resumed = false;
  while (true) {
    if (!preemption_limit_hit && !cycle_.limits.FairSharePreemptionAllows(1)) {
      // Out of fair-share preemptions: put back what was evicted before anything new.
      preemption_limit_hit = true;
      candidates.OnlyEvicted();
    }
    const Gang* gang = candidates.Peek();
    if (gang == nullptr) {
      if (preemption_limit_hit && !resumed && !stopped_) {
        resumed = true;
        candidates.ResumeNew();
        continue;
      }
      break;
    }
    const std::string queue = gang->queue;
    std::optional<Reason> stop = TryGang(*gang);
    candidates.Next();
    if (!stop) continue;
    if (stop->kind == UnscheduledKind::kRoundLimit) {
      stopped_ = stop;
      candidates.OnlyEvicted();
    } else {
      queue_stopped_[queue] = *stop;
      candidates.OnlyEvictedFor(queue);
    }
  }
  // New gangs never tried get the reason they were not.
  for (const auto& [queue, queued] : queued_) {
    for (const Gang* gang : candidates.Remaining(queue)) {
      if (gang->evicted) continue;
      auto q = queue_stopped_.find(queue);
      const Reason reason = stopped_ ? *stopped_
                            : q != queue_stopped_.end()
                                ? q->second
                                : Reason{UnscheduledKind::kRoundLimit, "not considered"};
      for (int j : gang->members) AddReason(j, reason);
    }
  }
}

std::vector<int> PoolRound::EvictedSiblings(int job) const {
  std::vector<int> out;
  auto gang = gang_members_.find(jobs_[job].gang_id());
  if (gang == gang_members_.end()) return out;
  for (int k : gang->second) {
    if (k != job && jobs_[k].state == State::kEvicted) out.push_back(k);
  }
  return out;
}

// Why the gang could not be placed even on an empty pool, or nullopt.
std::optional<std::string> PoolRound::NeverFits(const Gang& gang) const {
  // Members with equal constraints match the same nodes: test one of each (gangs are usually
  // uniform, so this is one member, not all of them, per node).
  std::vector<int> distinct;
  std::set<std::string> keys;
  for (int j : gang.members) {
    if (keys.insert(SchedulingKey(*jobs_[j].spec)).second) distinct.push_back(j);
  }
  ResourceList capacity;  // of the nodes every member may use
  bool any_node = false;
  for (const model::NodeInfo* node : nodes_) {
    if (!db_->Contains(node)) continue;
    bool all_match = true;
    for (int j : distinct) all_match = all_match && !StaticMismatch(*jobs_[j].spec, *node);
    if (!all_match) continue;
    any_node = true;
    capacity.Add(node->allocatable);
  }
  if (!any_node) return std::nullopt;  // a static mismatch: reported as such, may change
  for (int j : distinct) {
    const ResourceList& requests = jobs_[j].requests();
    const bool fits_somewhere = std::any_of(nodes_.begin(), nodes_.end(), [&](auto* node) {
      return db_->Contains(node) && requests.FitsWithin(node->allocatable);
    });
    if (!fits_somewhere) {
      return absl::StrCat("member ", jobs_[j].id(), " needs ", requests.ToString(),
                          ", more than any node has");
    }
  }
  if (!gang.total.FitsWithin(capacity)) {
    return absl::StrCat("the gang needs ", gang.total.ToString(), " in all, more than the pool's ",
                        capacity.ToString());
  }
  return std::nullopt;
}

// Checks of a new gang before placement (Armada's round and job constraints). Returns the
// reason it cannot be tried, with the kind telling whether the round or the queue stops.
std::optional<Reason> PoolRound::CheckNewGang(const Gang& gang) {
  if (stopped_) return stopped_;
  if (auto stop = cycle_.limits.RoundStop()) return Reason{UnscheduledKind::kRoundLimit, *stop};
  const Job& first = jobs_[gang.members[0]];
  const int n = static_cast<int>(gang.members.size());
  if (!cycle_.limits.QueueAllows(gang.queue)) {
    return Reason{UnscheduledKind::kRateLimit, kQueueRateLimitReason};
  }
  if (n > 1 && !cycle_.limits.Allows(gang.queue, n)) {
    return Reason{UnscheduledKind::kRateLimit,
                  absl::StrCat("gang ", first.gang_id(),
                               ": not enough scheduling rate tokens for the whole gang")};
  }
  const model::QueueInfo& info = *s_.queues.at(gang.queue);
  const std::map<std::string, double>* limits = nullptr;
  if (auto own = info.resource_limits_by_priority_class.find(first.pc);
      own != info.resource_limits_by_priority_class.end()) {
    limits = &own->second;
  } else {
    limits = &config_.priority_classes.at(first.pc).maximum_resource_fraction_per_queue;
  }
  ResourceList in_class = ledger_->InClass(gang.queue, first.pc);
  in_class.Add(gang.total);
  if (auto r = Exceeded(*limits, in_class, ledger_->total())) {
    std::string text = absl::StrCat("queue ", gang.queue, " would exceed its ", *r,
                                    " limit for priority class ", first.pc);
    if (n > 1) text = absl::StrCat("gang ", first.gang_id(), ": ", text);
    return Reason{UnscheduledKind::kQueueLimit, std::move(text)};
  }
  return std::nullopt;
}

std::optional<Reason> PoolRound::TryGang(const Gang& gang) {
  for (int j : gang.members) {
    if (jobs_[j].state == State::kPreempted) return std::nullopt;  // not back this cycle
  }
  const Job& first = jobs_[gang.members[0]];
  const bool single = gang.members.size() == 1 && first.gang_id().empty();
  std::string key;
  if (!gang.evicted) {
    if (std::optional<Reason> problem = CheckNewGang(gang)) {
      for (int j : gang.members) AddReason(j, *problem);
      const bool terminal =
          problem->kind == UnscheduledKind::kRoundLimit || problem->text == kQueueRateLimitReason;
      return terminal ? problem : std::nullopt;
    }
    if (!single) {
      if (auto never = NeverFits(gang)) {
        cycle_.never_fits[first.gang_id()].push_back(absl::StrCat("pool ", pool_, ": ", *never));
        for (int j : gang.members) {
          AddReason(j,
                    {UnscheduledKind::kGang, absl::StrCat("gang ", first.gang_id(), ": ", *never)});
        }
        return std::nullopt;
      }
    }
    if (single) {
      key = absl::StrCat(SchedulingKey(*first.spec), "|", first.pc,
                         HeldFrom(gang.members[0]) != nullptr ? "|held" : "");
      if (auto known = infeasible_.find(key); known != infeasible_.end()) {
        AddReason(gang.members[0], known->second);
        return std::nullopt;
      }
    }
  }

  GangRequest request;
  request.dominant_resource =
      DominantResourceOf(gang.total, ledger_->total(), config_.fairness_resources);
  if (!single && !gang.evicted) request.uniformity_label = first.spec->gang_uniformity_label;
  for (int j : gang.members) {
    const Job& job = jobs_[j];
    PlacementRequest member;
    member.job = j;
    member.requests = &job.requests();
    member.priority = job.priority;
    member.preemptible = job.preemptible;
    if (job.state == State::kEvicted) {
      member.assigned = db_->NodeOf(j);
    } else {
      member.spec = job.spec;
      member.excluded = HeldFrom(j);
    }
    request.members.push_back(member);
  }
  GangPlacement placed = PlaceGang(*db_, request, config_.enable_fair_share_preemption,
                                   [this](int job) { return EvictedSiblings(job); });
  if (!placed.ok) {
    db_->Commit();
    if (gang.evicted) return std::nullopt;
    Reason reason{
        single ? UnscheduledKind::kNoFit : UnscheduledKind::kGang,
        single ? placed.reason : absl::StrCat("gang ", first.gang_id(), ": ", placed.reason)};
    if (reservation_ && !reservation_->members.contains(gang.members[0])) {
      absl::StrAppend(&reason.text, " (", reservation_->nodes.size(), " nodes are held for gang ",
                      reservation_->gang_id, ")");
    }
    if (single) infeasible_.emplace(key, reason);
    for (int j : gang.members) AddReason(j, reason);
    return std::nullopt;
  }
  db_->Commit();
  for (const auto& [j, where] : placed.members) {
    Job& job = jobs_[j];
    if (job.spec != nullptr && job.state == State::kQueued) {
      cycle_.limits.OnLease(job.queue());
      scheduled_.Add(job.requests());
      job.uniformity_label = request.uniformity_label;
      job.uniformity_value = placed.uniformity_value;
    }
    if (job.state == State::kQueued) placed_.push_back(j);
    job.state = State::kBound;
    job.node = where.node;
    if (ledger_->HasQueue(job.queue())) ledger_->Add(job.queue(), job.pc, job.requests());
    if (where.method == Placement::Method::kUrgency) urgent_on_node_[where.node] = j;
  }
  for (const auto& [victim, by] : placed.preempted) {
    jobs_[victim].state = State::kPreempted;
    jobs_[victim].preempted_by = by;
  }
  cycle_.limits.OnFairSharePreemption(static_cast<int>(placed.preempted.size()));
  if (!gang.evicted &&
      Exceeded(config_.maximum_resource_fraction_to_schedule, scheduled_, ledger_->total())) {
    return Reason{UnscheduledKind::kRoundLimit, kRoundFraction};
  }
  return std::nullopt;
}

std::string PoolRound::PreemptionReason(const Job& victim) const {
  std::string reason;
  if (victim.preempted_by >= 0) {
    const Job& by = jobs_[victim.preempted_by];
    reason = absl::StrCat("fair share: queue ", victim.queue(),
                          " is above its protected share of the pool");
    if (by.priority > victim.priority) {
      absl::StrAppend(&reason, " (priority ", by.priority, " over ", victim.priority, ")");
    }
  } else if (auto u = urgent_on_node_.find(victim.node); u != urgent_on_node_.end()) {
    const Job& by = jobs_[u->second];
    reason = absl::StrCat("urgency: priority ", by.priority, " over ", victim.priority);
  } else {
    reason = absl::StrCat("fair share: queue ", victim.queue(),
                          " is above its protected share of the pool and the job could not be "
                          "rescheduled");
  }
  if (!victim.gang_id().empty()) {
    absl::StrAppend(&reason, " (gang ", victim.gang_id(), " preempted whole)");
  }
  return reason;
}

void PoolRound::Finish() {
  for (size_t j = 0; j < jobs_.size(); ++j) {
    Job& job = jobs_[j];
    if (job.state == State::kEvicted) job.state = State::kPreempted;
    if (job.run != nullptr && job.state == State::kPreempted) {
      std::string preempting;
      if (job.preempted_by >= 0) {
        preempting = jobs_[job.preempted_by].id();
      } else if (auto u = urgent_on_node_.find(job.node); u != urgent_on_node_.end()) {
        preempting = jobs_[u->second].id();
      }
      decision_.preemptions.push_back({job.run->id, job.run->queue, job.run->executor,
                                       job.run->node, pool_, preempting, PreemptionReason(job)});
      continue;
    }
    if (job.spec != nullptr && job.state == State::kPreempted) {
      AddReason(static_cast<int>(j),
                {UnscheduledKind::kDisplaced,
                 absl::StrCat("placed on ", job.node->name,
                              ", then displaced by a job of a higher priority")});
    }
  }
  for (int j : placed_) {  // in the order they were placed
    const Job& job = jobs_[j];
    if (job.state != State::kBound) continue;
    cycle_.leased[job.sorted_index] = true;
    decision_.leases.push_back({job.spec->id, job.spec->queue, job.node->executor, job.node->name,
                                job.node->pool, job.uniformity_label, job.uniformity_value});
  }
}

void PoolRound::AddReason(int job, Reason reason) {
  reason.text = absl::StrCat("pool ", pool_, ": ", reason.text);
  cycle_.reasons[jobs_[job].sorted_index].push_back(std::move(reason));
}

void PoolRound::ReportShares() {
  for (const std::string& name : ledger_->Queues()) {
    const Demand& demand = demands_.at(name);
    decision_.shares.push_back({pool_, name, ledger_->Weight(name), ledger_->FairShare(name),
                                ledger_->AdjustedFairShare(name), ledger_->ActualShare(name),
                                ledger_->Usage(name), ledger_->Cost(name), demand.all,
                                demand.constrained});
  }
}

}  // namespace armada::scheduling::internal
