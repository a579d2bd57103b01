#include "lib/scheduling/scheduling_config.h"

#include <catch2/catch.hpp>

#include "lib/scheduling/fair_share_scheduler.h"
#include "lib/scheduling/fifo_scheduler.h"

namespace armada::scheduling {
namespace {

absl::Status Parse(const std::string& yaml, SchedulingConfig& config) {
  return ParseSchedulingConfig(YAML::Load(yaml), config);
}

TEST_CASE("scheduling config: defaults give the fair-share scheduler with a one-hour half-life") {
  SchedulingConfig config;
  REQUIRE(Parse("{}", config).ok());
  CHECK(config.fair_share.half_life == absl::Hours(1));
  CHECK(config.max_cycle_time == absl::Seconds(5));
  CHECK(config.fair_share.maximum_scheduling_rate == 0);
  CHECK(config.fair_share.maximum_per_queue_scheduling_rate == 0);
  CHECK_FALSE(config.fair_share.gang_reservations);  // opt-in: docs/benchmarks.md
  auto scheduler = MakeScheduler(config);
  REQUIRE(scheduler.ok());
  CHECK(dynamic_cast<FairShareScheduler*>(scheduler->get()) != nullptr);
}

TEST_CASE("scheduling config: every key is read") {
  SchedulingConfig config;
  REQUIRE(Parse(R"(
algorithm: fairShare
fairnessResources: [cpu, {name: nvidia.com/gpu, multiplier: 4}]
fairShareHalfLife: 30m
priorityClasses:
  low: {priority: 10, preemptible: true}
  high: {priority: 100, maximumResourceFractionPerQueue: {cpu: 0.5}}
defaultPriorityClass: low
maximumResourceFractionToSchedule: {cpu: 0.25}
maximumSchedulingRate: 100
maximumSchedulingBurst: 1000
maximumPerQueueSchedulingRate: 50.5
maximumPerQueueSchedulingBurst: 200
maxCycleTime: 2s
gangReservations: true
gangReservationsByPool: {gpu: false}
)",
                config)
              .ok());
  const auto& fs = config.fair_share;
  CHECK(fs.GangReservationsIn("default"));
  CHECK_FALSE(fs.GangReservationsIn("gpu"));
  REQUIRE(fs.fairness_resources.size() == 2);
  CHECK(fs.fairness_resources[1].name == "nvidia.com/gpu");
  CHECK(fs.fairness_resources[1].multiplier == 4);
  CHECK(fs.half_life == absl::Minutes(30));
  CHECK(fs.priority_classes.size() == 2);
  CHECK(fs.priority_classes.at("low").preemptible);
  CHECK(fs.priority_classes.at("high").maximum_resource_fraction_per_queue.at("cpu") == 0.5);
  CHECK(fs.default_priority_class == "low");
  CHECK(fs.maximum_resource_fraction_to_schedule.at("cpu") == 0.25);
  CHECK(fs.maximum_scheduling_rate == 100);
  CHECK(fs.maximum_scheduling_burst == 1000);
  CHECK(fs.maximum_per_queue_scheduling_rate == 50.5);
  CHECK(fs.maximum_per_queue_scheduling_burst == 200);
  CHECK(config.max_cycle_time == absl::Seconds(2));
}

TEST_CASE("scheduling config: maxCycleTime 0 switches the limit off") {
  SchedulingConfig config;
  REQUIRE(Parse("maxCycleTime: 0s", config).ok());
  CHECK(config.max_cycle_time == absl::ZeroDuration());
}

TEST_CASE("scheduling config: fifo can be chosen") {
  SchedulingConfig config;
  REQUIRE(Parse("algorithm: fifo", config).ok());
  auto scheduler = MakeScheduler(config);
  REQUIRE(scheduler.ok());
  CHECK(dynamic_cast<FifoScheduler*>(scheduler->get()) != nullptr);
}

TEST_CASE("scheduling config: mistakes are named") {
  SchedulingConfig config;
  CHECK_THAT(std::string(Parse("algorithm: random", config).message()),
             Catch::Contains("\"random\" is not one of fairShare, fifo"));
  CHECK_THAT(std::string(Parse("fairShareHalfLfe: 1h", config).message()),
             Catch::Contains("unknown key \"fairShareHalfLfe\""));
  CHECK_THAT(std::string(Parse("defaultPriorityClass: nope", config).message()),
             Catch::Contains("nope"));
  CHECK_FALSE(Parse("fairShareHalfLife: -1h", config).ok());
  CHECK_THAT(std::string(Parse("maxCycleTime: -1s", config).message()),
             Catch::Contains("maxCycleTime: must be >= 0, got -1s"));
  SchedulingConfig fresh;
  CHECK_THAT(std::string(Parse("maximumSchedulingRate: 10", fresh).message()),
             Catch::Contains("maximum_scheduling_burst"));
}

}  // namespace
}  // namespace armada::scheduling
