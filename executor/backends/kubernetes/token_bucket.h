// -----------------------------------------------------------------------------
// File: executor/backends/kubernetes/token_bucket.h
// -----------------------------------------------------------------------------
//
// `TokenBucket` is the client-side rate limiter of the Kubernetes client: `qps` tokens are
// added per second up to `burst`, and each request takes one. Instead of sleeping itself it
// tells the caller how long to wait, so it can be tested with a SimulatedClock.
//
// Example:
//
//   TokenBucket bucket(clock, /*qps=*/5, /*burst=*/10);
//   absl::SleepFor(bucket.Reserve());  // then send the request
#pragma once

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/common/clock.h"

namespace armada::executor::kubernetes {

class TokenBucket {
 public:
  // `clock` is borrowed and must outlive the bucket. The bucket starts full.
  // `qps` <= 0 disables limiting (Reserve always returns zero). `burst` < 1 counts as 1.
  TokenBucket(const common::Clock& clock, double qps, int burst);

  TokenBucket(const TokenBucket&) = delete;
  TokenBucket& operator=(const TokenBucket&) = delete;

  // Takes one token and returns how long the caller must wait before using it: zero when a
  // token was available, otherwise the time until the bucket refills enough. Reservations
  // queue up: N callers reserving at once on an empty bucket wait 1/qps, 2/qps, ... N/qps.
  // Thread-safe.
  absl::Duration Reserve();

 private:
  const common::Clock& clock_;
  const double qps_;
  const double burst_;
  absl::Mutex mu_;
  double tokens_ ABSL_GUARDED_BY(mu_);  // may go negative: reserved ahead of refill
  absl::Time last_ ABSL_GUARDED_BY(mu_);
};

}  // namespace armada::executor::kubernetes
