#include "server/server_config.h"

#include <cstdlib>

#include <yaml-cpp/yaml.h>

#include "absl/strings/str_cat.h"
#include "lib/common/status_macros.h"
#include "lib/common/yaml_config.h"

namespace armada::server {
namespace {

absl::Status Parse(const YAML::Node& root, ServerConfig& config) {
  RETURN_IF_ERROR(common::CheckKnownKeys(
      root, {"grpcAddress", "httpAddress", "databaseUrl", "redisUrl", "databaseConnections",
             "schedulePeriod", "executorTimeout", "maxUnacknowledgedRunsPerExecutor", "maxRetries",
             "eventRetention", "submit", "scheduling"}));
  if (root["grpcAddress"]) config.grpc_address = root["grpcAddress"].as<std::string>();
  if (root["httpAddress"]) config.http_address = root["httpAddress"].as<std::string>();
  if (root["databaseUrl"]) config.database_url = root["databaseUrl"].as<std::string>();
  if (root["redisUrl"]) config.redis_url = root["redisUrl"].as<std::string>();
  if (root["databaseConnections"]) {
    config.database_connections = root["databaseConnections"].as<int>();
  }
  RETURN_IF_ERROR(common::ReadDuration(root, "schedulePeriod", &config.schedule_period));
  RETURN_IF_ERROR(common::ReadDuration(root, "executorTimeout", &config.executor_timeout));
  if (root["maxUnacknowledgedRunsPerExecutor"]) {
    config.max_unacknowledged_runs_per_executor =
        root["maxUnacknowledgedRunsPerExecutor"].as<int>();
  }
  if (root["maxRetries"]) config.max_retries = root["maxRetries"].as<int>();
  if (root["requeuePreemptedJobs"]) {
    config.requeue_preempted_jobs = root["requeuePreemptedJobs"].as<bool>();
  }
  RETURN_IF_ERROR(common::ReadDuration(root, "eventRetention", &config.event_retention));
  if (const YAML::Node scheduling = root["scheduling"]) {
    absl::Status status = scheduling::ParseSchedulingConfig(scheduling, config.scheduling);
    if (!status.ok())
      return absl::InvalidArgumentError(absl::StrCat("scheduling.", status.message()));
  }
  if (const YAML::Node submit = root["submit"]) {
    RETURN_IF_ERROR(common::CheckKnownKeys(
        submit, {"defaultNamespace", "allowedPriorityClasses", "defaultPriorityClass",
                 "minTerminationGracePeriodSeconds", "maxTerminationGracePeriodSeconds",
                 "maxPodSpecSizeBytes", "maxOversubscriptionByResourceRequest", "minJobResources",
                 "supportedResources"}));
    auto& c = config.submit;
    if (submit["defaultNamespace"])
      c.default_namespace = submit["defaultNamespace"].as<std::string>();
    if (submit["allowedPriorityClasses"]) {
      c.allowed_priority_classes = submit["allowedPriorityClasses"].as<std::vector<std::string>>();
    }
    if (submit["defaultPriorityClass"]) {
      c.default_priority_class = submit["defaultPriorityClass"].as<std::string>();
    }
    if (submit["minTerminationGracePeriodSeconds"]) {
      c.min_termination_grace_seconds = submit["minTerminationGracePeriodSeconds"].as<int64_t>();
    }
    if (submit["maxTerminationGracePeriodSeconds"]) {
      c.max_termination_grace_seconds = submit["maxTerminationGracePeriodSeconds"].as<int64_t>();
    }
    if (submit["maxPodSpecSizeBytes"]) {
      c.max_pod_spec_bytes = submit["maxPodSpecSizeBytes"].as<size_t>();
    }
    if (submit["maxOversubscriptionByResourceRequest"]) {
      c.max_oversubscription = submit["maxOversubscriptionByResourceRequest"].as<double>();
    }
    if (submit["minJobResources"]) {
      c.min_job_resources = submit["minJobResources"].as<std::map<std::string, std::string>>();
    }
    if (submit["supportedResources"]) {
      c.supported_resources = submit["supportedResources"].as<std::vector<std::string>>();
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ServerConfig> LoadServerConfig(const std::string& path) {
  ServerConfig config;
  if (!path.empty()) {
    RETURN_IF_ERROR(
        common::ParseYamlFile(path, [&](const YAML::Node& root) { return Parse(root, config); }));
  }
  if (config.database_url.empty()) {
    if (const char* url = std::getenv("DATABASE_URL")) config.database_url = url;
  }
  if (config.redis_url.empty()) {
    if (const char* url = std::getenv("REDIS_URL")) config.redis_url = url;
  }
  if (config.database_url.empty()) {
    return absl::InvalidArgumentError("databaseUrl is not set (config file or DATABASE_URL)");
  }
  if (config.redis_url.empty()) {
    return absl::InvalidArgumentError("redisUrl is not set (config file or REDIS_URL)");
  }
  return config;
}

}  // namespace armada::server
