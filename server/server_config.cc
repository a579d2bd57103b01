#include "server/server_config.h"

#include <cstdlib>

#include <yaml-cpp/yaml.h>

#include "absl/strings/str_cat.h"

namespace armada::server {
namespace {

absl::Status ReadDuration(const YAML::Node& node, const char* key, absl::Duration* out) {
  if (!node[key]) return absl::OkStatus();
  std::string text = node[key].as<std::string>();
  if (!absl::ParseDuration(text, out)) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, ": \"", text, "\" is not a duration (e.g. \"1s\", \"500ms\")"));
  }
  return absl::OkStatus();
}

absl::Status Parse(const YAML::Node& root, ServerConfig& config) {
  if (root["grpcAddress"]) config.grpc_address = root["grpcAddress"].as<std::string>();
  if (root["databaseUrl"]) config.database_url = root["databaseUrl"].as<std::string>();
  if (root["redisUrl"]) config.redis_url = root["redisUrl"].as<std::string>();
  if (root["databaseConnections"]) {
    config.database_connections = root["databaseConnections"].as<int>();
  }
  if (auto s = ReadDuration(root, "schedulePeriod", &config.schedule_period); !s.ok()) return s;
  if (auto s = ReadDuration(root, "executorTimeout", &config.executor_timeout); !s.ok()) return s;
  if (const YAML::Node submit = root["submit"]) {
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
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ServerConfig> LoadServerConfig(const std::string& path) {
  ServerConfig config;
  if (!path.empty()) {
    try {
      absl::Status status = Parse(YAML::LoadFile(path), config);
      if (!status.ok())
        return absl::InvalidArgumentError(absl::StrCat(path, ": ", status.message()));
    } catch (const YAML::Exception& e) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": ", e.what()));
    }
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
