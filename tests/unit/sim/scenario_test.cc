// Scenario parsing: every error names file, line and key; valid files expand as SIMULATOR.md says.

#include "sim/scenario.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace armada::sim {
namespace {

// Lines 1-9; the cases append from line 10 on.
constexpr char kBase[] = R"(scheduling:
  fairShareHalfLife: 0s
nodeTemplates:
  N4: {resources: {cpu: 4, memory: 16Gi}, labels: {size: small}}
clusters:
  - {name: c1, nodes: [{template: N4, count: 2}]}
queues: [{name: A}, {name: B, priorityFactor: 2}]
jobTemplates:
  J1: {resources: {cpu: 1, memory: 1Gi}}
)";

struct ErrorCase {
  std::string name;
  std::string yaml;  // appended to kBase
  std::string message;
  absl::StatusCode code = absl::StatusCode::kInvalidArgument;
};

const std::vector<ErrorCase> kErrorCases = {
    {"unknown top-level key", "round:\n  - {}\n", "s.yaml:10: round: unknown key"},
    {"typo in a submit entry", "rounds:\n  - submit:\n      - {queue: A, cout: 3, template: J1}\n",
     "s.yaml:12: rounds[0].submit[0].cout: unknown key; known keys: queue, count"},
    {"neither rounds nor workload", "", "rounds: exactly one of `rounds`"},
    {"both rounds and workload", "rounds: []\nworkload: {jobs: []}\n",
     "workload: exactly one of `rounds`"},
    {"unknown job template", "rounds:\n  - submit: [{queue: A, template: J9}]\n",
     "s.yaml:11: rounds[0].submit[0].template: unknown job template J9"},
    {"unknown queue", "rounds:\n  - submit: [{queue: Z, template: J1}]\n",
     "s.yaml:11: rounds[0].submit[0].queue: unknown queue Z"},
    {"template and resources", "rounds:\n  - submit: [{queue: A, template: J1, resources: {}}]\n",
     "rounds[0].submit[0].template: exactly one of `template` or `resources`"},
    {"bad quantity", "rounds:\n  - submit: [{queue: A, resources: {cpu: 1x}}]\n",
     "s.yaml:11: rounds[0].submit[0].resources: resource \"cpu\": invalid quantity"},
    {"bad count", "rounds:\n  - submit: [{queue: A, template: J1, count: two}]\n",
     "rounds[0].submit[0].count: expected an integer, got \"two\""},
    {"unknown priority class",
     "rounds:\n  - submit: [{queue: A, template: J1, priorityClass: nope}]\n",
     "rounds[0].submit[0].priorityClass: unknown priority class nope"},
    {"time-mode key in round mode",
     "rounds:\n  - submit: [{queue: A, template: J1, submitAt: 0s}]\n",
     "rounds[0].submit[0].submitAt: unknown key"},
    {"missing runtime in time mode",
     "workload:\n  jobs:\n    - {queue: A, template: J1, submitAt: 0s}\n",
     "s.yaml:12: workload.jobs[0].runtime: required in time mode"},
    {"bad duration", "workload:\n  cyclePeriod: often\n  jobs: []\n",
     "s.yaml:11: workload.cyclePeriod: \"often\" is not a duration"},
    {"count not a multiple of the gang cardinality",
     "rounds:\n  - submit:\n      - {queue: A, template: J1, count: 6, gang: {cardinality: 4}}\n",
     "s.yaml:12: rounds[0].submit[0].gang.cardinality: count 6 is not a multiple of the gang "
     "cardinality 4"},
    {"gang cardinality below one",
     "rounds:\n  - submit:\n      - {queue: A, template: J1, count: 8, gang: {cardinality: 0}}\n",
     "s.yaml:12: rounds[0].submit[0].gang.cardinality: must be >= 1"},
    {"misspelt section", "nodeTemplates2: {}\nrounds: []\n", "nodeTemplates2: unknown key"},
    {"yaml syntax error", "rounds: [\n", "s.yaml:"},
};

TEST_CASE("ParseScenario rejects malformed scenarios naming file, line and key") {
  auto c = GENERATE(from_range(kErrorCases));
  DYNAMIC_SECTION(c.name) {
    auto s = ParseScenario(std::string(kBase) + c.yaml, "s.yaml");
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().code() == c.code);
    CHECK_THAT(std::string(s.status().message()), Catch::Contains(c.message));
  }
}

TEST_CASE("ParseScenario rejects bad scheduling sections") {
  SECTION("unknown scheduling key") {
    auto s = ParseScenario("scheduling: {fairShareHalfLif: 1s}\nclusters: []\n", "s.yaml");
    REQUIRE_FALSE(s.ok());
    CHECK_THAT(std::string(s.status().message()),
               Catch::Contains("s.yaml:1: scheduling:") && Catch::Contains("fairShareHalfLif"));
  }
  SECTION("protectedFractionOfFairShare out of range") {
    auto s = ParseScenario("scheduling: {protectedFractionOfFairShare: 2}\n", "s.yaml");
    REQUIRE_FALSE(s.ok());
    CHECK_THAT(std::string(s.status().message()),
               Catch::Contains("s.yaml:1: scheduling.protectedFractionOfFairShare: must be in"));
  }
  SECTION("bad taint effect") {
    auto s = ParseScenario(
        "nodeTemplates:\n  T: {resources: {cpu: 1}, taints: [{key: k, effect: Never}]}\n",
        "s.yaml");
    REQUIRE_FALSE(s.ok());
    CHECK_THAT(std::string(s.status().message()),
               Catch::Contains("s.yaml:2: nodeTemplates.T.taints[0].effect: expected NoSchedule"));
  }
}

TEST_CASE("ParseScenario expands clusters, nodes and jobs") {
  const std::string yaml = std::string(kBase) + R"(  J2: {resources: {cpu: 2}}
rounds:
  - submit:
      - {queue: A, count: 3, template: J1, priority: 2, nodeSelector: {size: small}}
      - queue: B
        resources: {cpu: 500m}
        tolerations: [{key: gpu, operator: Exists, effect: NoSchedule}]
  - withdrawUnscheduled: false
  - {}
)";
  auto s = ParseScenario(yaml, "s.yaml");
  REQUIRE(s.ok());
  CHECK_FALSE(s->time_mode());
  CHECK(s->scheduling.fair_share.half_life == absl::ZeroDuration());
  REQUIRE(s->nodes.size() == 2);
  CHECK(s->nodes[1].name == "c1-1");
  CHECK(s->nodes[1].executor == "c1");
  CHECK(s->nodes[1].pool == "default");
  CHECK(s->nodes[1].labels.at("size") == "small");
  CHECK(s->nodes[1].allocatable.Get("cpu") == 4000);
  REQUIRE(s->queues.size() == 2);
  CHECK(s->queues[1].priority_factor == 2);
  REQUIRE(s->rounds.size() == 3);
  REQUIRE(s->rounds[0].submit.size() == 2);
  const JobSpec& a = s->rounds[0].submit[0];
  CHECK(a.count == 3);
  CHECK(a.priority == 2);
  CHECK(a.resources.Get("memory") == 1024LL * 1024 * 1024 * 1000);
  CHECK(a.node_selector.at("size") == "small");
  const JobSpec& b = s->rounds[0].submit[1];
  CHECK(b.resources.Get("cpu") == 500);
  REQUIRE(b.tolerations.size() == 1);
  CHECK(b.tolerations[0].op == "Exists");
  CHECK(s->rounds[0].withdraw_unscheduled);
  CHECK_FALSE(s->rounds[1].withdraw_unscheduled);
  CHECK(s->rounds[2].submit.empty());
}

TEST_CASE("ParseScenario merges node labels and reads allocated, pools and the workload") {
  const std::string yaml = R"(scheduling: {protectedFractionOfFairShare: 0.5}
nodeTemplates:
  N: {resources: {cpu: 8}, labels: {a: "1", b: "1"}, taints: [{key: k, value: v, effect: NoSchedule}]}
clusters:
  - {name: x, pool: p1, nodes: [{template: N}]}
  - name: y
    nodes:
      - {template: N, count: 2, labels: {b: "2"}, allocated: {cpu: 3}}
queues: [{name: A}]
workload:
  cyclePeriod: 5s
  until: 2m
  jobs:
    - {queue: A, count: 2, resources: {cpu: 1}, submitAt: 30s, runtime: 1m}
)";
  auto s = ParseScenario(yaml, "s.yaml");
  REQUIRE(s.ok());
  CHECK(s->scheduling.fair_share.protected_fraction_of_fair_share == 0.5);
  REQUIRE(s->nodes.size() == 3);
  CHECK(s->nodes[0].name == "x-0");
  CHECK(s->nodes[0].pool == "p1");
  CHECK(s->nodes[2].name == "y-1");
  CHECK(s->nodes[2].pool == "default");
  CHECK(s->nodes[2].labels.at("a") == "1");
  CHECK(s->nodes[2].labels.at("b") == "2");
  CHECK(s->nodes[2].allocated.Get("cpu") == 3000);
  REQUIRE(s->nodes[2].taints.size() == 1);
  CHECK(s->PoolCount() == 2);
  REQUIRE(s->time_mode());
  CHECK(s->workload->cycle_period == absl::Seconds(5));
  CHECK(s->workload->until == absl::Minutes(2));
  REQUIRE(s->workload->jobs.size() == 1);
  CHECK(s->workload->jobs[0].submit_at == absl::Seconds(30));
  CHECK(s->workload->jobs[0].runtime == absl::Minutes(1));
}

}  // namespace
}  // namespace armada::sim
