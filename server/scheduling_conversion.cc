#include "server/scheduling_conversion.h"

namespace armada::server {

std::vector<model::Toleration> TolerationsOf(const k8s::io::api::core::v1::PodSpec& pod) {
  std::vector<model::Toleration> out;
  for (const auto& t : pod.tolerations()) {
    out.push_back(
        {t.key(), t.operator_().empty() ? "Equal" : t.operator_(), t.value(), t.effect()});
  }
  return out;
}

std::vector<model::NodeSelectorTerm> NodeAffinityOf(const k8s::io::api::core::v1::PodSpec& pod) {
  std::vector<model::NodeSelectorTerm> terms;
  const auto& required =
      pod.affinity().nodeaffinity().requiredduringschedulingignoredduringexecution();
  for (const auto& term : required.nodeselectorterms()) {
    model::NodeSelectorTerm out;
    for (const auto& r : term.matchexpressions()) {
      out.match_expressions.push_back(
          {r.key(), r.operator_(), {r.values().begin(), r.values().end()}});
    }
    terms.push_back(std::move(out));
  }
  return terms;
}

}  // namespace armada::server
