#include "lib/scheduling/scheduling_config.h"

#include "absl/strings/str_cat.h"
#include "lib/common/status_macros.h"
#include "lib/common/yaml_config.h"
#include "lib/scheduling/fair_share_scheduler.h"
#include "lib/scheduling/fifo_scheduler.h"

namespace armada::scheduling {
namespace {

absl::Status ParseFractions(const YAML::Node& node, const std::string& key,
                            std::map<std::string, double>& out) {
  if (!node.IsMap())
    return absl::InvalidArgumentError(key + ": expected a map of resource: fraction");
  out.clear();
  for (const auto& entry : node) out[entry.first.as<std::string>()] = entry.second.as<double>();
  return absl::OkStatus();
}

absl::Status ParsePriorityClasses(const YAML::Node& node, FairShareConfig& config) {
  if (!node.IsMap()) return absl::InvalidArgumentError("priorityClasses: expected a map");
  config.priority_classes.clear();
  for (const auto& entry : node) {
    const std::string name = entry.first.as<std::string>();
    const YAML::Node& pc = entry.second;
    RETURN_IF_ERROR(
        common::CheckKnownKeys(pc, {"priority", "preemptible", "maximumResourceFractionPerQueue"}));
    PriorityClass out;
    if (pc["priority"]) out.priority = pc["priority"].as<int32_t>();
    if (pc["preemptible"]) out.preemptible = pc["preemptible"].as<bool>();
    if (pc["maximumResourceFractionPerQueue"]) {
      RETURN_IF_ERROR(ParseFractions(pc["maximumResourceFractionPerQueue"],
                                     "priorityClasses." + name + ".maximumResourceFractionPerQueue",
                                     out.maximum_resource_fraction_per_queue));
    }
    config.priority_classes[name] = std::move(out);
  }
  return absl::OkStatus();
}

}  // namespace

FairShareConfig SchedulingConfig::DefaultFairShare() {
  FairShareConfig config;
  config.half_life = absl::Hours(1);
  return config;
}

absl::Status ParseSchedulingConfig(const YAML::Node& node, SchedulingConfig& config) {
  RETURN_IF_ERROR(common::CheckKnownKeys(
      node, {"algorithm", "fairnessResources", "fairShareHalfLife", "fairShareHalfLifeByPool",
             "priorityClasses", "defaultPriorityClass", "maximumResourceFractionToSchedule",
             "maximumSchedulingRate", "maximumSchedulingBurst", "maximumPerQueueSchedulingRate",
             "maximumPerQueueSchedulingBurst", "maxCycleTime", "enableFairSharePreemption",
             "protectedFractionOfFairShare", "maximumFairSharePreemptionRate",
             "maximumFairSharePreemptionBurst", "gangReservations", "gangReservationsByPool"}));
  auto& fs = config.fair_share;
  if (node["algorithm"]) {
    config.algorithm = node["algorithm"].as<std::string>();
    if (config.algorithm != "fairShare" && config.algorithm != "fifo") {
      return absl::InvalidArgumentError(
          absl::StrCat("algorithm: \"", config.algorithm, "\" is not one of fairShare, fifo"));
    }
  }
  if (const YAML::Node resources = node["fairnessResources"]) {
    fs.fairness_resources.clear();
    for (const auto& r : resources) {
      if (r.IsScalar()) {
        fs.fairness_resources.push_back({r.as<std::string>(), 1.0});
      } else {
        RETURN_IF_ERROR(common::CheckKnownKeys(r, {"name", "multiplier"}));
        fs.fairness_resources.push_back(
            {r["name"].as<std::string>(), r["multiplier"] ? r["multiplier"].as<double>() : 1.0});
      }
    }
  }
  RETURN_IF_ERROR(common::ReadDuration(node, "fairShareHalfLife", &fs.half_life));
  if (const YAML::Node pools = node["fairShareHalfLifeByPool"]) {
    if (!pools.IsMap()) {
      return absl::InvalidArgumentError(
          "fairShareHalfLifeByPool: expected a map of pool: duration");
    }
    for (const auto& entry : pools) {
      const std::string pool = entry.first.as<std::string>();
      absl::Duration h;
      if (!absl::ParseDuration(entry.second.as<std::string>(), &h)) {
        return absl::InvalidArgumentError(absl::StrCat("fairShareHalfLifeByPool.", pool, ": \"",
                                                       entry.second.as<std::string>(),
                                                       "\" is not a duration"));
      }
      fs.half_life_by_pool[pool] = h;
    }
  }
  if (node["priorityClasses"]) RETURN_IF_ERROR(ParsePriorityClasses(node["priorityClasses"], fs));
  if (node["defaultPriorityClass"]) {
    fs.default_priority_class = node["defaultPriorityClass"].as<std::string>();
  }
  if (node["maximumResourceFractionToSchedule"]) {
    RETURN_IF_ERROR(ParseFractions(node["maximumResourceFractionToSchedule"],
                                   "maximumResourceFractionToSchedule",
                                   fs.maximum_resource_fraction_to_schedule));
  }
  if (node["maximumSchedulingRate"]) {
    fs.maximum_scheduling_rate = node["maximumSchedulingRate"].as<double>();
  }
  if (node["maximumSchedulingBurst"]) {
    fs.maximum_scheduling_burst = node["maximumSchedulingBurst"].as<int64_t>();
  }
  if (node["maximumPerQueueSchedulingRate"]) {
    fs.maximum_per_queue_scheduling_rate = node["maximumPerQueueSchedulingRate"].as<double>();
  }
  if (node["maximumPerQueueSchedulingBurst"]) {
    fs.maximum_per_queue_scheduling_burst = node["maximumPerQueueSchedulingBurst"].as<int64_t>();
  }
  if (node["enableFairSharePreemption"]) {
    fs.enable_fair_share_preemption = node["enableFairSharePreemption"].as<bool>();
  }
  if (node["protectedFractionOfFairShare"]) {
    fs.protected_fraction_of_fair_share = node["protectedFractionOfFairShare"].as<double>();
  }
  if (node["gangReservations"]) fs.gang_reservations = node["gangReservations"].as<bool>();
  if (const YAML::Node pools = node["gangReservationsByPool"]) {
    if (!pools.IsMap()) {
      return absl::InvalidArgumentError("gangReservationsByPool: expected a map of pool: bool");
    }
    for (const auto& entry : pools) {
      fs.gang_reservations_by_pool[entry.first.as<std::string>()] = entry.second.as<bool>();
    }
  }
  if (node["maximumFairSharePreemptionRate"]) {
    fs.maximum_fair_share_preemption_rate = node["maximumFairSharePreemptionRate"].as<double>();
  }
  if (node["maximumFairSharePreemptionBurst"]) {
    fs.maximum_fair_share_preemption_burst = node["maximumFairSharePreemptionBurst"].as<int64_t>();
  }
  RETURN_IF_ERROR(common::ReadDuration(node, "maxCycleTime", &config.max_cycle_time));
  if (config.max_cycle_time < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat("maxCycleTime: must be >= 0, got ",
                                                   absl::FormatDuration(config.max_cycle_time)));
  }
  return fs.Validate();
}

absl::StatusOr<std::unique_ptr<Scheduler>> MakeScheduler(const SchedulingConfig& config) {
  if (config.algorithm == "fifo") return std::make_unique<FifoScheduler>();
  ASSIGN_OR_RETURN(auto scheduler, FairShareScheduler::Create(config.fair_share));
  return std::unique_ptr<Scheduler>(std::move(scheduler));
}

}  // namespace armada::scheduling
