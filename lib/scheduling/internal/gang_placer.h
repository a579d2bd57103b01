#pragma once

// PlaceGang: all members of a gang (a single job is a gang of one) onto nodes, or none of them,
// as Armada's GangScheduler does. Module-private.
//
// Members are placed one by one with SelectNode inside one NodeDb checkpoint; if one does not
// fit, everything is rolled back. When a member's fair-share preemption stops an evicted job of
// a gang from coming back, the rest of that gang still evicted is stopped too (gangs are
// preempted whole). With a uniformity label every value of it on the pool's nodes is tried and
// the best placement kept: fewest members preempting anything, then the lowest priorities
// preempted, then the least left free of the gang's dominant resource on its nodes (tightest
// fit), then the value.

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "lib/scheduling/internal/node_db.h"
#include "lib/scheduling/internal/node_selector.h"

namespace armada::scheduling::internal {

struct GangPlacement {
  bool ok = false;
  std::vector<std::pair<int, Placement>> members;  // (job, where), in member order
  std::vector<std::pair<int, int>> preempted;      // (preempted job, job it made room for)
  std::string uniformity_value;                    // with a uniformity label: the value chosen
  std::string reason;                              // when not ok: why
};

struct GangRequest {
  std::vector<PlacementRequest> members;
  std::string uniformity_label;  // "" = none
  // The fairness resource the gang needs most of (for tightness).
  std::string dominant_resource;
};

// On success the NodeDb holds the placement (not committed: the caller may Rollback to a
// checkpoint taken before); on failure it is as before. `evicted_siblings(job)` lists the other
// members of `job`'s gang that are bound and evicted (none for a job without a gang).
GangPlacement PlaceGang(NodeDb& db, const GangRequest& gang, bool fair_share_preemption,
                        const std::function<std::vector<int>(int job)>& evicted_siblings);

}  // namespace armada::scheduling::internal
