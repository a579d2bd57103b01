// Round mode on small scenarios: job ids, persistence of running jobs, withdrawal and explain.

#include "sim/round_runner.h"

#include <catch2/catch.hpp>
#include <string>

namespace armada::sim {
namespace {

// Two 4-cpu nodes; A and B weigh the same.
constexpr char kCluster[] = R"(scheduling: {fairShareHalfLife: 0s}
nodeTemplates:
  N4: {resources: {cpu: 4, memory: 16Gi}}
clusters:
  - {name: c1, nodes: [{template: N4, count: 2}]}
queues: [{name: A}, {name: B}]
jobTemplates:
  J1: {resources: {cpu: 1, memory: 1Gi}}
)";

RoundResult Run(const std::string& rounds, const std::string& explain = "") {
  auto scenario = ParseScenario(std::string(kCluster) + rounds, "s.yaml");
  REQUIRE(scenario.ok());
  auto result = RunRounds(*scenario, RunOptions{explain});
  REQUIRE(result.ok());
  return *std::move(result);
}

int CountOf(const RoundRecord& r, const std::string& prefix) {
  int n = 0;
  for (const auto& [job, node] : r.scheduled) n += job.starts_with(prefix) ? 1 : 0;
  return n;
}

TEST_CASE("round mode: equal weights split a saturated cluster evenly") {
  RoundResult r = Run(R"(rounds:
  - submit:
      - {queue: A, count: 10, template: J1}
      - {queue: B, count: 10, template: J1}
)");
  REQUIRE(r.rounds.size() == 1);
  const RoundRecord& round = r.rounds[0];
  CHECK(round.scheduled.size() == 8);
  CHECK(CountOf(round, "A/0/") == 4);
  CHECK(CountOf(round, "B/0/") == 4);
  CHECK(round.scheduled[0].first == "A/0/0");  // submission order
  CHECK(round.preempted.empty());
  REQUIRE(round.queues.size() == 2);
  CHECK(round.queues[0].key == "A");
  CHECK(round.queues[0].running == 4);
  CHECK(round.queues[0].fair_share == Approx(0.5));
  CHECK(round.queues[0].adjusted_fair_share == Approx(0.5));
  CHECK(round.queues[0].actual_share == Approx(0.5));
}

TEST_CASE("round mode: jobs keep running in later rounds, and INDEX restarts per round") {
  RoundResult r = Run(R"(rounds:
  - submit: [{queue: A, count: 3, template: J1}]
  - submit:
      - {queue: A, count: 2, template: J1}
      - {queue: B, count: 1, template: J1}
      - {queue: A, count: 1, template: J1}
)");
  REQUIRE(r.rounds.size() == 2);
  CHECK(r.rounds[0].scheduled.size() == 3);
  const RoundRecord& second = r.rounds[1];
  REQUIRE(second.scheduled.size() == 4);
  CHECK(second.scheduled[0].first == "A/1/0");
  CHECK(second.scheduled[1].first == "A/1/1");
  CHECK(second.scheduled[2].first == "B/1/0");
  CHECK(second.scheduled[3].first == "A/1/2");
  CHECK(second.queues[0].running == 6);
  CHECK(second.queues[1].running == 1);
}

TEST_CASE("round mode: withdrawUnscheduled decides whether leftovers stay queued") {
  const std::string first = R"(rounds:
  - submit: [{queue: A, count: 10, template: J1}]
)";
  SECTION("withdrawn by default") {
    RoundResult r = Run(first + "  - {}\n");
    CHECK(r.rounds[0].scheduled.size() == 8);
    CHECK(r.rounds[1].scheduled.empty());
    CHECK(r.rounds[1].queues[0].running == 8);
  }
  SECTION("kept when false, still no room") {
    RoundResult r = Run(R"(rounds:
  - submit: [{queue: A, count: 10, template: J1}]
    withdrawUnscheduled: false
  - {}
)",
                        "A/0/9");
    CHECK(r.rounds[1].scheduled.empty());
    CHECK_THAT(r.rounds[0].explain, Catch::StartsWith("not scheduled: pool default: "));
    CHECK_THAT(r.rounds[1].explain, Catch::StartsWith("not scheduled: "));
    CHECK_THAT(r.rounds[1].explain, Catch::EndsWith("(withdrawn after this round)"));
  }
}

TEST_CASE("round mode: explain follows one job") {
  RoundResult r = Run(R"(rounds:
  - {}
  - submit: [{queue: A, count: 2, template: J1}]
  - {}
)",
                      "A/1/1");
  REQUIRE(r.rounds.size() == 3);
  CHECK(r.rounds[0].explain == "not submitted yet");
  CHECK_THAT(r.rounds[1].explain, Catch::StartsWith("scheduled on c1-"));
  CHECK_THAT(r.rounds[2].explain, Catch::StartsWith("running on c1-"));
  CHECK_THAT(r.rounds[2].explain, Catch::EndsWith("(scheduled in round 1)"));
}

}  // namespace
}  // namespace armada::sim
