// FairShareScheduler's cycle limits: token-bucket scheduling rates, the maximum cycle time and
// the maximum leases per cycle.

#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "lib/common/clock.h"
#include "lib/scheduling/fair_share_scheduler.h"
#include "tests/unit/fixtures/scheduling_fixtures.h"

namespace armada::scheduling {
namespace {

using fixtures::Append;
using fixtures::Jobs;
using fixtures::LeaseCount;
using fixtures::Nodes;
using fixtures::Queue;

// 320 cpus, queues a and b with 100 small jobs each: nothing but a limit stops a round.
SchedulingSnapshot Backlog() {
  SchedulingSnapshot s;
  s.nodes = Nodes(10, "32", "1024Gi");
  s.queues = {Queue("a"), Queue("b")};
  s.jobs = Jobs("a", 100, "100m", "1Gi");
  Append(s.jobs, Jobs("b", 100, "100m", "1Gi", 100));
  s.now = absl::UnixEpoch() + absl::Hours(1000);
  return s;
}

FairShareConfig Rates(double global_rate, int64_t global_burst, double queue_rate,
                      int64_t queue_burst) {
  FairShareConfig c;
  c.maximum_scheduling_rate = global_rate;
  c.maximum_scheduling_burst = global_burst;
  c.maximum_per_queue_scheduling_rate = queue_rate;
  c.maximum_per_queue_scheduling_burst = queue_burst;
  return c;
}

int CountReason(const Decision& d, const std::string& reason) {
  int n = 0;
  for (const auto& u : d.unscheduled) n += u.reason.find(reason) != std::string::npos ? 1 : 0;
  return n;
}

TEST_CASE("rate limits: defaults are unlimited and carry no state") {
  Decision d = fixtures::MakeFairShare({})->Schedule(Backlog());
  CHECK(d.leases.size() == 200);
  CHECK(d.rate_limits == RateLimitState{});
}

struct RoundCase {
  std::string name;
  FairShareConfig config;
  int leases_a, leases_b;
  std::string reason;  // of every job left queued
};

const std::vector<RoundCase> kRoundCases = {
    {"the global burst caps one round", Rates(1, 30, 0, 0), 15, 15,
     "pool default: global scheduling rate limit exceeded"},
    {"the per-queue burst caps each queue", Rates(0, 0, 1, 7), 7, 7,
     "pool default: queue scheduling rate limit exceeded"},
    {"the smaller of the two binds", Rates(1, 10, 1, 7), 5, 5,
     "pool default: global scheduling rate limit exceeded"},
};

TEST_CASE("rate limits: one round") {
  auto c = GENERATE(from_range(kRoundCases));
  DYNAMIC_SECTION(c.name) {
    Decision d = fixtures::MakeFairShare(c.config)->Schedule(Backlog());
    CHECK(LeaseCount(d, "a") == c.leases_a);
    CHECK(LeaseCount(d, "b") == c.leases_b);
    CHECK(CountReason(d, c.reason) == 200 - c.leases_a - c.leases_b);
    CHECK(d.shares.size() == 2);  // shares and usage are still complete
    CHECK(d.usage.size() == 2);
  }
}

TEST_CASE("max leases: a cycle leases at most max_leases jobs, fairly, and says why") {
  SchedulingSnapshot s = Backlog();
  s.max_leases = 30;
  Decision d = fixtures::MakeFairShare({})->Schedule(s);
  CHECK(LeaseCount(d, "a") == 15);
  CHECK(LeaseCount(d, "b") == 15);
  CHECK(CountReason(d, "maximum jobs to schedule per cycle reached") == 170);
}

TEST_CASE("rate limits: a queue whose bucket is empty stops, the others go on") {
  auto scheduler = fixtures::MakeFairShare(Rates(0, 0, 1, 20));
  SchedulingSnapshot s = Backlog();
  s.rate_limits.queues["a"] = {0, s.now};  // a used its burst just now
  Decision d = scheduler->Schedule(s);
  CHECK(LeaseCount(d, "a") == 0);
  CHECK(LeaseCount(d, "b") == 20);
  CHECK(CountReason(d, "queue scheduling rate limit exceeded") == 180);
}

TEST_CASE("rate limits: the state round-trips through the decision and refills over time") {
  auto scheduler = fixtures::MakeFairShare(Rates(2, 10, 0, 0));
  SchedulingSnapshot s = Backlog();
  Decision d = scheduler->Schedule(s);
  CHECK(d.leases.size() == 10);
  REQUIRE(d.rate_limits.global.has_value());
  CHECK(*d.rate_limits.global == TokenBucketState{0, s.now});

  // Same time, state fed back: the bucket is empty.
  s.rate_limits = d.rate_limits;
  CHECK(scheduler->Schedule(s).leases.empty());

  // 3 seconds later: 6 tokens.
  s.now += absl::Seconds(3);
  d = scheduler->Schedule(s);
  CHECK(d.leases.size() == 6);

  // Without the state (a new leader), a full burst again.
  s.rate_limits = {};
  CHECK(scheduler->Schedule(s).leases.size() == 10);
}

TEST_CASE("rate limits: full buckets are left out of the state") {
  auto scheduler = fixtures::MakeFairShare(Rates(0, 0, 1, 50));
  SchedulingSnapshot s = Backlog();
  s.jobs = Jobs("a", 3, "100m", "1Gi");
  s.rate_limits.queues["b"] = {40, s.now - absl::Seconds(20)};  // full again by now
  Decision d = scheduler->Schedule(s);
  CHECK(d.leases.size() == 3);
  CHECK_FALSE(d.rate_limits.global.has_value());
  REQUIRE(d.rate_limits.queues.size() == 1);
  CHECK(d.rate_limits.queues.at("a") == TokenBucketState{47, s.now});
}

// A clock that moves on by `step` every time it is read, so a cycle-time limit trips after a known
// number of reads.
class SteppingClock final : public common::Clock {
 public:
  explicit SteppingClock(absl::Duration step) : step_(step) {}
  absl::Time Now() const override { return absl::UnixEpoch() + step_ * reads_++; }
  int reads() const { return reads_; }

 private:
  absl::Duration step_;
  mutable std::atomic<int> reads_ = 0;
};

TEST_CASE("cycle time: the round stops once the clock passes the limit") {
  auto scheduler = fixtures::MakeFairShare({});
  SchedulingSnapshot s = Backlog();
  SteppingClock clock(absl::Seconds(1));
  s.clock = &clock;
  s.max_cycle_time = absl::Seconds(2);
  // Read at the start (0s, deadline 2s), then before jobs 64 (1s), 128 (2s) and 192 (3s): stop.
  Decision d = scheduler->Schedule(s);
  CHECK(d.leases.size() == 191);
  CHECK(clock.reads() == 4);
  CHECK(CountReason(d, "pool default: maximum cycle time exceeded") == 9);
  CHECK(d.unscheduled.size() == 9);
  CHECK(d.shares.size() == 2);
  CHECK(d.usage.size() == 2);
}

TEST_CASE("cycle time: no clock or a zero limit means no limit") {
  auto scheduler = fixtures::MakeFairShare({});
  SchedulingSnapshot s = Backlog();
  SteppingClock clock(absl::Hours(1));
  s.clock = &clock;
  CHECK(scheduler->Schedule(s).leases.size() == 200);
  CHECK(clock.reads() == 0);
  s.clock = nullptr;
  s.max_cycle_time = absl::Seconds(1);
  CHECK(scheduler->Schedule(s).leases.size() == 200);
}

}  // namespace
}  // namespace armada::scheduling
