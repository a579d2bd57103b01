// `expect` parsing and `armada-sim check`: index lists, exact sets per queue, mismatch lines;
// `finish`, `cordonNodes` and `roundPeriod` in round mode.

#include "sim/check.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "sim/round_runner.h"

namespace armada::sim {
namespace {

// Two 4-cpu nodes; A and B weigh the same. Lines 1-8; cases append from line 9 on.
constexpr char kCluster[] = R"(scheduling: {fairShareHalfLife: 0s}
nodeTemplates:
  N4: {resources: {cpu: 4, memory: 16Gi}}
clusters:
  - {name: c1, nodes: [{template: N4, count: 2}]}
queues: [{name: A}, {name: B}]
jobTemplates:
  J1: {resources: {cpu: 1, memory: 1Gi}}
)";

std::vector<std::string> Check(const std::string& rounds) {
  auto scenario = ParseScenario(std::string(kCluster) + rounds, "s.yaml");
  REQUIRE(scenario.ok());
  auto result = RunRounds(*scenario, RunOptions{});
  REQUIRE(result.ok());
  return CheckRounds(*scenario, *result);
}

TEST_CASE("FormatIndices joins runs into ranges") {
  CHECK(FormatIndices({}) == "none");
  CHECK(FormatIndices({7}) == "7");
  CHECK(FormatIndices({0, 1, 2, 3, 7, 9, 10}) == "0-3,7,9-10");
}

TEST_CASE("expect: index lists in every accepted form") {
  auto s = ParseScenario(std::string(kCluster) + R"(rounds:
  - submit: [{queue: A, count: 10, template: J1}, {queue: B, count: 2, template: J1}]
    expect: {scheduled: {A: "0-3, 7", B: [0, "1-1"]}}
  - expect: {scheduled: {A: {0: 2}, B: []}, preempted: {A: {0: "8-9"}}}
  - {}
)",
                         "s.yaml");
  REQUIRE(s.ok());
  REQUIRE(s->rounds[0].expect.has_value());
  CHECK(s->rounds[0].expect->scheduled.at("A").at(0) == std::set<int64_t>{0, 1, 2, 3, 7});
  CHECK(s->rounds[0].expect->scheduled.at("B").at(0) == std::set<int64_t>{0, 1});
  CHECK(s->rounds[1].expect->scheduled.at("A").at(0) == std::set<int64_t>{2});
  CHECK(s->rounds[1].expect->preempted.at("A").at(0) == std::set<int64_t>{8, 9});
  CHECK_FALSE(s->rounds[2].expect.has_value());
}

TEST_CASE("check: a matching scenario has no mismatches; an empty expect means nothing") {
  CHECK(Check(R"(rounds:
  - submit: [{queue: A, count: 10, template: J1}]
    expect: {scheduled: {A: "0-7"}}
  - expect: {}
  - submit: [{queue: B, count: 1, template: J1}]
)")
            .empty());
}

TEST_CASE("check: one line per queue that differs, naming round, expected and actual") {
  const auto lines = Check(R"(rounds:
  - submit: [{queue: A, count: 4, template: J1}, {queue: B, count: 4, template: J1}]
    expect: {scheduled: {A: "0-2"}, preempted: {B: {0: 1}}}
)");
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "round 0: scheduled A: expected 0-2, got 0-3");
  CHECK(lines[1] == "round 0: scheduled B: expected none, got 0-3");
  CHECK(lines[2] == "round 0: preempted B: expected {0: 1}, got none");
}

TEST_CASE("check: jobs left queued and leased later are named by round") {
  const auto lines = Check(R"(rounds:
  - submit: [{queue: A, count: 10, template: J1}]
    withdrawUnscheduled: false
  - finish: {A: {0: "0-1"}}
    expect: {scheduled: {A: {0: 7}}}
)");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "round 1: scheduled A: expected {0: 7}, got {0: 8-9}");
}

TEST_CASE("round mode: finish frees the node, cordonNodes lasts") {
  auto s = ParseScenario(std::string(kCluster) + R"(rounds:
  - submit: [{queue: A, count: 8, template: J1}]
  - finish: {A: {0: "0-3"}}
    cordonNodes: [c1-0]
    submit: [{queue: B, count: 8, template: J1}]
  - finish: {A: {0: "4-7"}}
    submit: [{queue: B, count: 8, template: J1}]
)",
                         "s.yaml");
  REQUIRE(s.ok());
  auto r = RunRounds(*s, RunOptions{});
  REQUIRE(r.ok());
  // A's first four jobs ran on c1-0 (best fit fills one node first) or on c1-1: whichever node
  // they freed, only the uncordoned one takes B's jobs, and c1-0 stays closed in round 2.
  for (size_t round = 1; round < 3; ++round) {
    for (const auto& [job, node] : r->rounds[round].scheduled) CHECK(node == "c1-1");
  }
}

TEST_CASE("finish of a job that is not running is an error naming the round") {
  auto s = ParseScenario(std::string(kCluster) + R"(rounds:
  - submit: [{queue: A, count: 9, template: J1}]
  - finish: {A: {0: 8}}
)",
                         "s.yaml");
  REQUIRE(s.ok());
  auto r = RunRounds(*s, RunOptions{});
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(std::string(r.status().message()),
             Catch::Contains("11: rounds[1].finish: job A/0/8 is not running before round 1"));
}

struct ErrorCase {
  std::string name;
  std::string yaml;  // appended to kCluster
  std::string message;
};

TEST_CASE("expect, finish, cordonNodes and roundPeriod reject hostile input") {
  auto c = GENERATE(values<ErrorCase>({
      {"reversed range",
       "rounds:\n  - submit: [{queue: A, count: 4, template: J1}]\n"
       "    expect: {scheduled: {A: \"3-1\"}}\n",
       "s.yaml:11: rounds[0].expect.scheduled.A: bad range \"3-1\": 3 > 1"},
      {"negative index",
       "rounds:\n  - submit: [{queue: A, count: 4, template: J1}]\n"
       "    expect: {scheduled: {A: \"-1\"}}\n",
       "bad index or range \"-1\""},
      {"empty string",
       "rounds:\n  - submit: [{queue: A, count: 4, template: J1}]\n"
       "    expect: {scheduled: {A: \"\"}}\n",
       "empty index list"},
      {"out of range",
       "rounds:\n  - submit: [{queue: A, count: 4, template: J1}]\n"
       "    expect: {scheduled: {A: 4}}\n",
       "index 4 out of range: queue A submits 4 jobs in round 0 (indices 0-3)"},
      {"queue without jobs",
       "rounds:\n  - submit: [{queue: A, count: 4, template: J1}]\n"
       "    expect: {scheduled: {B: 0}}\n",
       "index 0 out of range: queue B submits 0 jobs in round 0"},
      {"unknown queue", "rounds:\n  - expect: {preempted: {Z: {0: 0}}}\n",
       "rounds[0].expect.preempted.Z: unknown queue Z"},
      {"future round",
       "rounds:\n  - submit: [{queue: A, count: 4, template: J1}]\n"
       "    expect: {preempted: {A: {3: 0}}}\n",
       "preempted names jobs of round 3, but only rounds 0 to 0 can be named here"},
      {"round key not a number", "rounds:\n  - expect: {preempted: {A: {x: 0}}}\n",
       "expected a round number >= 0 as the key"},
      {"finish this round",
       "rounds:\n  - submit: [{queue: A, count: 4, template: J1}]\n"
       "    finish: {A: {0: 0}}\n",
       "only jobs of earlier rounds can be named here"},
      {"unknown node", "rounds:\n  - cordonNodes: [c1-2]\n",
       "s.yaml:10: rounds[0].cordonNodes[0]: unknown node c1-2"},
      {"zero roundPeriod", "roundPeriod: 0s\nrounds: []\n", "s.yaml:9: roundPeriod: must be > 0"},
      {"roundPeriod in time mode", "roundPeriod: 1s\nworkload: {jobs: []}\n",
       "roundPeriod: only in round mode"},
  }));
  DYNAMIC_SECTION(c.name) {
    auto s = ParseScenario(std::string(kCluster) + c.yaml, "s.yaml");
    REQUIRE_FALSE(s.ok());
    CHECK_THAT(std::string(s.status().message()), Catch::Contains(c.message));
  }
}

}  // namespace
}  // namespace armada::sim
