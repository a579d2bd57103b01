#include "lib/scheduling/token_bucket.h"

#include <algorithm>
#include <cassert>

namespace armada::scheduling {

TokenBucket::TokenBucket(double rate, double capacity, TokenBucketState state)
    : rate_(rate), capacity_(capacity), state_(state) {
  assert(rate >= 0 && capacity >= 0);
  state_.tokens = std::clamp(state_.tokens, 0.0, capacity_);
}

TokenBucket TokenBucket::Full(double rate, double capacity, absl::Time now) {
  return TokenBucket(rate, capacity, {capacity, now});
}

double TokenBucket::Available(absl::Time now) const {
  TokenBucket copy = *this;
  copy.Refill(now);
  return copy.state_.tokens;
}

bool TokenBucket::Consume(int n, absl::Time now) {
  assert(n >= 0);
  Refill(now);
  if (state_.tokens < n) return false;
  state_.tokens -= n;
  return true;
}

void TokenBucket::Refill(absl::Time now) {
  if (now <= state_.updated_at) return;
  if (state_.updated_at != absl::InfinitePast()) {
    double elapsed = absl::ToDoubleSeconds(now - state_.updated_at);
    state_.tokens = std::min(capacity_, state_.tokens + rate_ * elapsed);
  } else {
    state_.tokens = capacity_;  // never measured: as full as it can be
  }
  state_.updated_at = now;
}

}  // namespace armada::scheduling
