#include "executor/backends/kubernetes/pod_builder.h"

#include <set>
#include <utility>

#include "executor/backends/kubernetes/pod_spec_json.h"
#include "lib/common/status_macros.h"
#include "lib/model/resource_quantity.h"

namespace armada::executor::kubernetes {
namespace {

using nlohmann::json;

json ResourcesOf(const model::ResourceList& requests) {
  json list = json::object();
  for (const auto& [name, milli] : requests.entries()) list[name] = model::FormatQuantity(milli);
  return {{"requests", list}, {"limits", list}};
}

// One container from the process fields, for specs made without a pod spec.
absl::StatusOr<json> SpecFromProcessFields(const RunSpec& spec) {
  if (spec.command.empty()) {
    return absl::InvalidArgumentError("run spec: neither pod_spec nor command is set");
  }
  json container = {{"name", spec.container_name.empty() ? "main" : spec.container_name},
                    {"image", spec.image},
                    {"command", spec.command}};
  json env = json::array();
  for (const auto& [name, value] : spec.env) env.push_back({{"name", name}, {"value", value}});
  if (!env.empty()) container["env"] = env;
  if (!spec.working_dir.empty()) container["workingDir"] = spec.working_dir;
  if (!spec.requests.entries().empty()) container["resources"] = ResourcesOf(spec.requests);
  json pod_spec = {{"containers", json::array({container})},
                   {"terminationGracePeriodSeconds", spec.termination_grace_seconds}};
  if (spec.active_deadline_seconds > 0) {
    pod_spec["activeDeadlineSeconds"] = spec.active_deadline_seconds;
  }
  return pod_spec;
}

void InjectEnv(json& containers, const std::vector<std::pair<std::string, std::string>>& vars) {
  std::set<std::string> names;
  for (const auto& [name, value] : vars) names.insert(name);
  for (json& container : containers) {
    json env = json::array();
    if (container.contains("env")) {
      for (json& var : container["env"]) {
        if (!names.count(var.value("name", ""))) env.push_back(std::move(var));
      }
    }
    for (const auto& [name, value] : vars) env.push_back({{"name", name}, {"value", value}});
    container["env"] = std::move(env);
  }
}

}  // namespace

std::string PodName(const std::string& job_id) { return "armada-" + job_id + "-0"; }

std::string PodNamespace(const RunSpec& spec, const PodOptions& options) {
  return spec.pod_namespace.empty() ? options.default_namespace : spec.pod_namespace;
}

absl::StatusOr<json> BuildPod(const RunSpec& spec, const PodOptions& options) {
  json pod_spec;
  if (spec.pod_spec.empty()) {
    ASSIGN_OR_RETURN(pod_spec, SpecFromProcessFields(spec));
  } else {
    ASSIGN_OR_RETURN(pod_spec, PodSpecWireToJson(spec.pod_spec));
  }
  if (!pod_spec.contains("containers") || pod_spec["containers"].empty()) {
    return absl::InvalidArgumentError("pod spec: no containers");
  }
  pod_spec["restartPolicy"] = "Never";
  if (!spec.node_name.empty()) pod_spec["nodeSelector"][options.node_id_label] = spec.node_name;
  if (!spec.priority_class.empty() && pod_spec.value("priorityClassName", "").empty()) {
    pod_spec["priorityClassName"] = spec.priority_class;
  }
  if (!options.scheduler_name.empty() && pod_spec.value("schedulerName", "").empty()) {
    pod_spec["schedulerName"] = options.scheduler_name;
  }
  const auto env = ArmadaEnv(spec);
  InjectEnv(pod_spec["containers"], env);
  if (pod_spec.contains("initContainers")) InjectEnv(pod_spec["initContainers"], env);

  json labels(spec.labels);
  labels[kJobIdLabel] = spec.job_id;
  labels[kRunIdLabel] = spec.run_id;
  labels[kQueueLabel] = spec.queue;
  labels[kPodNumberLabel] = "0";
  labels[kPodCountLabel] = "1";
  json annotations(spec.annotations);
  annotations[kJobSetAnnotation] = spec.job_set;
  annotations[kOwnerAnnotation] = spec.owner;
  return json{{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata",
               {{"name", PodName(spec.job_id)},
                {"namespace", PodNamespace(spec, options)},
                {"labels", std::move(labels)},
                {"annotations", std::move(annotations)}}},
              {"spec", std::move(pod_spec)}};
}

}  // namespace armada::executor::kubernetes
