#pragma once

// Kubernetes proto types to the scheduler's plain model types.

#include <vector>

#include "k8s.io/api/core/v1/generated.pb.h"
#include "lib/model/scheduling_types.h"

namespace armada::server {

std::vector<model::Toleration> TolerationsOf(const k8s::io::api::core::v1::PodSpec& pod);

// The required node affinity terms (preferred terms do not constrain placement).
std::vector<model::NodeSelectorTerm> NodeAffinityOf(const k8s::io::api::core::v1::PodSpec& pod);

template <typename Taints>
std::vector<model::Taint> TaintsOf(const Taints& taints) {
  std::vector<model::Taint> out;
  for (const auto& t : taints) out.push_back({t.key(), t.value(), t.effect()});
  return out;
}

}  // namespace armada::server
