#include "executor/executor_config.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include <yaml-cpp/yaml.h>

#include "absl/strings/str_cat.h"
#include "lib/common/status_macros.h"
#include "lib/common/yaml_config.h"

namespace armada::executor {
namespace {

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "localhost";
  return name;
}

absl::Status Parse(const YAML::Node& root, ExecutorConfig& config) {
  RETURN_IF_ERROR(common::CheckKnownKeys(
      root, {"serverUrl", "executorId", "pool", "backend", "nodeName", "nodeLabels", "capacity",
             "workDir", "leasePeriod", "logRetention"}));
  auto read = [&](const char* key, std::string& out) {
    if (root[key]) out = root[key].as<std::string>();
  };
  read("serverUrl", config.server_url);
  read("executorId", config.executor_id);
  read("pool", config.pool);
  read("backend", config.backend);
  read("nodeName", config.node_name);
  read("workDir", config.work_dir);
  if (root["nodeLabels"]) {
    config.node_labels = root["nodeLabels"].as<std::map<std::string, std::string>>();
  }
  if (root["capacity"]) {
    auto capacity =
        model::ResourceList::Parse(root["capacity"].as<std::map<std::string, std::string>>());
    if (!capacity.ok())
      return absl::InvalidArgumentError(absl::StrCat("capacity: ", capacity.status().message()));
    config.capacity = *capacity;
  }
  RETURN_IF_ERROR(common::ReadDuration(root, "leasePeriod", &config.lease_period));
  RETURN_IF_ERROR(common::ReadDuration(root, "logRetention", &config.log_retention));
  if (config.backend != "local") {
    return absl::InvalidArgumentError(absl::StrCat(
        "backend: \"", config.backend, "\" is not available yet; the only backend is \"local\""));
  }
  return absl::OkStatus();
}

}  // namespace

model::ResourceList MachineCapacity() {
  model::ResourceList capacity;
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  capacity.Set("cpu", (cpus > 0 ? cpus : 1) * 1000);
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  int64_t kib = 0;
  while (meminfo >> key >> kib) {
    if (key == "MemTotal:") {
      capacity.Set("memory", kib * 1024 * 1000);
      break;
    }
    meminfo.ignore(1 << 10, '\n');
  }
  return capacity;
}

absl::StatusOr<ExecutorConfig> LoadExecutorConfig(const std::string& path) {
  ExecutorConfig config;
  if (!path.empty()) {
    RETURN_IF_ERROR(
        common::ParseYamlFile(path, [&](const YAML::Node& root) { return Parse(root, config); }));
  }
  if (const char* url = std::getenv("ARMADA_URL")) config.server_url = url;
  if (config.executor_id.empty()) config.executor_id = HostName();
  if (config.node_name.empty()) config.node_name = HostName();
  if (config.capacity.IsZero()) config.capacity = MachineCapacity();
  return config;
}

}  // namespace armada::executor
