#include "executor/backend_factory.h"

#include "absl/strings/str_cat.h"
#include "executor/backends/fake/fake_backend.h"
#include "executor/backends/kubernetes/kubernetes_config.h"
#include "executor/backends/local/local_backend.h"
#include "lib/common/status_macros.h"

namespace armada::executor {

absl::StatusOr<std::unique_ptr<Backend>> MakeBackend(const ExecutorConfig& config,
                                                     const common::Clock& clock) {
  if (config.backend == "local") {
    BackendNode node{
        .name = config.node_name, .labels = config.node_labels, .allocatable = config.capacity};
    return std::make_unique<LocalBackend>(LocalBackend::Options{
        .work_root = config.work_dir, .log_retention = config.log_retention, .node = node});
  }
  if (config.backend == "fake") {
    ASSIGN_OR_RETURN(std::unique_ptr<FakeBackend> fake, FakeBackend::Create(config.fake, clock));
    return std::unique_ptr<Backend>(std::move(fake));
  }
  if (config.backend == "kubernetes") {
    // Node mode: only this node (its pods and the node itself are watched by field selector).
    return kubernetes::MakeKubernetesBackend(config.kubernetes,
                                             config.mode == "node" ? config.node_name : "", clock);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("backend: unknown backend \"", config.backend, "\""));
}

}  // namespace armada::executor
