#pragma once

// The arithmetic of fair sharing: dominant resource shares, decayed usage and demand-capped
// (water-filled) fair shares. Pure functions; thread-safe. See docs/scheduling.md.

#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "lib/model/resource_list.h"
#include "lib/model/scheduling_types.h"
#include "lib/scheduling/fair_share_config.h"

namespace armada::scheduling {

// DominantShare(amounts, total, resources): max over `resources` of
// multiplier * amounts[r] / total[r], ignoring resources whose total is <= 0; 0 if none count.
// Cost: O(|resources| log n).
double DominantShare(const model::ResourceList& amounts, const model::ResourceList& total,
                     const std::vector<FairnessResource>& resources);

// DecayUsage(previous, current_share, now, half_life): the exponential moving average
//   new = old * 2^(-dt/h) + (1 - 2^(-dt/h)) * current_share,  dt = now - previous.updated_at,
// stamped `now`. With no previous value there is no interval to average over: the result is 0.
// dt < 0 (a clock step back) counts as 0. half_life 0 gives current_share (no memory).
model::QueueUsage DecayUsage(const std::optional<model::QueueUsage>& previous, double current_share,
                             absl::Time now, absl::Duration half_life);

// WaterFill(weights, demands): demand-capped fair shares of one unit of capacity. Each entry gets
// weight/sum(weights) of what is left; an entry whose demand is below that keeps its demand and
// the excess is shared again among the rest, until nothing changes. The result sums to
// min(1, sum(demands)) and never exceeds an entry's demand. REQUIRES: equal sizes, weights > 0,
// demands >= 0. Cost: O(n^2) worst case, n = number of queues.
std::vector<double> WaterFill(const std::vector<double>& weights,
                              const std::vector<double>& demands);

}  // namespace armada::scheduling
