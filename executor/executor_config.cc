#include "executor/executor_config.h"

#include <unistd.h>

#include <algorithm>
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

absl::StatusOr<model::ResourceList> ParseResources(const YAML::Node& node, const std::string& key) {
  auto resources = model::ResourceList::Parse(node.as<std::map<std::string, std::string>>());
  if (!resources.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(key, ": ", resources.status().message()));
  }
  return *resources;
}

absl::Status ParseNodeGroup(const YAML::Node& node, const std::string& where,
                            FakeBackend::NodeGroup& group) {
  RETURN_IF_ERROR(common::CheckKnownKeys(
      node, {"name", "count", "pool", "labels", "taints", "allocatable", "unschedulable"}));
  if (node["name"]) group.name = node["name"].as<std::string>();
  if (node["count"]) group.count = node["count"].as<int>();
  if (node["pool"]) group.pool = node["pool"].as<std::string>();
  if (node["labels"]) group.labels = node["labels"].as<std::map<std::string, std::string>>();
  if (node["unschedulable"]) group.unschedulable = node["unschedulable"].as<bool>();
  if (node["allocatable"]) {
    ASSIGN_OR_RETURN(group.allocatable,
                     ParseResources(node["allocatable"], where + ".allocatable"));
  }
  for (const YAML::Node& taint : node["taints"]) {
    RETURN_IF_ERROR(common::CheckKnownKeys(taint, {"key", "value", "effect"}));
    group.taints.push_back(model::Taint{.key = taint["key"].as<std::string>(""),
                                        .value = taint["value"].as<std::string>(""),
                                        .effect = taint["effect"].as<std::string>("NoSchedule")});
  }
  return absl::OkStatus();
}

absl::Status ParseFake(const YAML::Node& node, FakeBackend::Options& fake) {
  RETURN_IF_ERROR(common::CheckKnownKeys(
      node, {"seed", "failureRate", "pendingDelay", "runtime", "nodeGroups"}));
  if (node["seed"]) fake.seed = node["seed"].as<uint64_t>();
  if (node["failureRate"]) fake.failure_rate = node["failureRate"].as<double>();
  RETURN_IF_ERROR(common::ReadDuration(node, "pendingDelay", &fake.pending_delay));
  if (const YAML::Node runtime = node["runtime"]) {
    RETURN_IF_ERROR(common::CheckKnownKeys(runtime, {"min", "max"}));
    RETURN_IF_ERROR(common::ReadDuration(runtime, "min", &fake.min_runtime));
    fake.max_runtime = std::max(fake.max_runtime, fake.min_runtime);
    RETURN_IF_ERROR(common::ReadDuration(runtime, "max", &fake.max_runtime));
  }
  if (const YAML::Node groups = node["nodeGroups"]) {
    fake.node_groups.clear();
    for (size_t i = 0; i < groups.size(); ++i) {
      FakeBackend::NodeGroup group;
      RETURN_IF_ERROR(ParseNodeGroup(groups[i], absl::StrCat("fake.nodeGroups[", i, "]"), group));
      fake.node_groups.push_back(std::move(group));
    }
  }
  return absl::OkStatus();
}

// tls, forceNoTls and auth: how the executor reaches and logs in to the server.
absl::Status ParseConnection(const YAML::Node& root, ExecutorConfig& config) {
  if (const YAML::Node tls = root["tls"]) {
    RETURN_IF_ERROR(common::CheckKnownKeys(tls, {"caFile", "certFile", "keyFile", "serverName"}));
    auto& t = config.tls;
    t.plaintext = false;
    if (tls["caFile"]) t.ca_file = tls["caFile"].as<std::string>();
    if (tls["certFile"]) t.cert_file = tls["certFile"].as<std::string>();
    if (tls["keyFile"]) t.key_file = tls["keyFile"].as<std::string>();
    if (tls["serverName"]) t.server_name = tls["serverName"].as<std::string>();
    if (t.cert_file.empty() != t.key_file.empty()) {
      return absl::InvalidArgumentError("tls: certFile and keyFile go together");
    }
  }
  if (root["forceNoTls"] && root["forceNoTls"].as<bool>()) config.tls.plaintext = true;
  if (const YAML::Node auth = root["auth"]) {
    RETURN_IF_ERROR(
        common::CheckKnownKeys(auth, {"username", "password", "passwordFile", "tokenFile"}));
    auto& a = config.auth;
    if (auth["username"]) a.username = auth["username"].as<std::string>();
    if (auth["password"]) a.password = auth["password"].as<std::string>();
    if (auth["passwordFile"]) a.password_file = auth["passwordFile"].as<std::string>();
    if (auth["tokenFile"]) a.token_file = auth["tokenFile"].as<std::string>();
  }
  return absl::OkStatus();
}

absl::Status Parse(const YAML::Node& root, ExecutorConfig& config) {
  RETURN_IF_ERROR(common::CheckKnownKeys(
      root, {"serverUrl",          "tls",          "forceNoTls",    "auth",
             "executorId",         "pool",         "mode",          "backend",
             "nodeName",           "nodeLabels",   "capacity",      "workDir",
             "leasePeriod",        "logRetention", "maxLeasedRuns", "maxReconnectBackoff",
             "maxEventsPerReport", "binoculars",   "fake",          "kubernetes"}));
  auto read = [&](const char* key, std::string& out) {
    if (root[key]) out = root[key].as<std::string>();
  };
  read("serverUrl", config.server_url);
  RETURN_IF_ERROR(ParseConnection(root, config));
  read("executorId", config.executor_id);
  read("pool", config.pool);
  read("mode", config.mode);
  read("backend", config.backend);
  read("nodeName", config.node_name);
  read("workDir", config.work_dir);
  if (root["nodeLabels"]) {
    config.node_labels = root["nodeLabels"].as<std::map<std::string, std::string>>();
  }
  if (root["capacity"]) {
    ASSIGN_OR_RETURN(config.capacity, ParseResources(root["capacity"], "capacity"));
  }
  if (root["maxLeasedRuns"]) config.max_leased_runs = root["maxLeasedRuns"].as<int>();
  if (root["maxEventsPerReport"])
    config.max_events_per_report = root["maxEventsPerReport"].as<int>();
  RETURN_IF_ERROR(common::ReadDuration(root, "leasePeriod", &config.lease_period));
  RETURN_IF_ERROR(common::ReadDuration(root, "logRetention", &config.log_retention));
  RETURN_IF_ERROR(common::ReadDuration(root, "maxReconnectBackoff", &config.max_reconnect_backoff));
  if (const YAML::Node binoculars = root["binoculars"]) {
    RETURN_IF_ERROR(common::CheckKnownKeys(binoculars, {"listen", "tokenFile"}));
    if (binoculars["listen"]) config.binoculars.listen = binoculars["listen"].as<std::string>();
    if (binoculars["tokenFile"]) {
      config.binoculars.token_file = binoculars["tokenFile"].as<std::string>();
    }
  }
  if (root["fake"]) RETURN_IF_ERROR(ParseFake(root["fake"], config.fake));
  if (root["kubernetes"]) {
    RETURN_IF_ERROR(kubernetes::ParseKubernetesConfig(root["kubernetes"], config.kubernetes));
  }
  if (config.mode != "cluster" && config.mode != "node") {
    return absl::InvalidArgumentError(
        absl::StrCat("mode: \"", config.mode, "\" is not \"cluster\" or \"node\""));
  }
  if (config.backend != "local" && config.backend != "fake" && config.backend != "kubernetes") {
    return absl::InvalidArgumentError(absl::StrCat(
        "backend: \"", config.backend, "\" is not \"local\", \"fake\" or \"kubernetes\""));
  }
  if (config.max_leased_runs < 1 || config.max_events_per_report < 1) {
    return absl::InvalidArgumentError("maxLeasedRuns and maxEventsPerReport must be >= 1");
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
  if (config.mode == "node") {
    const char* node = std::getenv("NODE_NAME");
    if (node == nullptr || *node == '\0') {
      return absl::InvalidArgumentError(
          "mode: node needs NODE_NAME (set it from the downward API: spec.nodeName)");
    }
    config.node_name = node;
    // Each node's executor reports only its node, so each needs an id of its own.
    config.executor_id =
        config.executor_id.empty() ? config.node_name : config.executor_id + "-" + config.node_name;
  }
  if (config.executor_id.empty()) config.executor_id = HostName();
  if (config.node_name.empty()) config.node_name = HostName();
  if (config.capacity.IsZero()) config.capacity = MachineCapacity();
  return config;
}

}  // namespace armada::executor
