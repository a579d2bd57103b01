#include "lib/scheduling/fair_share_config.h"

#include <catch2/catch.hpp>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "lib/scheduling/fair_share_scheduler.h"

namespace armada::scheduling {
namespace {

TEST_CASE("fair share config: defaults are Armada's and valid") {
  FairShareConfig config;
  CHECK(config.Validate().ok());
  CHECK(config.half_life == absl::ZeroDuration());
  REQUIRE(config.fairness_resources.size() == 4);
  CHECK(config.fairness_resources[2].name == "nvidia.com/gpu");
  const PriorityClass& def = config.priority_classes.at("armada-default");
  CHECK(def.priority == 1000);
  CHECK_FALSE(def.preemptible);
  CHECK(def.maximum_resource_fraction_per_queue.at("cpu") == 1.0);
  CHECK(config.priority_classes.at("armada-preemptible").preemptible);
  CHECK(config.maximum_resource_fraction_to_schedule.empty());
  // Unlike Armada (100/s and 50/s), no rate limits by default.
  CHECK(config.maximum_scheduling_rate == 0);
  CHECK(config.maximum_per_queue_scheduling_rate == 0);
}

struct Case {
  std::string name;
  std::function<void(FairShareConfig&)> mutate;
  std::string field;  // must appear in the error message
};

const std::vector<Case> kCases = {
    {"no fairness resources", [](auto& c) { c.fairness_resources.clear(); }, "fairness_resources"},
    {"empty resource name", [](auto& c) { c.fairness_resources[1].name = ""; },
     "fairness_resources[1].name"},
    {"duplicate resource", [](auto& c) { c.fairness_resources[1].name = "cpu"; },
     "fairness_resources[1].name"},
    {"zero multiplier", [](auto& c) { c.fairness_resources[0].multiplier = 0; },
     "fairness_resources[0].multiplier"},
    {"negative half-life", [](auto& c) { c.half_life = absl::Seconds(-1); }, "half_life"},
    {"infinite half-life", [](auto& c) { c.half_life = absl::InfiniteDuration(); }, "half_life"},
    {"negative class priority", [](auto& c) { c.priority_classes["armada-default"].priority = -1; },
     "priority_classes[\"armada-default\"].priority"},
    {"class fraction above one",
     [](auto& c) {
       c.priority_classes["armada-default"].maximum_resource_fraction_per_queue["cpu"] = 1.5;
     },
     "priority_classes[\"armada-default\"].maximum_resource_fraction_per_queue[\"cpu\"]"},
    {"unknown default class", [](auto& c) { c.default_priority_class = "gold"; },
     "default_priority_class"},
    {"zero round fraction", [](auto& c) { c.maximum_resource_fraction_to_schedule["cpu"] = 0; },
     "maximum_resource_fraction_to_schedule[\"cpu\"]"},
    {"negative global rate", [](auto& c) { c.maximum_scheduling_rate = -1; },
     "maximum_scheduling_rate"},
    {"global rate without a burst",
     [](auto& c) {
       c.maximum_scheduling_rate = 100;
       c.maximum_scheduling_burst = 0;
     },
     "maximum_scheduling_burst: must be >= 1 when the rate is > 0"},
    {"infinite queue rate",
     [](auto& c) { c.maximum_per_queue_scheduling_rate = std::numeric_limits<double>::infinity(); },
     "maximum_per_queue_scheduling_rate"},
    {"queue rate without a burst", [](auto& c) { c.maximum_per_queue_scheduling_rate = 1; },
     "maximum_per_queue_scheduling_burst"},
    {"negative queue burst", [](auto& c) { c.maximum_per_queue_scheduling_burst = -1; },
     "maximum_per_queue_scheduling_burst: must be >= 0"},
};

TEST_CASE("fair share config: validation names the bad field") {
  auto c = GENERATE(from_range(kCases));
  DYNAMIC_SECTION(c.name) {
    FairShareConfig config;
    c.mutate(config);
    absl::Status status = config.Validate();
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(status.message()), Catch::Contains(c.field));
    CHECK(FairShareScheduler::Create(config).status().code() == absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace armada::scheduling
