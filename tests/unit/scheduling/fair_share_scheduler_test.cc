#include "lib/scheduling/fair_share_scheduler.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tests/unit/fixtures/scheduling_fixtures.h"

namespace armada::scheduling {
namespace {

using fixtures::Append;
using fixtures::Jobs;
using fixtures::LeaseCount;
using fixtures::Nodes;
using fixtures::Queue;
using fixtures::ShareOf;

// 10 nodes of 32 cpu: 320 cpu; memory never dominates for the jobs below.
SchedulingSnapshot Cluster() {
  SchedulingSnapshot s;
  s.nodes = Nodes(10, "32", "1024Gi");
  s.now = absl::UnixEpoch() + absl::Hours(1000);
  return s;
}

struct FairnessCase {
  std::string name;
  double factor_a, factor_b;  // priority factors
  std::string cpu_a, cpu_b;   // job sizes
  double expected_ratio;      // share_b / share_a
};

const std::vector<FairnessCase> kFairnessCases = {
    {"equal weights, equal jobs", 1, 1, "1", "1", 1.0},
    {"equal weights, jobs of different sizes", 1, 1, "1", "3", 1.0},
    {"weights 1:2 (priority factors 2 and 1)", 2, 1, "1", "1", 2.0},
    {"weights 1:2 with different sizes", 2, 1, "2", "1", 2.0},
};

TEST_CASE("fair share scheduler: saturating demand splits the pool by weight") {
  auto c = GENERATE(from_range(kFairnessCases));
  DYNAMIC_SECTION(c.name) {
    SchedulingSnapshot s = Cluster();
    s.queues = {Queue("a", c.factor_a), Queue("b", c.factor_b)};
    s.jobs = Jobs("a", 400, c.cpu_a, "1Gi");
    Append(s.jobs, Jobs("b", 400, c.cpu_b, "1Gi"));
    Decision d = fixtures::MakeFairShare()->Schedule(s);

    double a = ShareOf(d, "a").actual_share;
    double b = ShareOf(d, "b").actual_share;
    double one_job = std::max(std::stod(c.cpu_a), std::stod(c.cpu_b)) / 320;
    CHECK(a + b == Approx(1.0).margin(one_job));  // the pool is full
    CHECK(std::abs(b - c.expected_ratio * a) <= (1 + c.expected_ratio) * one_job);
    CHECK(ShareOf(d, "b").fair_share == Approx(c.expected_ratio / (1 + c.expected_ratio)));
    CHECK(ShareOf(d, "b").adjusted_fair_share == Approx(c.expected_ratio / (1 + c.expected_ratio)));
  }
}

TEST_CASE("fair share scheduler: capacity nobody else wants goes to queues with demand") {
  SchedulingSnapshot s = Cluster();
  s.queues = {Queue("a"), Queue("b"), Queue("idle")};
  s.jobs = Jobs("a", 10, "1", "1Gi");
  Append(s.jobs, Jobs("b", 400, "1", "1Gi"));
  Decision d = fixtures::MakeFairShare()->Schedule(s);

  CHECK(LeaseCount(d, "a") == 10);
  CHECK(LeaseCount(d, "b") == 310);
  CHECK(ShareOf(d, "a").fair_share == Approx(0.5));  // "idle" has no jobs: not active
  CHECK(ShareOf(d, "a").adjusted_fair_share == Approx(10.0 / 320));
  CHECK(ShareOf(d, "b").adjusted_fair_share == Approx(310.0 / 320));
  CHECK(d.shares.size() == 2);
}

TEST_CASE("fair share scheduler: running jobs count, a cordoned queue's too") {
  SchedulingSnapshot s = Cluster();
  s.queues = {Queue("a"), Queue("b"), Queue("c")};
  s.queues[2].cordoned = true;
  // c runs 100 cpu; a and b share the other 220.
  for (int i = 0; i < 100; ++i) {
    auto job = fixtures::Job("c-run-" + std::to_string(i), "c", i);
    s.running.push_back(fixtures::Running(job, s.nodes[i % 10]));
  }
  s.jobs = Jobs("a", 400);
  Append(s.jobs, Jobs("b", 400));
  Append(s.jobs, Jobs("c", 5));
  Decision d = fixtures::MakeFairShare()->Schedule(s);

  CHECK(LeaseCount(d, "a") == 110);
  CHECK(LeaseCount(d, "b") == 110);
  CHECK(LeaseCount(d, "c") == 0);
  CHECK(ShareOf(d, "c").actual_share == Approx(100.0 / 320));
  CHECK(ShareOf(d, "a").fair_share == Approx(1.0 / 3));
  int cordoned = 0;
  for (const auto& u : d.unscheduled) cordoned += u.reason == "queue c is cordoned" ? 1 : 0;
  CHECK(cordoned == 5);
}

TEST_CASE("fair share scheduler: decayed usage raises a queue's cost") {
  FairShareConfig config;
  config.half_life = absl::Hours(1);
  SchedulingSnapshot s = Cluster();
  s.queues = {Queue("a"), Queue("b")};
  s.jobs = Jobs("a", 400);
  Append(s.jobs, Jobs("b", 400));
  s.usage[{"default", "a"}] = {0.25, s.now};  // a has had a quarter of the pool lately
  Decision d = fixtures::MakeFairShare(config)->Schedule(s);

  // Costs balance when share_a + 0.25 = share_b: a gets 0.375, b 0.625.
  CHECK(LeaseCount(d, "a") == Approx(120).margin(1));
  CHECK(LeaseCount(d, "b") == Approx(200).margin(1));
  CHECK(ShareOf(d, "a").cost == Approx(ShareOf(d, "b").cost).margin(1.0 / 320));
  CHECK(ShareOf(d, "a").decayed_usage == Approx(0.25));

  config.half_life = absl::ZeroDuration();  // history ignored
  d = fixtures::MakeFairShare(config)->Schedule(s);
  CHECK(LeaseCount(d, "a") == 160);
}

TEST_CASE("fair share scheduler: usage follows running jobs, not queued demand") {
  FairShareConfig config;
  config.half_life = absl::Hours(1);
  SchedulingSnapshot s = Cluster();
  s.queues = {Queue("a"), Queue("b")};
  for (int i = 0; i < 64; ++i) {
    s.running.push_back(
        fixtures::Running(fixtures::Job("a-run-" + std::to_string(i), "a", i), s.nodes[i % 10]));
  }
  s.usage[{"default", "a"}] = {0.1, s.now - absl::Hours(1)};
  s.usage[{"default", "b"}] = {0.3, s.now - absl::Hours(1)};
  s.jobs = Jobs("b", 3);
  Decision before = fixtures::MakeFairShare(config)->Schedule(s);

  Append(s.jobs, Jobs("a", 5000, "1", "1Gi", 100));  // a burst of submissions
  Append(s.jobs, Jobs("b", 5000, "1", "1Gi", 100));
  Decision after = fixtures::MakeFairShare(config)->Schedule(s);

  REQUIRE(before.usage.size() == 2);
  CHECK(before.usage == after.usage);
  // One half-life: halfway from the old value to the running share (64/320 = 0.2 for a).
  CHECK(after.usage.at({"default", "a"}).decayed_share == Approx(0.15));
  CHECK(after.usage.at({"default", "b"}).decayed_share == Approx(0.15));
  CHECK(after.usage.at({"default", "b"}).updated_at == s.now);
}

TEST_CASE("fair share scheduler: priority class limits per queue") {
  FairShareConfig config;
  config.priority_classes["armada-default"].maximum_resource_fraction_per_queue = {{"cpu", 0.25}};
  SchedulingSnapshot s = Cluster();
  s.queues = {Queue("a"), Queue("b"), Queue("c")};
  s.queues[1].resource_limits_by_priority_class["armada-default"] = {{"cpu", 0.5}};
  s.jobs = Jobs("a", 300);
  Append(s.jobs, Jobs("b", 300));
  auto preemptible = Jobs("c", 300);
  for (auto& j : preemptible) j.priority_class = "armada-preemptible";  // no limit
  Append(s.jobs, preemptible);
  Decision d = fixtures::MakeFairShare(config)->Schedule(s);

  CHECK(LeaseCount(d, "a") == 80);   // 0.25 * 320
  CHECK(LeaseCount(d, "b") == 120);  // the queue's own 0.5 beats the global 0.25, fair share caps
  CHECK(LeaseCount(d, "c") == 120);
  auto reason = std::find_if(d.unscheduled.begin(), d.unscheduled.end(),
                             [](const auto& u) { return u.job_id == "a-0100"; });
  REQUIRE(reason != d.unscheduled.end());
  CHECK_THAT(reason->reason, Catch::Contains("would exceed its cpu limit for priority class "
                                             "armada-default"));
  CHECK(ShareOf(d, "a").adjusted_fair_share == Approx(0.25));
}

TEST_CASE("fair share scheduler: the round stops once its resource fraction is exceeded") {
  FairShareConfig config;
  config.maximum_resource_fraction_to_schedule = {{"cpu", 0.1}};
  SchedulingSnapshot s = Cluster();
  s.queues = {Queue("a"), Queue("b")};
  s.jobs = Jobs("a", 100, "3");
  Append(s.jobs, Jobs("b", 100, "3"));
  Decision d = fixtures::MakeFairShare(config)->Schedule(s);

  CHECK(d.leases.size() == 11);  // 33 cpu > 32 = 10% of 320; stops after exceeding
  CHECK(d.unscheduled.size() == 189);
  CHECK_THAT(d.unscheduled.back().reason, Catch::Contains("maximum_resource_fraction_to_schedule"));
}

TEST_CASE("fair share scheduler: unknown queue and priority class are reported") {
  SchedulingSnapshot s = Cluster();
  s.queues = {Queue("a")};
  s.jobs = {fixtures::Job("x", "nope", 1), fixtures::Job("y", "a", 2)};
  s.jobs[1].priority_class = "gold";
  Decision d = fixtures::MakeFairShare()->Schedule(s);
  REQUIRE(d.unscheduled.size() == 2);  // in (queue, priority, submit_seq, id) order
  CHECK(d.unscheduled[0].job_id == "y");
  CHECK(d.unscheduled[0].reason == "unknown priority class gold");
  CHECK(d.unscheduled[1].reason == "queue nope does not exist");
}

TEST_CASE("fair share scheduler: pools are scheduled in name order, a job leased once") {
  SchedulingSnapshot s = Cluster();
  s.nodes = Nodes(1, "4", "64Gi", "b-pool", "b");
  Append(s.nodes, Nodes(1, "2", "64Gi", "a-pool", "a"));
  s.queues = {Queue("q")};
  s.jobs = Jobs("q", 8);
  Decision d = fixtures::MakeFairShare()->Schedule(s);
  REQUIRE(d.leases.size() == 6);
  CHECK(d.leases[0].pool == "a-pool");
  CHECK(d.leases[1].pool == "a-pool");
  CHECK(d.leases[2].pool == "b-pool");
  REQUIRE(d.unscheduled.size() == 2);
  CHECK_THAT(d.unscheduled[0].reason, Catch::Contains("pool a-pool: no matching node has"));
  CHECK_THAT(d.unscheduled[0].reason, Catch::Contains("; pool b-pool: no matching node has"));
  CHECK(d.usage.size() == 2);
}

std::string Render(const Decision& d) {
  std::ostringstream out;
  for (const auto& l : d.leases) {
    out << "L " << l.job_id << " " << l.node << " " << l.pool << "\n";
  }
  for (const auto& u : d.unscheduled) out << "U " << u.job_id << " " << u.reason << "\n";
  for (const auto& s : d.shares) {
    out << "S " << s.pool << " " << s.queue << " " << s.fair_share << " " << s.adjusted_fair_share
        << " " << s.actual_share << " " << s.cost << "\n";
  }
  for (const auto& [k, u] : d.usage) out << "H " << k.pool << k.queue << u.decayed_share << "\n";
  return out.str();
}

TEST_CASE("fair share scheduler: the decision does not depend on input order") {
  FairShareConfig config;
  config.half_life = absl::Minutes(30);
  SchedulingSnapshot s;
  s.now = absl::UnixEpoch() + absl::Hours(10);
  s.nodes = Nodes(6, "16", "64Gi", "p1", "x");
  Append(s.nodes, Nodes(6, "8", "128Gi", "p2", "y"));
  s.nodes[2].labels["zone"] = "a";
  s.nodes[7].taints = {{"gpu", "true", "NoSchedule"}};
  s.queues = {Queue("a"), Queue("b", 2), Queue("c", 0.5)};
  std::mt19937 rng(7);
  std::vector<std::string> cpus = {"500m", "1", "2", "3", "7"};
  for (std::string q : {"a", "b", "c"}) {
    for (int i = 0; i < 60; ++i) {
      auto job = fixtures::Job(q + std::to_string(i), q, static_cast<int64_t>(rng() % 20),
                               cpus[rng() % cpus.size()], std::to_string(1 + rng() % 9) + "Gi");
      job.priority = static_cast<uint32_t>(rng() % 3);
      if (i % 7 == 0) job.node_selector["zone"] = "a";
      if (i % 11 == 0) job.tolerations = {{"gpu", "Exists", "", ""}};
      if (i % 5 == 0) {
        s.running.push_back(fixtures::Running(job, s.nodes[rng() % s.nodes.size()]));
      } else {
        s.jobs.push_back(job);
      }
    }
  }
  s.usage[{"p1", "a"}] = {0.2, s.now - absl::Minutes(5)};
  s.usage[{"p2", "c"}] = {0.4, s.now - absl::Minutes(50)};
  auto scheduler = fixtures::MakeFairShare(config);
  std::string expected = Render(scheduler->Schedule(s));
  CHECK(expected.find("L ") != std::string::npos);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(s.nodes.begin(), s.nodes.end(), rng);
    std::shuffle(s.jobs.begin(), s.jobs.end(), rng);
    std::shuffle(s.queues.begin(), s.queues.end(), rng);
    std::shuffle(s.running.begin(), s.running.end(), rng);
    CHECK(Render(scheduler->Schedule(s)) == expected);
  }
}

// docs/scheduling.md, "Worked example".
TEST_CASE("fair share scheduler: the documented worked example") {
  FairShareConfig config;
  config.half_life = absl::Hours(1);
  SchedulingSnapshot s;
  s.now = absl::UnixEpoch() + absl::Hours(10);
  s.nodes = {fixtures::Node("n", "10", "1000Gi")};
  s.queues = {Queue("a"), Queue("b")};
  for (int i = 0; i < 8; ++i) {
    std::string q = i < 3 ? "a" : "b";
    s.running.push_back(
        fixtures::Running(fixtures::Job("run" + std::to_string(i), q, i), s.nodes[0]));
  }
  s.usage[{"default", "a"}] = {0.9, s.now - absl::Hours(1)};
  s.usage[{"default", "b"}] = {0.1, s.now - absl::Hours(1)};
  s.jobs = Jobs("a", 5);
  Append(s.jobs, Jobs("b", 5));
  Decision d = fixtures::MakeFairShare(config)->Schedule(s);

  CHECK(d.usage.at({"default", "a"}).decayed_share == Approx(0.6));
  CHECK(d.usage.at({"default", "b"}).decayed_share == Approx(0.3));
  REQUIRE(d.leases.size() == 2);
  CHECK(d.leases[0].queue == "b");
  CHECK(d.leases[1].queue == "a");
  CHECK(ShareOf(d, "a").cost == Approx(1.0));

  config.half_life = absl::ZeroDuration();
  d = fixtures::MakeFairShare(config)->Schedule(s);
  REQUIRE(d.leases.size() == 2);
  CHECK(d.leases[0].queue == "a");
  CHECK(d.leases[1].queue == "a");
}

}  // namespace
}  // namespace armada::scheduling
