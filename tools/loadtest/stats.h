#pragma once

// Percentiles of samples, for armada-loadtest's reports.

#include <vector>

namespace armada::loadtest {

// Percentile(samples, p): the nearest-rank p-th percentile (p in 0..100) of `samples`; 0 when
// empty. Sorts `samples` in place.
double Percentile(std::vector<double>& samples, double p);

}  // namespace armada::loadtest
