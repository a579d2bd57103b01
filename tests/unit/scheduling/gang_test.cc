// Gang scheduling in FairShareScheduler: all or nothing, uniformity labels,
// incomplete and impossible gangs.

#include <catch2/catch.hpp>

#include "tests/unit/fixtures/scheduling_fixtures.h"

namespace armada::scheduling {
namespace {

using fixtures::Job;
using fixtures::MakeFairShare;
using fixtures::Node;
using fixtures::Queue;

std::vector<model::QueuedJob> Gang(const std::string& id, int members, int cardinality,
                                   const std::string& cpu, const std::string& label = "") {
  std::vector<model::QueuedJob> jobs;
  for (int i = 0; i < members; ++i) {
    auto job = Job(id + "-" + std::to_string(i), "a", i, cpu);
    job.gang_id = id;
    job.gang_cardinality = cardinality;
    job.gang_uniformity_label = label;
    jobs.push_back(job);
  }
  return jobs;
}

model::NodeInfo Zoned(const std::string& name, const std::string& cpu, const std::string& zone) {
  model::NodeInfo node = Node(name, cpu, "64Gi");
  node.labels["zone"] = zone;
  return node;
}

TEST_CASE("gangs: all members are placed, or none") {
  SchedulingSnapshot snapshot;
  snapshot.queues = {Queue("a")};
  snapshot.nodes = {Node("n1", "4", "16Gi"), Node("n2", "4", "16Gi"), Node("n3", "4", "16Gi")};
  // n3 is busy with a job that is not preemptible.
  snapshot.running = {fixtures::Running(Job("busy", "a", 0, "4"), snapshot.nodes[2])};
  snapshot.jobs = Gang("g", 3, 3, "3");
  Decision d = MakeFairShare()->Schedule(snapshot);
  CHECK(d.leases.empty());  // two would fit, the third not: none go
  REQUIRE(d.unscheduled.size() == 3);
  CHECK_THAT(d.unscheduled[0].reason, Catch::Contains("gang g"));
  CHECK(d.rejected.empty());  // it fits once n3 is free: it waits

  snapshot.jobs = Gang("g", 2, 2, "3");
  d = MakeFairShare()->Schedule(snapshot);
  CHECK(d.leases.size() == 2);
}

TEST_CASE("gangs: an incomplete gang waits for its members") {
  SchedulingSnapshot snapshot;
  snapshot.queues = {Queue("a")};
  snapshot.nodes = {Node("n1", "8", "16Gi")};
  snapshot.jobs = Gang("g", 2, 3, "1");
  Decision d = MakeFairShare()->Schedule(snapshot);
  CHECK(d.leases.empty());
  REQUIRE(d.unscheduled.size() == 2);
  CHECK_THAT(d.unscheduled[0].reason, Catch::Contains("incomplete: 2 of 3 members queued"));
}

TEST_CASE("gangs: with a uniformity label all members share one value, the tightest fit") {
  SchedulingSnapshot snapshot;
  snapshot.queues = {Queue("a")};
  // Zone x has room for the gang with much left over; zone y exactly.
  snapshot.nodes = {Zoned("x1", "8", "x"), Zoned("x2", "8", "x"), Zoned("y1", "2", "y"),
                    Zoned("y2", "2", "y")};
  snapshot.jobs = Gang("g", 2, 2, "2", "zone");
  Decision d = MakeFairShare()->Schedule(snapshot);
  REQUIRE(d.leases.size() == 2);
  for (const auto& lease : d.leases) {
    CHECK(lease.node.front() == 'y');
    CHECK(lease.gang_uniformity_label == "zone");
    CHECK(lease.gang_uniformity_value == "y");
  }
  // Needing more than zone y holds, it goes to zone x, still all in one zone.
  snapshot.jobs = Gang("g", 3, 3, "2", "zone");
  d = MakeFairShare()->Schedule(snapshot);
  REQUIRE(d.leases.size() == 3);
  for (const auto& lease : d.leases) CHECK(lease.gang_uniformity_value == "x");
}

TEST_CASE("gangs: a gang no pool could ever hold is rejected with the reason") {
  SchedulingSnapshot snapshot;
  snapshot.queues = {Queue("a")};
  snapshot.nodes = {Node("n1", "4", "16Gi"), Node("n2", "4", "16Gi")};
  snapshot.jobs = Gang("g", 3, 3, "3");  // 9 cpus, the pool has 8
  Decision d = MakeFairShare()->Schedule(snapshot);
  REQUIRE(d.rejected.size() == 3);
  CHECK_THAT(d.rejected[0].reason, Catch::Contains("can never be scheduled"));
  CHECK(d.unscheduled.empty());

  snapshot.jobs = Gang("h", 2, 2, "5");  // each member larger than any node
  d = MakeFairShare()->Schedule(snapshot);
  REQUIRE(d.rejected.size() == 2);
  CHECK_THAT(d.rejected[0].reason, Catch::Contains("more than any node has"));
}

}  // namespace
}  // namespace armada::scheduling
