#pragma once

// SelectNode: where one job goes, as Armada's nodedb chooses (SelectNodeForJobWithTxn).
// Module-private.
//
// A rescheduled (evicted) job may only go back to its own node, at its own priority. Any other
// job tries, in order, and stops at the first that works:
//   1. fits without preempting anything: best fit at the evicted level;
//   2. (no node fits at its own priority, where lower-priority and evicted jobs count as free:
//      the job cannot be placed at all, and the rest is skipped);
//   3. fair-share preemption: walk the evicted jobs from the last in the evicted order (the job
//      the fair order would reschedule last) forwards, skipping jobs of a higher priority, adding
//      each to what its node would have free; the first node where the job then fits (and may
//      run) is chosen, and the evicted jobs counted on it are stopped from coming back;
//   4. urgency preemption: best fit at each priority level from the lowest up to the job's own,
//      where jobs bound below that level count as free. What it displaces is found afterwards:
//      the node is oversubscribed at their level (NodeDb::OversubscribedPriorities).
// On success the job is bound on the chosen node and fair-share victims are unbound.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "lib/model/resource_list.h"
#include "lib/model/scheduling_types.h"
#include "lib/scheduling/internal/node_db.h"

namespace armada::scheduling::internal {

struct Placement {
  enum class Method { kNone, kRescheduled, kWithoutPreemption, kFairShare, kUrgency };
  const model::NodeInfo* node = nullptr;  // nullptr: not placed
  Method method = Method::kNone;
  // The level it fit at: kEvictedLevel without preemption, else the highest priority it
  // preempts (Armada's PreemptedAtPriority).
  int32_t preempted_at = NodeDb::kEvictedLevel;
  std::vector<int> preempted;  // fair share: the evicted jobs that cannot come back
  std::string reason;          // when not placed: why
};

// The job to place. `spec` is null for a rescheduled job (then `assigned` is its node).
struct PlacementRequest {
  int job = -1;
  const model::QueuedJob* spec = nullptr;
  const model::ResourceList* requests = nullptr;
  int32_t priority = 0;
  bool preemptible = false;
  const model::NodeInfo* assigned = nullptr;
  // Nodes it may not use (held for a gang reservation); nullptr = none. Borrowed.
  const std::set<const model::NodeInfo*>* excluded = nullptr;
};

Placement SelectNode(NodeDb& db, const PlacementRequest& request, bool fair_share_preemption);

}  // namespace armada::scheduling::internal
