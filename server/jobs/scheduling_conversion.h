#pragma once

// Kubernetes proto types to the scheduler's plain model types.

#include <vector>

#include "api/submit.pb.h"
#include "k8s.io/api/core/v1/generated.pb.h"
#include "lib/model/scheduling_types.h"

namespace armada::server {

std::vector<model::Toleration> TolerationsOf(const k8s::io::api::core::v1::PodSpec& pod);

// The required node affinity terms (preferred terms do not constrain placement).
std::vector<model::NodeSelectorTerm> NodeAffinityOf(const k8s::io::api::core::v1::PodSpec& pod);

// What the scheduler needs of a stored job (as its submitted event carries it):
// requests, node selector (pod nodeSelector and required_node_labels),
// priority class, tolerations and required node affinity. submit_seq is the
// creation time in microseconds, as store::QueuedJobs gives it.
model::QueuedJob QueuedJobOf(const api::Job& job);

// A job's gang, from Armada's annotations; empty id when it is in none.
struct GangOf {
  std::string id;
  int cardinality = 0;
  std::string uniformity_label;
};
GangOf GangOfJob(const api::Job& job);

// The node selector of a job: its pod's nodeSelector over the deprecated
// required_node_labels.
std::map<std::string, std::string> NodeSelectorOf(const api::Job& job);

// The scheduler's view of a queue: weight, cordon, and its per priority class
// resource limits (Queue.resource_limits_by_priority_class_name, which
// override the configured limits of those classes for this queue).
model::QueueInfo QueueInfoOf(const api::Queue& queue);

template <typename Taints>
std::vector<model::Taint> TaintsOf(const Taints& taints) {
  std::vector<model::Taint> out;
  for (const auto& t : taints) out.push_back({t.key(), t.value(), t.effect()});
  return out;
}

}  // namespace armada::server
