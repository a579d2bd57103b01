// -----------------------------------------------------------------------------
// File: executor/backends/kubernetes/kubernetes_config.h
// -----------------------------------------------------------------------------
//
// The `kubernetes:` section of armada-executor's configuration, and the factory that builds
// a KubernetesBackend from it. docs/executor.md lists the keys:
//
//   kubernetes:
//     kubeconfig: /etc/armada/kubeconfig   # "" = in-cluster service account
//     context: ""                          # "" = the kubeconfig's current-context
//     namespace: default                   # for jobs without a namespace
//     qps: 5                               # client-side rate limit
//     burst: 10
//     ...
#pragma once

#include <memory>
#include <string>

#include <yaml-cpp/yaml.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "executor/backend.h"
#include "executor/backends/kubernetes/kube_client.h"
#include "executor/backends/kubernetes/kubernetes_backend.h"
#include "lib/common/clock.h"

namespace armada::executor::kubernetes {

struct KubernetesConfig {
  std::string kubeconfig{};    // path; "" = in-cluster (service account, KUBERNETES_SERVICE_*)
  std::string context{};       // kubeconfig context; "" = current-context
  KubeClientOptions client{};  // qps, burst, maxRetries (sleep is not configurable)
  KubernetesBackend::Options backend{};  // namespace, labels, deadlines, minimum pod age
};

// Reads the `kubernetes` map into `config` (keys absent keep their defaults).
// Errors: kInvalidArgument naming the key ("kubernetes.qps: ...").
absl::Status ParseKubernetesConfig(const YAML::Node& node, KubernetesConfig& config);

// Connects (reads the kubeconfig or service account) and builds the backend; `node_name`
// non-empty selects node mode. Nothing is listed yet (the backend does it on first use).
// Errors: those of LoadKubeconfig / LoadInClusterConnection. `clock` must outlive it.
absl::StatusOr<std::unique_ptr<Backend>> MakeKubernetesBackend(const KubernetesConfig& config,
                                                               const std::string& node_name,
                                                               const common::Clock& clock);

}  // namespace armada::executor::kubernetes
