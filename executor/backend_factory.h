#pragma once

// Builds the backend named by ExecutorConfig::backend.

#include <memory>

#include "absl/status/statusor.h"
#include "executor/backend.h"
#include "executor/executor_config.h"
#include "lib/common/clock.h"

namespace armada::executor {

// "local": LocalBackend over work_dir with one node (node_name, node_labels, capacity,
// pool). "fake": FakeBackend from config.fake, driven by `clock`. "kubernetes":
// KubernetesBackend from config.kubernetes (its connection errors). Errors: kInvalidArgument for a
// bad fake configuration or an unknown backend name. `clock` must outlive the backend.
absl::StatusOr<std::unique_ptr<Backend>> MakeBackend(const ExecutorConfig& config,
                                                     const common::Clock& clock);

}  // namespace armada::executor
