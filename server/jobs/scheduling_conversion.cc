#include "server/jobs/scheduling_conversion.h"

#include "absl/strings/numbers.h"
#include "lib/model/resource_quantity.h"
#include "lib/model/submit_validation.h"

// required_node_labels is deprecated in Armada's API but still honoured.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

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

std::map<std::string, std::string> NodeSelectorOf(const api::Job& job) {
  std::map<std::string, std::string> selector(job.required_node_labels().begin(),
                                              job.required_node_labels().end());
  if (job.pod_specs_size() > 0) {
    for (const auto& [key, value] : job.pod_specs(0).nodeselector()) selector[key] = value;
  }
  return selector;
}

model::QueuedJob QueuedJobOf(const api::Job& job) {
  model::QueuedJob out;
  out.id = job.id();
  out.queue = job.queue();
  out.job_set = job.job_set_id();
  out.priority = model::PriorityFromDouble(job.priority());
  out.submit_seq = job.created().seconds() * 1000000 + job.created().nanos() / 1000;
  for (const auto& [name, quantity] : job.scheduling_resource_requirements().requests()) {
    // Stored jobs were validated at submit, so their quantities parse.
    if (auto milli = model::ParseQuantity(quantity.string()); milli.ok()) {
      out.requests.Set(name, *milli);
    }
  }
  out.node_selector = NodeSelectorOf(job);
  if (job.pod_specs_size() > 0) {
    const auto& pod = job.pod_specs(0);
    out.priority_class = pod.priorityclassname();
    out.tolerations = TolerationsOf(pod);
    out.node_affinity = NodeAffinityOf(pod);
    if (pod.activedeadlineseconds() > 0) {
      out.runtime_bound = absl::Seconds(pod.activedeadlineseconds());
    }
  }
  const GangOf gang = GangOfJob(job);
  out.gang_id = gang.id;
  out.gang_cardinality = gang.cardinality;
  out.gang_uniformity_label = gang.uniformity_label;
  return out;
}

GangOf GangOfJob(const api::Job& job) {
  GangOf gang;
  const auto& annotations = job.annotations();
  auto id = annotations.find(model::kGangIdAnnotation);
  if (id == annotations.end() || id->second.empty()) return gang;
  gang.id = id->second;
  auto cardinality = annotations.find(model::kGangCardinalityAnnotation);
  if (cardinality == annotations.end() ||
      !absl::SimpleAtoi(std::string(cardinality->second), &gang.cardinality)) {
    gang.cardinality = 1;  // validated at submit; never reached for stored jobs
  }
  auto label = annotations.find(model::kGangUniformityLabelAnnotation);
  if (label != annotations.end()) gang.uniformity_label = label->second;
  return gang;
}

model::QueueInfo QueueInfoOf(const api::Queue& queue) {
  model::QueueInfo out;
  out.name = queue.name();
  out.priority_factor = queue.priority_factor();
  out.cordoned = queue.cordoned();
  for (const auto& [priority_class, limits] : queue.resource_limits_by_priority_class_name()) {
    out.resource_limits_by_priority_class[priority_class] = {
        limits.maximum_resource_fraction().begin(), limits.maximum_resource_fraction().end()};
  }
  return out;
}

}  // namespace armada::server
