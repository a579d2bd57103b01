#include "server/server_config.h"

#include <algorithm>
#include <cstdlib>

#include <yaml-cpp/yaml.h>

#include "absl/strings/str_cat.h"
#include "lib/common/status_macros.h"
#include "lib/common/yaml_config.h"
#include "lib/model/resource_quantity.h"

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

// A toleration as Kubernetes writes one: {key, operator, value, effect}.
absl::Status ParseTolerations(const YAML::Node& node, const std::string& path,
                              std::vector<model::Toleration>& out) {
  if (!node.IsSequence()) return absl::InvalidArgumentError(path + ": must be a list");
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node t = node[i];
    const std::string at = absl::StrCat(path, "[", i, "]");
    absl::Status known = common::CheckKnownKeys(t, {"key", "operator", "value", "effect"});
    if (!known.ok()) return absl::InvalidArgumentError(absl::StrCat(at, ": ", known.message()));
    model::Toleration toleration;
    if (t["key"]) toleration.key = t["key"].as<std::string>();
    if (t["operator"]) toleration.op = t["operator"].as<std::string>();
    if (t["value"]) toleration.value = t["value"].as<std::string>();
    if (t["effect"]) toleration.effect = t["effect"].as<std::string>();
    if (toleration.op != "Equal" && toleration.op != "Exists") {
      return absl::InvalidArgumentError(at + ".operator: must be Equal or Exists");
    }
    out.push_back(std::move(toleration));
  }
  return absl::OkStatus();
}

// name -> tolerations; Armada's shipped file writes the by-resource map as a
// list of one-entry maps, which is read too.
absl::Status ParseTolerationMap(const YAML::Node& node, const std::string& path,
                                std::map<std::string, std::vector<model::Toleration>>& out) {
  std::vector<YAML::Node> maps;
  if (node.IsSequence()) {
    for (const auto& entry : node) maps.push_back(entry);
  } else {
    maps.push_back(node);
  }
  for (const YAML::Node& map : maps) {
    if (!map.IsMap()) return absl::InvalidArgumentError(path + ": must map names to tolerations");
    for (const auto& entry : map) {
      const std::string name = entry.first.as<std::string>();
      RETURN_IF_ERROR(ParseTolerations(entry.second, absl::StrCat(path, ".", name), out[name]));
    }
  }
  return absl::OkStatus();
}

absl::Status ParseSeconds(const YAML::Node& node, const std::string& path, int64_t& out) {
  absl::Duration d;
  if (!absl::ParseDuration(node.as<std::string>(), &d) || d < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": \"", node.as<std::string>(), "\" is not a duration >= 0 (e.g. 72h)"));
  }
  out = absl::ToInt64Seconds(absl::Ceil(d, absl::Seconds(1)));
  return absl::OkStatus();
}

// Armada's submission defaults (lib/model/submit_defaults.h).
absl::Status ParseSubmitDefaults(const YAML::Node& submit, model::SubmitConfig& c) {
  if (submit["defaultActiveDeadline"]) {
    RETURN_IF_ERROR(ParseSeconds(submit["defaultActiveDeadline"], "submit.defaultActiveDeadline",
                                 c.default_active_deadline_seconds));
  }
  if (const YAML::Node by = submit["defaultActiveDeadlineByResourceRequest"]) {
    for (const auto& entry : by) {
      const std::string name = entry.first.as<std::string>();
      RETURN_IF_ERROR(ParseSeconds(entry.second,
                                   "submit.defaultActiveDeadlineByResourceRequest." + name,
                                   c.default_active_deadline_by_resource_seconds[name]));
    }
  }
  if (submit["defaultJobLimits"]) {
    c.default_job_limits = submit["defaultJobLimits"].as<std::map<std::string, std::string>>();
    for (const auto& [name, quantity] : c.default_job_limits) {
      auto milli = model::ParseQuantity(quantity);
      if (!milli.ok() || *milli < 0) {
        return absl::InvalidArgumentError(absl::StrCat("submit.defaultJobLimits.", name, ": \"",
                                                       quantity, "\" is not a quantity >= 0"));
      }
    }
  }
  if (submit["defaultJobTolerations"]) {
    RETURN_IF_ERROR(ParseTolerations(submit["defaultJobTolerations"],
                                     "submit.defaultJobTolerations", c.default_job_tolerations));
  }
  if (submit["defaultJobTolerationsByPriorityClass"]) {
    RETURN_IF_ERROR(ParseTolerationMap(submit["defaultJobTolerationsByPriorityClass"],
                                       "submit.defaultJobTolerationsByPriorityClass",
                                       c.default_job_tolerations_by_priority_class));
  }
  if (submit["defaultJobTolerationsByResourceRequest"]) {
    RETURN_IF_ERROR(ParseTolerationMap(submit["defaultJobTolerationsByResourceRequest"],
                                       "submit.defaultJobTolerationsByResourceRequest",
                                       c.default_job_tolerations_by_resource_request));
  }
  if (submit["restrictedTolerationKeys"]) {
    c.restricted_toleration_keys =
        submit["restrictedTolerationKeys"].as<std::vector<std::string>>();
  }
  if (submit["defaultGangNodeUniformityLabel"]) {
    c.default_gang_node_uniformity_label =
        submit["defaultGangNodeUniformityLabel"].as<std::string>();
  }
  if (submit["addGangIdLabel"]) c.add_gang_id_label = submit["addGangIdLabel"].as<bool>();
  if (submit["assertInitContainersRequestFractionalCpu"]) {
    c.assert_init_containers_fractional_cpu =
        submit["assertInitContainersRequestFractionalCpu"].as<bool>();
  }
  if (c.min_termination_grace_seconds < 0 ||
      c.max_termination_grace_seconds < c.min_termination_grace_seconds) {
    return absl::InvalidArgumentError(
        absl::StrCat("submit.minTerminationGracePeriodSeconds (", c.min_termination_grace_seconds,
                     ") must be >= 0 and at most submit.maxTerminationGracePeriodSeconds (",
                     c.max_termination_grace_seconds, ")"));
  }
  return absl::OkStatus();
}

absl::Status ParseRetention(const YAML::Node& root, RetentionConfig& r) {
  const YAML::Node retention = root["retention"];
  if (root["eventRetention"]) {
    if (retention && retention["jobs"]) {
      return absl::InvalidArgumentError(
          "eventRetention: the older name of retention.jobs; set only one of them");
    }
    RETURN_IF_ERROR(common::ReadDuration(root, "eventRetention", &r.jobs));
  }
  if (retention) {
    RETURN_IF_ERROR(common::CheckKnownKeys(
        retention, {"jobs", "queues", "executors", "interval", "batchSize"}));
    // ReadDuration names the key; the prefix says where it is.
    auto read = [](const YAML::Node& node, const std::string& prefix, const std::string& key,
                   absl::Duration* out) -> absl::Status {
      absl::Status status = common::ReadDuration(node, key.c_str(), out);
      if (status.ok()) return status;
      return absl::InvalidArgumentError(absl::StrCat(prefix, status.message()));
    };
    RETURN_IF_ERROR(read(retention, "retention.", "jobs", &r.jobs));
    RETURN_IF_ERROR(read(retention, "retention.", "executors", &r.executors));
    RETURN_IF_ERROR(read(retention, "retention.", "interval", &r.interval));
    if (retention["batchSize"]) r.batch_size = retention["batchSize"].as<int>();
    if (const YAML::Node queues = retention["queues"]) {
      if (!queues.IsMap()) {
        return absl::InvalidArgumentError("retention.queues: must map queue names to durations");
      }
      for (const auto& entry : queues) {
        const std::string queue = entry.first.as<std::string>();
        absl::Duration d;
        RETURN_IF_ERROR(read(queues, "retention.queues.", queue, &d));
        if (d <= absl::ZeroDuration()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "retention.queues.", queue, ": must be > 0, got ", absl::FormatDuration(d)));
        }
        r.queues[queue] = d;
      }
    }
  }
  for (auto [key, value] : {std::pair{"jobs", r.jobs}, std::pair{"executors", r.executors},
                            std::pair{"interval", r.interval}}) {
    if (value <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          absl::StrCat("retention.", key, ": must be > 0, got ", absl::FormatDuration(value)));
    }
  }
  if (r.batch_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("retention.batchSize: must be >= 1, got ", r.batch_size));
  }
  return absl::OkStatus();
}

absl::Status Parse(const YAML::Node& root, ServerConfig& config) {
  RETURN_IF_ERROR(common::CheckKnownKeys(root, {"grpcAddress",
                                                "httpAddress",
                                                "databaseUrl",
                                                "redisUrl",
                                                "databaseConnections",
                                                "schedulePeriod",
                                                "executorTimeout",
                                                "maxUnacknowledgedRunsPerExecutor",
                                                "maxRetries",
                                                "maxAttemptedRuns",
                                                "requeuePreemptedJobs",
                                                "leaderLockTimeout",
                                                "maxLeasesPerCycle",
                                                "leasesPerTransaction",
                                                "eventRetention",
                                                "retention",
                                                "submit",
                                                "scheduling",
                                                "auth",
                                                "tls",
                                                "binoculars"}));
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
  RETURN_IF_ERROR(ParseRetention(root, config.retention));
  if (const YAML::Node scheduling = root["scheduling"]) {
    absl::Status status = scheduling::ParseSchedulingConfig(scheduling, config.scheduling);
    if (!status.ok())
      return absl::InvalidArgumentError(absl::StrCat("scheduling.", status.message()));
  }
  if (const YAML::Node auth = root["auth"]) {
    RETURN_IF_ERROR(auth::ParseAuthConfig(auth, &config.auth));
  }
  if (const YAML::Node tls = root["tls"]) RETURN_IF_ERROR(ParseTls(tls, config.tls));
  if (const YAML::Node binoculars = root["binoculars"]) {
    RETURN_IF_ERROR(common::CheckKnownKeys(
        binoculars, {"executorUrlPattern", "executorUrls", "tokenFile", "timeout"}));
    BinocularsConfig& b = config.binoculars;
    if (binoculars["executorUrlPattern"]) {
      b.executor_url_pattern = binoculars["executorUrlPattern"].as<std::string>();
    }
    if (binoculars["executorUrls"]) {
      b.executor_urls = binoculars["executorUrls"].as<std::map<std::string, std::string>>();
    }
    if (binoculars["tokenFile"]) b.token_file = binoculars["tokenFile"].as<std::string>();
    RETURN_IF_ERROR(common::ReadDuration(binoculars, "timeout", &b.timeout));
    if (b.timeout <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError("binoculars.timeout: must be > 0");
    }
  }
  if (const YAML::Node submit = root["submit"]) {
    RETURN_IF_ERROR(common::CheckKnownKeys(submit, {"defaultNamespace",
                                                    "allowedPriorityClasses",
                                                    "defaultPriorityClass",
                                                    "minTerminationGracePeriodSeconds",
                                                    "maxTerminationGracePeriodSeconds",
                                                    "maxPodSpecSizeBytes",
                                                    "maxOversubscriptionByResourceRequest",
                                                    "minJobResources",
                                                    "supportedResources",
                                                    "maxRequestBytes",
                                                    "maxItemBytes",
                                                    "maxAnnotationsBytes",
                                                    "defaultActiveDeadline",
                                                    "defaultActiveDeadlineByResourceRequest",
                                                    "defaultJobLimits",
                                                    "defaultJobTolerations",
                                                    "defaultJobTolerationsByPriorityClass",
                                                    "defaultJobTolerationsByResourceRequest",
                                                    "restrictedTolerationKeys",
                                                    "defaultGangNodeUniformityLabel",
                                                    "addGangIdLabel",
                                                    "assertInitContainersRequestFractionalCpu"}));
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
    if (const YAML::Node over = submit["maxOversubscriptionByResourceRequest"]) {
      // A number for every resource, or Armada's map of resource -> factor.
      if (over.IsMap()) {
        c.max_oversubscription_by_resource = over.as<std::map<std::string, double>>();
      } else {
        c.max_oversubscription = over.as<double>();
      }
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
    RETURN_IF_ERROR(ParseSubmitDefaults(submit, c));
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
