#include "server/server_config.h"

#include <algorithm>
#include <cstdlib>

#include <yaml-cpp/yaml.h>

#include "absl/strings/str_cat.h"
#include "lib/common/status_macros.h"
#include "lib/common/yaml_config.h"

namespace armada::server {
namespace {

// Submission accepts the scheduler's priority classes unless the file says
// otherwise, and defaults to the scheduler's default class; a class the
// scheduler does not know would leave its jobs queued forever, so it is an
// error that names it.
absl::Status ReconcilePriorityClasses(const YAML::Node& submit, ServerConfig& config) {
  const auto& classes = config.scheduling.fair_share.priority_classes;
  auto& c = config.submit;
  if (!submit || !submit["allowedPriorityClasses"]) {
    c.allowed_priority_classes.clear();
    for (const auto& [name, pc] : classes) c.allowed_priority_classes.push_back(name);
  }
  if (!submit || !submit["defaultPriorityClass"]) {
    c.default_priority_class = config.scheduling.fair_share.default_priority_class;
  }
  if (config.scheduling.algorithm != "fairShare") return absl::OkStatus();
  for (const std::string& name : c.allowed_priority_classes) {
    if (!classes.contains(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("submit.allowedPriorityClasses: \"", name,
                       "\" is not a priority class of scheduling.priorityClasses"));
    }
  }
  if (std::find(c.allowed_priority_classes.begin(), c.allowed_priority_classes.end(),
                c.default_priority_class) == c.allowed_priority_classes.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("submit.defaultPriorityClass: \"", c.default_priority_class,
                     "\" is not one of submit.allowedPriorityClasses"));
  }
  return absl::OkStatus();
}

// tls: {certFile, keyFile, clientCaFile, requireClientCertificate,
// refreshInterval}; the files are checked when the server starts.
absl::Status ParseTls(const YAML::Node& node, net::TlsServerConfig& tls) {
  RETURN_IF_ERROR(common::CheckKnownKeys(node, {"certFile", "keyFile", "clientCaFile",
                                                "requireClientCertificate", "refreshInterval"}));
  if (node["certFile"]) tls.cert_file = node["certFile"].as<std::string>();
  if (node["keyFile"]) tls.key_file = node["keyFile"].as<std::string>();
  if (node["clientCaFile"]) tls.client_ca_file = node["clientCaFile"].as<std::string>();
  if (node["requireClientCertificate"]) {
    tls.require_client_certificate = node["requireClientCertificate"].as<bool>();
  }
  absl::Duration refresh = absl::Seconds(tls.refresh_interval_seconds);
  RETURN_IF_ERROR(common::ReadDuration(node, "refreshInterval", &refresh));
  if (refresh < absl::Seconds(1)) {
    return absl::InvalidArgumentError("tls.refreshInterval: must be at least 1s");
  }
  tls.refresh_interval_seconds = static_cast<unsigned int>(absl::ToInt64Seconds(refresh));
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return absl::InvalidArgumentError("tls: certFile and keyFile go together");
  }
  if (!tls.client_ca_file.empty() && tls.cert_file.empty()) {
    return absl::InvalidArgumentError("tls.clientCaFile: needs certFile and keyFile");
  }
  if (tls.require_client_certificate && tls.client_ca_file.empty()) {
    return absl::InvalidArgumentError("tls.requireClientCertificate: needs clientCaFile");
  }
  return absl::OkStatus();
}

absl::Status Parse(const YAML::Node& root, ServerConfig& config) {
  RETURN_IF_ERROR(common::CheckKnownKeys(
      root, {"grpcAddress", "httpAddress", "databaseUrl", "redisUrl", "databaseConnections",
             "schedulePeriod", "executorTimeout", "maxUnacknowledgedRunsPerExecutor", "maxRetries",
             "maxAttemptedRuns", "requeuePreemptedJobs", "leaderLockTimeout", "maxLeasesPerCycle",
             "leasesPerTransaction", "eventRetention", "submit", "scheduling", "auth", "tls"}));
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
  if (root["maxRetries"]) config.retry.max_retries = root["maxRetries"].as<int>();
  if (root["maxAttemptedRuns"]) {
    config.retry.max_attempted_runs = root["maxAttemptedRuns"].as<int>();
  }
  if (root["requeuePreemptedJobs"]) {
    config.retry.requeue_preempted = root["requeuePreemptedJobs"].as<bool>();
  }
  RETURN_IF_ERROR(common::ReadDuration(root, "leaderLockTimeout", &config.leader_lock_timeout));
  if (root["maxLeasesPerCycle"]) config.max_leases_per_cycle = root["maxLeasesPerCycle"].as<int>();
  if (root["leasesPerTransaction"]) {
    config.leases_per_transaction = root["leasesPerTransaction"].as<int>();
  }
  RETURN_IF_ERROR(common::ReadDuration(root, "eventRetention", &config.event_retention));
  if (const YAML::Node scheduling = root["scheduling"]) {
    absl::Status status = scheduling::ParseSchedulingConfig(scheduling, config.scheduling);
    if (!status.ok())
      return absl::InvalidArgumentError(absl::StrCat("scheduling.", status.message()));
  }
  if (const YAML::Node auth = root["auth"]) {
    RETURN_IF_ERROR(auth::ParseAuthConfig(auth, &config.auth));
  }
  if (const YAML::Node tls = root["tls"]) RETURN_IF_ERROR(ParseTls(tls, config.tls));
  if (const YAML::Node submit = root["submit"]) {
    RETURN_IF_ERROR(common::CheckKnownKeys(
        submit, {"defaultNamespace", "allowedPriorityClasses", "defaultPriorityClass",
                 "minTerminationGracePeriodSeconds", "maxTerminationGracePeriodSeconds",
                 "maxPodSpecSizeBytes", "maxOversubscriptionByResourceRequest", "minJobResources",
                 "supportedResources", "maxRequestBytes", "maxItemBytes", "maxAnnotationsBytes"}));
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
    // Byte limits on hostile input (docs/reliability.md, "Limits on input").
    for (auto [key, field] : {std::pair{"maxRequestBytes", &c.max_request_bytes},
                              std::pair{"maxItemBytes", &c.max_item_bytes},
                              std::pair{"maxAnnotationsBytes", &c.max_annotations_bytes}}) {
      if (!submit[key]) continue;
      const int64_t value = submit[key].as<int64_t>();
      if (value < 1) {
        return absl::InvalidArgumentError(
            absl::StrCat("submit.", key, ": must be a positive number of bytes, got ", value));
      }
      *field = static_cast<size_t>(value);
    }
  }
  return ReconcilePriorityClasses(root["submit"], config);
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
