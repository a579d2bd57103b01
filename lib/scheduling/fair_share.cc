#include "lib/scheduling/fair_share.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace armada::scheduling {

double DominantShare(const model::ResourceList& amounts, const model::ResourceList& total,
                     const std::vector<FairnessResource>& resources) {
  double share = 0;
  for (const FairnessResource& r : resources) {
    int64_t t = total.Get(r.name);
    if (t <= 0) continue;
    share = std::max(
        share, r.multiplier * static_cast<double>(amounts.Get(r.name)) / static_cast<double>(t));
  }
  return share;
}

model::QueueUsage DecayUsage(const std::optional<model::QueueUsage>& previous, double current_share,
                             absl::Time now, absl::Duration half_life) {
  if (half_life <= absl::ZeroDuration()) return {current_share, now};
  if (!previous.has_value()) return {0, now};
  absl::Duration dt = std::max(now - previous->updated_at, absl::ZeroDuration());
  double keep = std::exp2(-absl::FDivDuration(dt, half_life));
  return {previous->decayed_share * keep + (1 - keep) * current_share, now};
}

std::vector<double> WaterFill(const std::vector<double>& weights,
                              const std::vector<double>& demands) {
  assert(weights.size() == demands.size());
  size_t n = weights.size();
  std::vector<double> shares(n, 0);
  std::vector<bool> capped(n, false);
  double left = 1.0;
  for (size_t round = 0; round <= n; ++round) {
    double total_weight = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!capped[i]) total_weight += weights[i];
    }
    if (total_weight <= 0 || left <= 0) break;
    double level = left / total_weight;  // share per unit of weight
    bool any_capped = false;
    for (size_t i = 0; i < n; ++i) {
      if (!capped[i] && demands[i] <= weights[i] * level) {
        capped[i] = true;
        any_capped = true;
        shares[i] = demands[i];
        left -= demands[i];
      }
    }
    if (!any_capped) {
      for (size_t i = 0; i < n; ++i) {
        if (!capped[i]) shares[i] = weights[i] * level;
      }
      break;
    }
  }
  return shares;
}

}  // namespace armada::scheduling
