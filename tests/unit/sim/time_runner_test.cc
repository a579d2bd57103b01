// Time mode on small scenarios: event order, completion, `until` and resource accounting.

#include "sim/time_runner.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "sim/output.h"

namespace armada::sim {
namespace {

// One 2-cpu node.
constexpr char kCluster[] = R"(scheduling: {fairShareHalfLife: 0s}
nodeTemplates:
  N2: {resources: {cpu: 2}}
clusters:
  - {name: c1, nodes: [{template: N2}]}
queues: [{name: A}, {name: B}]
)";

TimeResult Run(const std::string& workload, const std::string& explain = "") {
  auto scenario = ParseScenario(std::string(kCluster) + workload, "s.yaml");
  REQUIRE(scenario.ok());
  auto result = RunTime(*scenario, RunOptions{explain});
  REQUIRE(result.ok());
  return *std::move(result);
}

std::vector<std::string> Lines(const TimeResult& r) {
  std::vector<std::string> out;
  for (const Event& e : r.events) {
    out.push_back(FormatSimTime(e.time) + " " + e.type + " " + e.job +
                  (e.node.empty() ? "" : " " + e.node));
  }
  return out;
}

TEST_CASE("time mode: jobs queue until a cycle has room, then succeed runtime later") {
  TimeResult r = Run(R"(workload:
  cyclePeriod: 10s
  until: 5m
  jobs:
    - {queue: A, count: 3, resources: {cpu: 1}, submitAt: 5s, runtime: 25s}
)",
                     "A/2");
  // Submitted at 5s, first cycle after is 10s: two fit. A/2 waits until the cycle at 40s
  // (A/0 and A/1 end at 35s), and ends at 65s.
  CHECK(Lines(r) ==
        std::vector<std::string>{"5s submitted A/0", "5s submitted A/1", "5s submitted A/2",
                                 "10s leased A/0 c1-0", "10s leased A/1 c1-0", "35s succeeded A/0",
                                 "35s succeeded A/1", "40s leased A/2 c1-0", "65s succeeded A/2"});
  CHECK(FormatResourceSeconds(r.used.at("A").at("cpu")) == "75");
  CHECK(r.used.at("B").empty());
  REQUIRE(r.explain.size() == 6);
  CHECK(r.explain[0].status == "submitted");
  CHECK_THAT(r.explain[1].status, Catch::StartsWith("not scheduled: pool default: "));
  CHECK(r.explain[1].time == absl::Seconds(10));
  CHECK(r.explain[4].status == "leased on c1-0");
  CHECK(r.explain[5].status == "succeeded");
  CHECK(r.explain[5].time == absl::Seconds(65));
}

TEST_CASE("time mode: job ids count each queue's submissions in time order") {
  TimeResult r = Run(R"(workload:
  cyclePeriod: 10s
  until: 1m
  jobs:
    - {queue: A, resources: {cpu: 1}, submitAt: 20s, runtime: 10s}
    - {queue: A, resources: {cpu: 1}, submitAt: 0s, runtime: 10s}
    - {queue: B, resources: {cpu: 1}, submitAt: 0s, runtime: 10s}
)");
  CHECK(Lines(r) ==
        std::vector<std::string>{"0s submitted A/0", "0s submitted B/0", "0s leased A/0 c1-0",
                                 "0s leased B/0 c1-0", "10s succeeded A/0", "10s succeeded B/0",
                                 "20s submitted A/1", "20s leased A/1 c1-0", "30s succeeded A/1"});
}

TEST_CASE("time mode: until stops the simulation and caps the accounting") {
  TimeResult r = Run(R"(workload:
  cyclePeriod: 10s
  until: 30s
  jobs:
    - {queue: A, resources: {cpu: 500m}, submitAt: 0s, runtime: 1h}
    - {queue: B, resources: {cpu: 1}, submitAt: 25s, runtime: 5s}
    - {queue: B, resources: {cpu: 1}, submitAt: 40s, runtime: 5s}
)");
  // B/0 is leased at 30s (the last cycle) and ends at 35s, after `until`; B/1 never arrives.
  CHECK(Lines(r) == std::vector<std::string>{"0s submitted A/0", "0s leased A/0 c1-0",
                                             "25s submitted B/0", "30s leased B/0 c1-0"});
  CHECK(FormatResourceSeconds(r.used.at("A").at("cpu")) == "15");
  CHECK(r.used.at("B").empty());
}

// The JSON of `scenario` run with and without skipping quiet cycles, explaining `job`.
std::pair<std::string, std::string> RunBothWays(const std::string& scenario,
                                                const std::string& job) {
  auto parsed = ParseScenario(scenario, "s.yaml");
  REQUIRE(parsed.ok());
  std::pair<std::string, std::string> out;
  for (bool skip : {true, false}) {
    RunOptions options{job, skip};
    auto result = RunTime(*parsed, options);
    REQUIRE(result.ok());
    (skip ? out.first : out.second) = TimeJson(*result, options) + TimeText(*result, options);
  }
  return out;
}

TEST_CASE("time mode: skipping quiet cycles changes nothing in the output") {
  // Long waits with nothing happening, where cycles are skipped, next to the conditions that
  // stop the skipping: rate-limit buckets refilling, decaying usage (half-life 30s), fifo, zero
  // runtimes, preemption with resubmission, and a job that never fits (explained to `until`).
  const std::string workload = R"(workload:
  cyclePeriod: 10s
  until: 20m
  resubmitPreempted: true
  jobs:
    - {queue: A, count: 2, resources: {cpu: 1}, submitAt: 0s, runtime: 5m}
    - {queue: B, count: 3, resources: {cpu: 1}, submitAt: 15s, runtime: 95s}
    - {queue: B, count: 2, resources: {cpu: 1}, submitAt: 4m, runtime: 0s}
    - {queue: A, count: 2, resources: {cpu: 1}, gang: {cardinality: 2}, submitAt: 7m, runtime: 1m}
    - {queue: B, resources: {cpu: 1}, priorityClass: urgent, submitAt: 9m, runtime: 2m}
    - {queue: A, resources: {cpu: 3}, submitAt: 10m, runtime: 1m}
)";
  const std::string classes = R"(  priorityClasses:
    low: {priority: 0, preemptible: true}
    urgent: {priority: 5, preemptible: false}
  defaultPriorityClass: low
)";
  const std::string rest = R"(nodeTemplates:
  N2: {resources: {cpu: 2}}
clusters:
  - {name: c1, nodes: [{template: N2}]}
queues: [{name: A}, {name: B}]
)" + workload;
  const std::vector<std::string> schedulings = {
      "scheduling:\n  fairShareHalfLife: 0s\n" + classes,
      "scheduling:\n  fairShareHalfLife: 30s\n" + classes,
      "scheduling:\n  fairShareHalfLife: 0s\n  maximumSchedulingRate: 0.02\n"
      "  maximumSchedulingBurst: 2\n  maximumPerQueueSchedulingRate: 0.01\n"
      "  maximumPerQueueSchedulingBurst: 2\n" +
          classes,
      "scheduling:\n  algorithm: fifo\n" + classes,
  };
  for (const std::string& scheduling : schedulings) {
    for (const std::string job : {"", "A/0", "B/2", "B/4", "A/5", "B/5"}) {
      CAPTURE(scheduling, job);
      auto [skipped, every] = RunBothWays(scheduling + rest, job);
      CHECK(skipped == every);
    }
  }
}

}  // namespace
}  // namespace armada::sim
