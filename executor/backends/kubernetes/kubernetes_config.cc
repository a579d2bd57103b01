#include "executor/backends/kubernetes/kubernetes_config.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "executor/backends/kubernetes/http_transport.h"
#include "executor/backends/kubernetes/kube_config.h"
#include "lib/common/status_macros.h"
#include "lib/common/yaml_config.h"
#include "spdlog/spdlog.h"

namespace armada::executor::kubernetes {

absl::Status ParseKubernetesConfig(const YAML::Node& node, KubernetesConfig& config) {
  RETURN_IF_ERROR(common::CheckKnownKeys(
      node, {"kubeconfig", "context", "namespace", "qps", "burst", "maxRetries", "nodeIdLabel",
             "poolLabel", "schedulerName", "unschedulableDeadline", "imagePullDeadline",
             "stuckStartingDeadline", "missingPodDeadline", "finishedPodMinAge",
             "stuckTerminatingTimeout", "watchTimeout"}));
  auto read = [&](const char* key, std::string& out) {
    if (node[key]) out = node[key].as<std::string>();
  };
  KubernetesBackend::Options& b = config.backend;
  read("kubeconfig", config.kubeconfig);
  read("context", config.context);
  read("namespace", b.pod.default_namespace);
  read("nodeIdLabel", b.pod.node_id_label);
  read("schedulerName", b.pod.scheduler_name);
  read("poolLabel", b.pool_label);
  if (node["qps"]) config.client.qps = node["qps"].as<double>();
  if (node["burst"]) config.client.burst = node["burst"].as<int>();
  if (node["maxRetries"]) config.client.max_retries = node["maxRetries"].as<int>();
  if (config.client.burst < 1 || config.client.max_retries < 0) {
    return absl::InvalidArgumentError("kubernetes.burst must be >= 1 and maxRetries >= 0");
  }
  if (b.pod.default_namespace.empty() || b.pod.node_id_label.empty()) {
    return absl::InvalidArgumentError("kubernetes.namespace and nodeIdLabel must not be empty");
  }
  const std::pair<const char*, absl::Duration*> durations[] = {
      {"unschedulableDeadline", &b.unschedulable_deadline},
      {"imagePullDeadline", &b.image_pull_deadline},
      {"stuckStartingDeadline", &b.stuck_starting_deadline},
      {"missingPodDeadline", &b.missing_pod_deadline},
      {"finishedPodMinAge", &b.finished_pod_min_age},
      {"stuckTerminatingTimeout", &b.stuck_terminating_timeout},
      {"watchTimeout", &b.watch_timeout},
  };
  for (const auto& [key, out] : durations) {
    absl::Status s = common::ReadDuration(node, key, out);
    if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat("kubernetes.", s.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Backend>> MakeKubernetesBackend(const KubernetesConfig& config,
                                                               const std::string& node_name,
                                                               const common::Clock& clock) {
  absl::StatusOr<KubeConnection> connection =
      config.kubeconfig.empty() ? LoadInClusterConnection()
                                : LoadKubeconfig(config.kubeconfig, config.context);
  if (!connection.ok()) return connection.status();
  spdlog::info("kubernetes: API server {} ({}), qps {} burst {}", connection->server,
               config.kubeconfig.empty() ? "in-cluster" : config.kubeconfig, config.client.qps,
               config.client.burst);
  auto client = std::make_unique<KubeClient>(
      std::make_unique<HttpTransport>(*std::move(connection)), clock, config.client);
  KubernetesBackend::Options options = config.backend;
  options.node_name = node_name;
  return std::unique_ptr<Backend>(
      std::make_unique<KubernetesBackend>(std::move(options), std::move(client), clock));
}

}  // namespace armada::executor::kubernetes
