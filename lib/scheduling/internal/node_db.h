#pragma once

// NodeDb: one pool's nodes and the jobs bound to them, with what is free at each priority level,
// as Armada's nodedb keeps it. Module-private.
//
// Levels: the evicted level, then one per priority of the pool's priority classes. A job bound
// at priority p with cutoff c (c = p for preemptible jobs, kNonPreemptible otherwise) counts at
// every level <= c: a job of priority q > c sees it as free (urgency preemption). An evicted job
// counts at the evicted level only: at the evicted level a node shows what is free if every
// evicted job comes back; at any other level evicted jobs are free. Each level is a NodeIndex, so
// best fit at a level costs what NodeIndex::BestFit costs.
//
// Mutations are journaled: Rollback(Checkpoint()) undoes everything after the checkpoint (a gang
// that does not fit whole leaves no trace). Not thread-safe.

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "lib/model/resource_list.h"
#include "lib/model/scheduling_types.h"
#include "lib/scheduling/fair_share_config.h"
#include "lib/scheduling/node_index.h"

namespace armada::scheduling::internal {

class NodeDb {
 public:
  static constexpr int32_t kEvictedLevel = std::numeric_limits<int32_t>::min();
  static constexpr int32_t kNonPreemptible = std::numeric_limits<int32_t>::max();

  // nodes: the pool's nodes (unschedulable ones are left out); NodeInfo::allocated counts at
  // every level. priorities: those of the pool's priority classes. Borrows the nodes.
  NodeDb(const std::vector<const model::NodeInfo*>& nodes, const model::ResourceList& total,
         const std::vector<FairnessResource>& resources,
         const std::set<std::string>& indexed_labels, const std::set<int32_t>& priorities);

  bool Contains(const model::NodeInfo* node) const { return levels_[0].index.Contains(node); }

  // Bind(job, node, requests, priority, preemptible): `job` (a caller's handle, a small int >= 0)
  // runs on `node`.
  // An evicted job comes back (on its node); REQUIRES otherwise that `job` is not bound.
  // `requests` is borrowed and must stay valid while the job is bound.
  void Bind(int job, const model::NodeInfo* node, const model::ResourceList* requests,
            int32_t priority, bool preemptible);
  // Evict(job): the job's resources are free at every level but the evicted one.
  // REQUIRES: bound, not evicted.
  void Evict(int job);
  // Unbind(job): the job leaves its node. REQUIRES: bound.
  void Unbind(int job);

  bool IsBound(int job) const { return Find(job) != nullptr; }
  bool IsEvicted(int job) const;
  const model::NodeInfo* NodeOf(int job) const { return At(job).node; }
  int32_t PriorityOf(int job) const { return At(job).priority; }
  const model::ResourceList& RequestsOf(int job) const { return *At(job).requests; }
  // The jobs bound on `node`, evicted ones included.
  std::vector<int> JobsOn(const model::NodeInfo* node) const;

  // The place of an evicted job in the order in which evicted jobs would be rescheduled.
  // Fair-share preemption stops those furthest back from coming back. REQUIRES: evicted.
  void SetEvictedOrder(int job, int order);
  // Forgets every evicted order (evicted jobs stay evicted), also in the journal.
  void ClearEvictedOrder();
  // (order, job) of evicted jobs with an order, still evicted.
  const std::set<std::pair<int, int>>& EvictedByOrder() const { return by_order_; }

  // Best fit for `job` at the level of `priority` (kEvictedLevel: without preempting anything).
  // REQUIRES (here and below): priority is kEvictedLevel or one of the constructor's priorities.
  NodeIndex::Fit BestFitAt(int32_t priority, const model::QueuedJob& job,
                           const std::set<const model::NodeInfo*>* excluded = nullptr) const;
  // What is free on `node` at the level of `priority`. REQUIRES: Contains(node).
  const model::ResourceList& FreeAt(const model::NodeInfo* node, int32_t priority) const;
  // The priorities (above the evicted level) at which `node` is oversubscribed.
  std::vector<int32_t> OversubscribedPriorities(const model::NodeInfo* node) const;
  // The level priorities above the evicted level, ascending.
  std::vector<int32_t> Priorities() const;
  const std::vector<const model::NodeInfo*>& nodes() const { return nodes_; }

  size_t Checkpoint() const { return journal_.size(); }
  void Rollback(size_t checkpoint);
  // Drops the journal (nothing before this point can be rolled back any more).
  void Commit() { journal_.clear(); }

 private:
  struct Bound {
    const model::NodeInfo* node = nullptr;
    const model::ResourceList* requests = nullptr;
    int32_t priority = 0;
    int32_t cutoff = 0;
    bool evicted = false;
    int order = -1;  // -1: none
  };
  struct Level {
    int32_t priority;
    NodeIndex index;
  };

  // Makes `job`'s state `target` (nullopt: unbound), journaling the previous state.
  void Set(int job, std::optional<Bound> target, bool journal = true);
  void Count(const Bound& b, bool add);
  const Level& LevelOf(int32_t priority) const;

  std::vector<const model::NodeInfo*> nodes_;
  std::vector<Level> levels_;  // ascending priority; [0] is the evicted level
  // By handle (handles are small non-negative ints): nullopt = not bound.
  const Bound* Find(int job) const {
    return job >= 0 && job < static_cast<int>(jobs_.size()) && jobs_[job] ? &*jobs_[job] : nullptr;
  }
  const Bound& At(int job) const { return *jobs_.at(job); }
  Bound& At(int job) { return *jobs_.at(job); }

  std::vector<std::optional<Bound>> jobs_;
  std::map<const model::NodeInfo*, std::set<int>> on_node_;
  std::set<std::pair<int, int>> by_order_;
  std::vector<std::pair<int, std::optional<Bound>>> journal_;  // (job, state before)
};

}  // namespace armada::scheduling::internal
