#pragma once

// The `scheduling:` section of the server config: which algorithm, and the
// fair-share scheduler's settings. Same keys as armada-sim's scenario files
// (../shared/design/SIMULATOR.md).

#include <memory>

#include <yaml-cpp/yaml.h>

#include "absl/status/statusor.h"
#include "lib/scheduling/fair_share_config.h"
#include "lib/scheduling/scheduler.h"

namespace armada::scheduling {

struct SchedulingConfig {
  // "fairShare" (the default) or "fifo".
  std::string algorithm = "fairShare";
  FairShareConfig fair_share = DefaultFairShare();

  // The server's defaults: those of FairShareConfig, with a one-hour half-life
  // so that recent usage counts against a queue.
  static FairShareConfig DefaultFairShare();
};

// Reads the section (a YAML map); errors name the key and value.
absl::Status ParseSchedulingConfig(const YAML::Node& node, SchedulingConfig& config);

// The scheduler the config asks for; kInvalidArgument for a bad config.
absl::StatusOr<std::unique_ptr<Scheduler>> MakeScheduler(const SchedulingConfig& config);

}  // namespace armada::scheduling
