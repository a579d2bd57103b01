#include "executor/backends/kubernetes/token_bucket.h"

#include <catch2/catch.hpp>

namespace armada::executor::kubernetes {
namespace {

TEST_CASE("token bucket allows a burst, then paces at qps", "[token_bucket]") {
  common::SimulatedClock clock;
  TokenBucket bucket(clock, /*qps=*/2, /*burst=*/3);
  for (int i = 0; i < 3; ++i) CHECK(bucket.Reserve() == absl::ZeroDuration());
  CHECK(bucket.Reserve() == absl::Milliseconds(500));
  CHECK(bucket.Reserve() == absl::Seconds(1));
  SECTION("time refills the bucket, up to burst") {
    clock.Advance(absl::Seconds(1));  // back to 0 tokens, no debt
    CHECK(bucket.Reserve() == absl::Milliseconds(500));
    clock.Advance(absl::Hours(1));
    for (int i = 0; i < 3; ++i) CHECK(bucket.Reserve() == absl::ZeroDuration());
    CHECK(bucket.Reserve() > absl::ZeroDuration());
  }
}

TEST_CASE("token bucket with qps 0 never waits", "[token_bucket]") {
  common::SimulatedClock clock;
  TokenBucket bucket(clock, 0, 1);
  for (int i = 0; i < 100; ++i) CHECK(bucket.Reserve() == absl::ZeroDuration());
}

}  // namespace
}  // namespace armada::executor::kubernetes
