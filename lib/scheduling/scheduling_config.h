#pragma once

// The `scheduling:` section of the server config: which algorithm, and the
// fair-share scheduler's settings. Same keys as armada-sim's scenario files
// (../shared/design/SIMULATOR.md).

#include <memory>
#include <string>

#include <yaml-cpp/yaml.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/scheduling/fair_share_config.h"
#include "lib/scheduling/scheduler.h"

namespace armada::scheduling {

struct SchedulingConfig {
  // "fairShare" (the default) or "fifo".
  std::string algorithm = "fairShare";
  FairShareConfig fair_share = DefaultFairShare();
  // The server's limit on one scheduling cycle (SchedulingSnapshot::max_cycle_time): once it is
  // exceeded the cycle stops leasing. 0 = no limit. REQUIRES: >= 0. armada-sim ignores it (its
  // results must not depend on timing).
  absl::Duration max_cycle_time = absl::Seconds(5);

  // The server's defaults: those of FairShareConfig, with a one-hour half-life
  // so that recent usage counts against a queue.
  static FairShareConfig DefaultFairShare();
};

// Reads the section (a YAML map); errors name the key and value.
absl::Status ParseSchedulingConfig(const YAML::Node& node, SchedulingConfig& config);

// The scheduler the config asks for; kInvalidArgument for a bad config.
absl::StatusOr<std::unique_ptr<Scheduler>> MakeScheduler(const SchedulingConfig& config);

}  // namespace armada::scheduling
