#include "lib/scheduling/token_bucket.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace armada::scheduling {
namespace {

const absl::Time kT0 = absl::UnixEpoch() + absl::Hours(1);

struct Case {
  std::string name;
  TokenBucketState start;  // rate 2/s, capacity 10
  absl::Duration at;       // Consume(n) at kT0 + at
  int n;
  bool consumed;
  double tokens_after;
};

const std::vector<Case> kCases = {
    {"takes from a full bucket", {10, kT0}, absl::ZeroDuration(), 4, true, 6},
    {"takes the whole burst", {10, kT0}, absl::ZeroDuration(), 10, true, 0},
    {"refuses more than it holds and takes nothing", {3, kT0}, absl::ZeroDuration(), 4, false, 3},
    {"refills at the rate", {0, kT0}, absl::Seconds(2), 3, true, 1},
    {"refills fractions of a second", {0, kT0}, absl::Milliseconds(250), 0, true, 0.5},
    {"never holds more than its capacity", {0, kT0}, absl::Hours(1), 10, true, 0},
    {"time going backwards refills nothing", {3, kT0}, absl::Seconds(-5), 3, true, 0},
    {"a never-measured bucket is full",
     {0, absl::InfinitePast()},
     absl::ZeroDuration(),
     10,
     true,
     0},
    {"clamps an oversized state to the capacity", {50, kT0}, absl::ZeroDuration(), 0, true, 10},
};

TEST_CASE("token bucket: consume and refill") {
  auto c = GENERATE(from_range(kCases));
  DYNAMIC_SECTION(c.name) {
    TokenBucket bucket(2, 10, c.start);
    CHECK(bucket.Consume(c.n, kT0 + c.at) == c.consumed);
    CHECK(bucket.Available(kT0 + c.at) == Approx(c.tokens_after));
  }
}

TEST_CASE("token bucket: Available does not change the bucket, and the state carries over") {
  TokenBucket bucket = TokenBucket::Full(1, 5, kT0);
  REQUIRE(bucket.Consume(5, kT0));
  CHECK(bucket.Available(kT0 + absl::Seconds(3)) == Approx(3));
  CHECK(bucket.state() == TokenBucketState{0, kT0});

  // A copy rebuilt from the state (what the next cycle does) behaves the same.
  TokenBucket next(1, 5, bucket.state());
  CHECK_FALSE(next.Consume(4, kT0 + absl::Seconds(3)));
  CHECK(next.Consume(3, kT0 + absl::Seconds(3)));
  CHECK(next.state() == TokenBucketState{0, kT0 + absl::Seconds(3)});

  // Time going backwards keeps the later update time: no tokens are granted twice.
  CHECK(next.Consume(0, kT0));
  CHECK(next.state().updated_at == kT0 + absl::Seconds(3));
}

}  // namespace
}  // namespace armada::scheduling
