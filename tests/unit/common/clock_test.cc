#include "lib/common/clock.h"

#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/time/time.h"

namespace armada::common {
namespace {

struct AdvanceCase {
  std::string name;
  absl::Time start;
  std::vector<absl::Duration> steps;
  absl::Time expected;
};

const absl::Time kStart = absl::FromUnixSeconds(1'700'000'000);

const std::vector<AdvanceCase> kAdvanceCases = {
    {"no steps", kStart, {}, kStart},
    {"zero step", kStart, {absl::ZeroDuration()}, kStart},
    {"one second", kStart, {absl::Seconds(1)}, kStart + absl::Seconds(1)},
    {"steps add up",
     kStart,
     {absl::Milliseconds(1), absl::Minutes(2), absl::Hours(3)},
     kStart + absl::Milliseconds(1) + absl::Minutes(2) + absl::Hours(3)},
    {"nanosecond precision",
     kStart,
     {absl::Nanoseconds(1), absl::Nanoseconds(2)},
     kStart + absl::Nanoseconds(3)},
    {"negative step moves back",
     kStart,
     {absl::Seconds(10), absl::Seconds(-4)},
     kStart + absl::Seconds(6)},
    {"from the epoch", absl::UnixEpoch(), {absl::Hours(24)}, absl::FromUnixSeconds(86400)},
    {"infinite duration saturates", kStart, {absl::InfiniteDuration()}, absl::InfiniteFuture()},
};

TEST_CASE("SimulatedClock::Advance moves the clock by the sum of the steps") {
  const AdvanceCase& c = GENERATE(from_range(kAdvanceCases));
  DYNAMIC_SECTION(c.name) {
    SimulatedClock clock(c.start);
    for (const absl::Duration step : c.steps) clock.Advance(step);
    CHECK(clock.Now() == c.expected);
  }
}

TEST_CASE("SimulatedClock starts at the Unix epoch by default") {
  SimulatedClock clock;
  CHECK(clock.Now() == absl::UnixEpoch());
}

TEST_CASE("SimulatedClock only moves when told to") {
  SimulatedClock clock(kStart);
  const Clock& as_clock = clock;
  CHECK(as_clock.Now() == kStart);
  CHECK(as_clock.Now() == kStart);

  SECTION("SetTime sets, also backwards") {
    clock.SetTime(kStart + absl::Hours(1));
    CHECK(as_clock.Now() == kStart + absl::Hours(1));
    clock.SetTime(absl::UnixEpoch());
    CHECK(as_clock.Now() == absl::UnixEpoch());
  }
  SECTION("Advance continues from SetTime") {
    clock.SetTime(absl::FromUnixSeconds(100));
    clock.Advance(absl::Seconds(5));
    CHECK(as_clock.Now() == absl::FromUnixSeconds(105));
  }
}

TEST_CASE("SimulatedClock::Advance is atomic across threads") {
  constexpr int kThreads = 4;
  constexpr int kStepsPerThread = 1000;
  SimulatedClock clock(kStart);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&clock] {
      for (int i = 0; i < kStepsPerThread; ++i) {
        clock.Advance(absl::Milliseconds(1));
        (void)clock.Now();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(clock.Now() == kStart + absl::Milliseconds(kThreads * kStepsPerThread));
}

TEMPLATE_TEST_CASE("Clock::Now is finite and callable concurrently through the interface", "",
                   RealClock, SimulatedClock) {
  TestType clock;
  const Clock& as_clock = clock;
  std::vector<std::thread> threads;
  std::vector<absl::Time> seen(4);
  for (std::size_t t = 0; t < seen.size(); ++t) {
    threads.emplace_back([&as_clock, &seen, t] {
      for (int i = 0; i < 100; ++i) seen[t] = as_clock.Now();
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const absl::Time time : seen) {
    CHECK(time != absl::InfinitePast());
    CHECK(time != absl::InfiniteFuture());
  }
}

TEST_CASE("RealClock reads the system clock") {
  // Only a lower bound, so the test does not depend on when it runs.
  CHECK(RealClock().Now() > absl::FromUnixSeconds(1'577'836'800));  // 2020-01-01.
}

}  // namespace
}  // namespace armada::common
