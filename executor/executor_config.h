#pragma once

// armada-executor's configuration (YAML). Everything has a default that suits
// one machine: the local backend with this machine's cpus and memory.

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/model/resource_list.h"

namespace armada::executor {

struct ExecutorConfig {
  std::string server_url = "localhost:50051";
  std::string executor_id;  // default: this host's name
  std::string pool = "default";
  std::string backend = "local";
  std::string node_name;  // default: this host's name
  std::map<std::string, std::string> node_labels;
  model::ResourceList capacity;  // default: this machine's cpus and memory
  std::string work_dir = "/tmp/armada-executor";
  absl::Duration lease_period = absl::Seconds(1);
  absl::Duration log_retention = absl::Hours(24);
};

// Reads `path` (empty: defaults only). ARMADA_URL overrides serverUrl.
// kInvalidArgument names the key and value that are wrong.
absl::StatusOr<ExecutorConfig> LoadExecutorConfig(const std::string& path);

// This machine's cpus (online processors) and memory (MemTotal).
model::ResourceList MachineCapacity();

}  // namespace armada::executor
