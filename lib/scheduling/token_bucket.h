#pragma once

// TokenBucket: a rate limiter as a plain value, with time passed in (no clock of its own), so
// that its state can be carried from one scheduling cycle to the next in the snapshot.

#include <cstdint>

#include "absl/time/time.h"

namespace armada::scheduling {

// The part of a bucket that changes: what the scheduler hands back in Decision::rate_limits and
// takes in SchedulingSnapshot::rate_limits. Rate and capacity come from the config.
struct TokenBucketState {
  double tokens = 0;
  absl::Time updated_at = absl::InfinitePast();  // the time `tokens` was measured at
  friend bool operator==(const TokenBucketState&, const TokenBucketState&) = default;
};

// A bucket of `capacity` tokens (the burst) that refills at `rate` tokens per second and never
// holds more than `capacity`. Like Envoy's TokenBucket, but the time is an argument rather than
// an injected TimeSource: the scheduling library is pure.
//
// Time going backwards (a `now` before the last update) refills nothing and does not move the
// last update back, so a stepped clock never grants tokens twice.
// A value type: copyable, not thread-safe (copy it per thread). Every method is O(1).
class TokenBucket {
 public:
  // A bucket holding `state.tokens` (clamped to [0, capacity]) as of `state.updated_at`.
  // REQUIRES: rate finite and >= 0, capacity finite and >= 0.
  TokenBucket(double rate, double capacity, TokenBucketState state);

  // Full(rate, capacity, now): a bucket holding `capacity` tokens at `now`.
  static TokenBucket Full(double rate, double capacity, absl::Time now);

  // Available(now): the tokens the bucket holds at `now`, refill included. Does not change it.
  double Available(absl::Time now) const;

  // Consume(n, now): refills up to `now`; then, if at least `n` tokens are available, takes them
  // and returns true; otherwise takes nothing and returns false. REQUIRES: n >= 0.
  bool Consume(int n, absl::Time now);

  // The state to carry to the next cycle (tokens as of the last Consume).
  TokenBucketState state() const { return state_; }
  double rate() const { return rate_; }
  double capacity() const { return capacity_; }

 private:
  void Refill(absl::Time now);

  double rate_;
  double capacity_;
  TokenBucketState state_;
};

}  // namespace armada::scheduling
