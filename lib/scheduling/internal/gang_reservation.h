#pragma once

// PlanGangReservation: the nodes a waiting gang will fit on soonest, and when, as Slurm's backfill
// plans the start of the job at the head of its queue. Module-private.
//
// Each running job frees its resources at its release time (started_at + runtime bound; never
// for an unbounded job; now for one past its bound). Starting from what is free now (nothing
// evicted), releases are applied in time order; the first time at which every member fits on the
// gang's matching nodes (all on one value of its uniformity label, if it has one) is the gang's
// projected start, and the nodes it would use are held for it. Members with equal requests are
// counted per node (how many fit), so the cost is O(N + R log R) for N nodes and R releases;
// unequal members are placed first-fit at each release time.

#include <optional>
#include <set>
#include <vector>

#include "absl/time/time.h"
#include "lib/model/scheduling_types.h"
#include "lib/scheduling/internal/node_db.h"

namespace armada::scheduling::internal {

struct Release {
  const model::NodeInfo* node = nullptr;
  const model::ResourceList* requests = nullptr;
  absl::Time at = absl::InfiniteFuture();
};

struct ReservationPlan {
  std::set<const model::NodeInfo*> nodes;  // held for the gang
  absl::Time start;                        // projected start (now if it fits now)
};

// nullopt when the gang cannot start even once every bounded job has ended.
std::optional<ReservationPlan> PlanGangReservation(
    const NodeDb& db, const std::vector<const model::QueuedJob*>& members,
    const std::vector<Release>& releases, absl::Time now);

}  // namespace armada::scheduling::internal
