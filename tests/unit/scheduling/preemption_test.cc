// Urgency and fair-share preemption in FairShareScheduler.

#include <set>

#include <catch2/catch.hpp>

#include "tests/unit/fixtures/scheduling_fixtures.h"

namespace armada::scheduling {
namespace {

using fixtures::Job;
using fixtures::MakeFairShare;
using fixtures::Node;
using fixtures::Queue;
using fixtures::Running;

FairShareConfig WithUrgentClass() {
  FairShareConfig config;
  config.priority_classes["urgent"] = {2000, false, {}};
  config.priority_classes["low"] = {100, true, {}};
  return config;
}

model::RunningJob RunningSince(const model::QueuedJob& job, const model::NodeInfo& node,
                               int64_t started_seconds) {
  model::RunningJob r = Running(job, node);
  r.started_at = absl::FromUnixSeconds(started_seconds);
  return r;
}

model::QueuedJob WithClass(model::QueuedJob job, const std::string& pc) {
  job.priority_class = pc;
  return job;
}

// Queue a holds the whole cluster, above its half share, so its preemptible jobs are evicted and
// the urgent job takes a place by fair-share preemption (Armada tries it before urgency), with the
// priorities named in the reason.
TEST_CASE("preemption: a higher priority job evicts lower ones on one node") {
  SchedulingSnapshot snapshot;
  snapshot.queues = {Queue("a"), Queue("b")};
  snapshot.nodes = {Node("n1", "4", "16Gi"), Node("n2", "4", "16Gi")};
  // Both nodes are full: n1 with two low jobs (one started later), n2 with a default one.
  auto low1 = WithClass(Job("low-1", "a", 1, "2"), "low");
  auto low2 = WithClass(Job("low-2", "a", 2, "2"), "low");
  auto plain = Job("plain", "a", 3, "4");
  snapshot.running = {RunningSince(low1, snapshot.nodes[0], 100),
                      RunningSince(low2, snapshot.nodes[0], 200),
                      RunningSince(plain, snapshot.nodes[1], 300)};
  snapshot.jobs = {WithClass(Job("urgent-1", "b", 4, "2"), "urgent")};

  Decision d = MakeFairShare(WithUrgentClass())->Schedule(snapshot);
  REQUIRE(d.leases.size() == 1);
  CHECK(d.leases[0].node == "n1");  // evicting priority 100 beats evicting priority 1000
  REQUIRE(d.preemptions.size() == 1);
  CHECK(d.preemptions[0].job_id == "low-2");  // the most recently started goes first
  CHECK(d.preemptions[0].preempting_job_id == "urgent-1");
  CHECK_THAT(d.preemptions[0].reason, Catch::Contains("fair share"));
  CHECK_THAT(d.preemptions[0].reason, Catch::Contains("priority 2000 over 100"));
}

// Queue a alone is within its share (nothing is evicted for balance): only urgency preempts.
TEST_CASE("urgency preemption goes through several priority levels, lowest first") {
  FairShareConfig config = WithUrgentClass();
  config.priority_classes["mid"] = {500, true, {}};
  SchedulingSnapshot snapshot;
  snapshot.queues = {Queue("a")};
  snapshot.nodes = {Node("n1", "4", "16Gi")};
  auto low = WithClass(Job("low", "a", 1, "1"), "low");
  auto mid = WithClass(Job("mid", "a", 2, "3"), "mid");
  snapshot.running = {Running(low, snapshot.nodes[0]), Running(mid, snapshot.nodes[0])};
  snapshot.jobs = {WithClass(Job("big-urgent", "a", 3, "4"), "urgent")};
  Decision d = MakeFairShare(config)->Schedule(snapshot);
  REQUIRE(d.leases.size() == 1);
  CHECK(d.preemptions.size() == 2);

  snapshot.jobs = {WithClass(Job("small-urgent", "a", 3, "1"), "urgent")};
  d = MakeFairShare(config)->Schedule(snapshot);
  REQUIRE(d.preemptions.size() == 1);
  CHECK(d.preemptions[0].job_id == "low");  // one level was enough
  CHECK(d.preemptions[0].preempting_job_id == "small-urgent");
  CHECK_THAT(d.preemptions[0].reason, Catch::Contains("urgency: priority 2000 over 100"));
}

TEST_CASE("urgency preemption never evicts non-preemptible jobs") {
  FairShareConfig config = WithUrgentClass();
  config.priority_classes["mid"] = {500, false, {}};
  SchedulingSnapshot snapshot;
  snapshot.queues = {Queue("a")};
  snapshot.nodes = {Node("n1", "4", "16Gi")};
  auto low = WithClass(Job("low", "a", 1, "1"), "low");
  auto mid = WithClass(Job("mid", "a", 2, "3"), "mid");
  snapshot.running = {Running(low, snapshot.nodes[0]), Running(mid, snapshot.nodes[0])};
  snapshot.jobs = {WithClass(Job("big-urgent", "a", 3, "4"), "urgent")};
  Decision d = MakeFairShare(config)->Schedule(snapshot);
  CHECK(d.leases.empty());
  CHECK(d.preemptions.empty());
}

TEST_CASE("urgency preemption never evicts equal or higher priorities") {
  SchedulingSnapshot snapshot;
  snapshot.queues = {Queue("a"), Queue("b")};
  snapshot.nodes = {Node("n1", "4", "16Gi")};
  auto other = WithClass(Job("other-urgent", "a", 1, "4"), "urgent");
  snapshot.running = {Running(other, snapshot.nodes[0])};
  snapshot.jobs = {WithClass(Job("urgent", "b", 2, "1"), "urgent")};
  Decision d = MakeFairShare(WithUrgentClass())->Schedule(snapshot);
  CHECK(d.leases.empty());
  CHECK(d.preemptions.empty());
}

// Queue a fills the cluster with preemptible jobs; queue b then asks for room.
SchedulingSnapshot FullOfA(int a_jobs, const std::string& a_class = "armada-preemptible") {
  SchedulingSnapshot snapshot;
  snapshot.queues = {Queue("a"), Queue("b")};
  snapshot.nodes = {Node("n1", "4", "16Gi"), Node("n2", "4", "16Gi")};
  for (int i = 0; i < a_jobs; ++i) {
    auto job = WithClass(Job("a-" + std::to_string(i), "a", i), a_class);
    snapshot.running.push_back(RunningSince(job, snapshot.nodes[i % 2], 100 + i));
  }
  for (int i = 0; i < 8; ++i) {
    snapshot.jobs.push_back(Job("b-" + std::to_string(i), "b", 100 + i));
  }
  return snapshot;
}

TEST_CASE("fair-share preemption: a queue below its share takes back up to it, no further") {
  Decision d = MakeFairShare()->Schedule(FullOfA(8));
  // Equal weights: b gets half of the 8 cpus, a keeps the other half.
  CHECK(d.leases.size() == 4);
  CHECK(d.preemptions.size() == 4);
  for (const auto& p : d.preemptions) {
    CHECK(p.queue == "a");
    CHECK_THAT(p.reason, Catch::Contains("fair share"));
  }
  // The most recently started of a's jobs went first.
  std::set<std::string> evicted;
  for (const auto& p : d.preemptions) evicted.insert(p.job_id);
  CHECK(evicted == std::set<std::string>{"a-4", "a-5", "a-6", "a-7"});
}

TEST_CASE("fair-share preemption: non-preemptible jobs and protected queues are left alone") {
  CHECK(MakeFairShare()->Schedule(FullOfA(8, "armada-default")).preemptions.empty());

  FairShareConfig config;
  config.protected_fraction_of_fair_share = 2.0;  // a holds 8 of 8 cpus: 2x its half share
  CHECK(MakeFairShare(config)->Schedule(FullOfA(8)).preemptions.empty());

  config = {};
  config.enable_fair_share_preemption = false;
  CHECK(MakeFairShare(config)->Schedule(FullOfA(8)).preemptions.empty());
}

TEST_CASE("fair-share preemption: nothing is evicted while there is free room") {
  SchedulingSnapshot snapshot = FullOfA(4);  // half the cluster free
  Decision d = MakeFairShare()->Schedule(snapshot);
  CHECK(d.preemptions.empty());
  CHECK(d.leases.size() == 4);
}

TEST_CASE("fair-share preemption: the rate limit makes convergence gentle") {
  FairShareConfig config;
  config.maximum_fair_share_preemption_rate = 1;
  config.maximum_fair_share_preemption_burst = 2;
  SchedulingSnapshot snapshot = FullOfA(8);
  snapshot.now = absl::FromUnixSeconds(1000);
  Decision d = MakeFairShare(config)->Schedule(snapshot);
  CHECK(d.preemptions.size() == 2);
  CHECK(d.leases.size() == 2);
  // The next cycle, one second later, has one more token.
  snapshot.rate_limits = d.rate_limits;
  snapshot.now += absl::Seconds(1);
  CHECK(MakeFairShare(config)->Schedule(snapshot).preemptions.size() == 1);
}

TEST_CASE("preemption: a gang member is evicted with its whole gang") {
  SchedulingSnapshot snapshot;
  snapshot.queues = {Queue("a"), Queue("b")};
  snapshot.nodes = {Node("n1", "2", "16Gi"), Node("n2", "2", "16Gi")};
  auto g1 = WithClass(Job("g-1", "a", 1, "2"), "low");
  auto g2 = WithClass(Job("g-2", "a", 2, "2"), "low");
  g1.gang_id = g2.gang_id = "g";
  snapshot.running = {Running(g1, snapshot.nodes[0]), Running(g2, snapshot.nodes[1])};
  snapshot.jobs = {WithClass(Job("urgent", "b", 3, "1"), "urgent")};
  Decision d = MakeFairShare(WithUrgentClass())->Schedule(snapshot);
  REQUIRE(d.leases.size() == 1);
  CHECK(d.preemptions.size() == 2);
}

}  // namespace
}  // namespace armada::scheduling
