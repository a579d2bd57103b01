#include "lib/scheduling/internal/node_selector.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "lib/scheduling/node_matching.h"

namespace armada::scheduling::internal {
namespace {

Placement Bound(NodeDb& db, const PlacementRequest& r, const model::NodeInfo* node,
                Placement::Method method, int32_t preempted_at) {
  db.Bind(r.job, node, r.requests, r.priority, r.preemptible);
  Placement p;
  p.node = node;
  p.method = method;
  p.preempted_at = preempted_at;
  return p;
}

bool MayRunOn(const model::QueuedJob& job, const model::NodeInfo& node) {
  if (StaticMismatch(job, node)) return false;
  return std::find(job.avoid_nodes.begin(), job.avoid_nodes.end(), node.name) ==
         job.avoid_nodes.end();
}

// Step 3 of the header: the node where stopping the evicted jobs furthest back in the evicted
// order makes room, or a placement with no node.
Placement FairSharePreemption(NodeDb& db, const PlacementRequest& r) {
  struct Candidate {
    model::ResourceList free;
    std::vector<int> evicted;
    bool excluded = false;
  };
  std::map<const model::NodeInfo*, Candidate> candidates;
  const auto& order = db.EvictedByOrder();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const int victim = it->second;
    if (db.PriorityOf(victim) > r.priority) continue;  // never a higher priority
    const model::NodeInfo* node = db.NodeOf(victim);
    auto [c, inserted] = candidates.try_emplace(node);
    if (inserted) c->second.free = db.FreeAt(node, NodeDb::kEvictedLevel);
    Candidate& candidate = c->second;
    if (candidate.excluded) continue;
    candidate.free.Add(db.RequestsOf(victim));
    candidate.evicted.push_back(victim);
    if (!r.requests->FitsWithin(candidate.free)) continue;
    if (!MayRunOn(*r.spec, *node) || (r.excluded != nullptr && r.excluded->contains(node))) {
      candidate.excluded = true;
      continue;
    }
    int32_t highest = NodeDb::kEvictedLevel;
    for (int v : candidate.evicted) {
      highest = std::max(highest, db.PriorityOf(v));
      db.Unbind(v);
    }
    Placement p = Bound(db, r, node, Placement::Method::kFairShare, highest);
    p.preempted = std::move(candidate.evicted);
    return p;
  }
  return {};
}

}  // namespace

Placement SelectNode(NodeDb& db, const PlacementRequest& r, bool fair_share_preemption) {
  if (r.assigned != nullptr) {
    if (db.Contains(r.assigned) && r.requests->FitsWithin(db.FreeAt(r.assigned, r.priority))) {
      return Bound(db, r, r.assigned, Placement::Method::kRescheduled, NodeDb::kEvictedLevel);
    }
    Placement p;
    p.reason = absl::StrCat("no longer fits on its node ", r.assigned->name);
    return p;
  }
  NodeIndex::Fit fit = db.BestFitAt(NodeDb::kEvictedLevel, *r.spec, r.excluded);
  if (fit.node != nullptr) {
    return Bound(db, r, fit.node, Placement::Method::kWithoutPreemption, NodeDb::kEvictedLevel);
  }
  Placement none;
  none.reason = fit.reason;
  if (db.BestFitAt(r.priority, *r.spec, r.excluded).node == nullptr) return none;
  if (fair_share_preemption) {
    Placement p = FairSharePreemption(db, r);
    if (p.node != nullptr) return p;
  }
  for (int32_t level : db.Priorities()) {
    if (level > r.priority) break;
    NodeIndex::Fit urgent = db.BestFitAt(level, *r.spec, r.excluded);
    if (urgent.node != nullptr) {
      return Bound(db, r, urgent.node, Placement::Method::kUrgency, level);
    }
  }
  return none;
}

}  // namespace armada::scheduling::internal
