#include "tools/swf2scenario/scenario_builder.h"

#include <catch2/catch.hpp>
#include <string>

namespace armada::swf2scenario {
namespace {

// Four users on an 8-processor, 8-node machine: user 1 a 4-processor job, user 2 two serial jobs,
// user 3 one with unknown run time, user 4 one larger than the machine.
SwfTrace SmallTrace() {
  auto trace = ParseSwf(
      "; MaxNodes: 8\n"
      "; MaxProcs: 8\n"
      "1 100 0 600 4 -1 -1 4 900 -1 1 1 10 -1 -1 -1 -1 -1\n"
      "2 160 0 60 1 -1 -1 1 900 -1 1 2 20 -1 -1 -1 -1 -1\n"
      "3 170 0 -1 1 -1 -1 1 900 -1 5 3 20 -1 -1 -1 -1 -1\n"
      "4 180 0 60 -1 -1 -1 16 900 -1 1 4 20 -1 -1 -1 -1 -1\n"
      "5 220 0 30 1 -1 -1 -1 900 -1 1 2 20 -1 -1 -1 -1 -1\n");
  REQUIRE(trace.ok());
  return *trace;
}

TEST_CASE("Convert maps users to queues, processors to gangs and divides times") {
  ConvertOptions o;
  o.from = 100;
  o.speedup = 2;
  o.half_life = absl::Hours(1);
  auto c = Convert(SmallTrace(), o);
  REQUIRE(c.ok());
  CHECK(c->converted == 3);
  CHECK(c->skipped_unknown == 1);
  CHECK(c->skipped_too_large == 1);
  CHECK(c->cluster_cpus == 8);
  const std::string& y = c->scenario_yaml;
  CHECK_THAT(y, Catch::Contains("fairShareHalfLife: 1800s\n"));
  CHECK_THAT(y, Catch::Contains("defaultPriorityClass: standard\n"));
  CHECK_THAT(y, Catch::Contains("N: {resources: {cpu: 1}}"));
  CHECK_THAT(y, Catch::Contains("- {template: N, count: 8}"));
  CHECK_THAT(y, Catch::Contains("  - {name: u1}\n  - {name: u2}\n"));
  CHECK_THAT(y, Catch::Contains("- {queue: u1, count: 4, resources: {cpu: 1}, gang: {cardinality: "
                                "4}, submitAt: 0s, runtime: 300s, activeDeadline: 450s}  # 1\n"));
  // The requested time (900 s) halved is the runtime bound.
  CHECK_THAT(y, Catch::Contains("- {queue: u2, count: 1, resources: {cpu: 1}, submitAt: 60s, "
                                "runtime: 15s, activeDeadline: 450s}  # 5\n"));
  // (last arrival 120 + longest run 600 + 2490 cpu-seconds / 8 cpus) / 2
  CHECK_THAT(y, Catch::Contains("until: 515625ms\n"));
  CHECK(c->jobs_tsv ==
        "#swf_id\tqueue\tfirst_index\tmembers\tcpus_per_member\tsubmit_s\truntime_s\n"
        "1\tu1\t0\t4\t1\t0.000\t300.000\n"
        "2\tu2\t0\t1\t1\t30.000\t30.000\n"
        "5\tu2\t1\t1\t1\t60.000\t15.000\n");
}

TEST_CASE("Convert options: single jobs, top K, group queues, slices, preemptible") {
  ConvertOptions o;
  SECTION("single: one job of P cpus on one node of MaxProcs; arrivals from the first job") {
    o.shape = ParallelShape::kSingle;
    auto c = Convert(SmallTrace(), o);
    REQUIRE(c.ok());
    CHECK_THAT(c->scenario_yaml, Catch::Contains("N: {resources: {cpu: 8}}"));
    CHECK_THAT(c->scenario_yaml,
               Catch::Contains("- {queue: u1, count: 1, resources: {cpu: 4}, "
                               "submitAt: 0s, runtime: 600s, activeDeadline: 900s}"));
  }
  SECTION("no runtime bounds; gang reservations on") {
    o.runtime_bounds = false;
    o.gang_reservations = true;
    auto c = Convert(SmallTrace(), o);
    REQUIRE(c.ok());
    CHECK_THAT(c->scenario_yaml, !Catch::Contains("activeDeadline"));
    CHECK_THAT(c->scenario_yaml, Catch::Contains("  gangReservations: true\n"));
  }
  SECTION("top 1 by cpu-seconds keeps u1 and merges u2 into other") {
    o.top_k = 1;
    auto c = Convert(SmallTrace(), o);
    REQUIRE(c.ok());
    CHECK_THAT(c->scenario_yaml, Catch::Contains("  - {name: other}\n  - {name: u1}\n"));
    CHECK_THAT(c->jobs_tsv, Catch::Contains("5\tother\t1\t"));
  }
  SECTION("group queues") {
    o.queue_key = QueueKey::kGroup;
    auto c = Convert(SmallTrace(), o);
    REQUIRE(c.ok());
    CHECK_THAT(c->scenario_yaml, Catch::Contains("  - {name: g10}\n  - {name: g20}\n"));
  }
  SECTION("window and first N count skipped jobs too") {
    o.from = 150;
    o.to = 200;
    auto c = Convert(SmallTrace(), o);
    REQUIRE(c.ok());
    CHECK(c->converted == 1);
    o.first = 2;
    c = Convert(SmallTrace(), o);
    REQUIRE(c.ok());
    CHECK(c->converted == 1);
    CHECK(c->skipped_unknown == 1);
    CHECK(c->skipped_too_large == 0);
  }
  SECTION("a cluster override that does not divide into nodes adds a smaller one") {
    o.cpus = 10;
    o.node_cpus = 4;
    auto c = Convert(SmallTrace(), o);
    REQUIRE(c.ok());
    CHECK_THAT(c->scenario_yaml, Catch::Contains("R: {resources: {cpu: 2}}"));
    CHECK_THAT(c->scenario_yaml,
               Catch::Contains("- {template: N, count: 2}\n      - {template: R}"));
  }
  SECTION("preemptible") {
    o.preemptible = true;
    auto c = Convert(SmallTrace(), o);
    REQUIRE(c.ok());
    CHECK_THAT(c->scenario_yaml, Catch::Contains("defaultPriorityClass: preemptible\n"));
  }
  SECTION("bad options are named") {
    o.speedup = 0;
    auto c = Convert(SmallTrace(), o);
    REQUIRE_FALSE(c.ok());
    CHECK_THAT(std::string(c.status().message()), Catch::StartsWith("speedup:"));
  }
}

TEST_CASE("Convert needs a cluster size from the header or the options") {
  SwfTrace trace;
  auto c = Convert(trace, ConvertOptions{});
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace armada::swf2scenario
