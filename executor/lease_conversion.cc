#include "executor/lease_conversion.h"

#include "absl/strings/str_cat.h"
#include "lib/model/resource_quantity.h"
#include "spdlog/spdlog.h"

namespace armada::executor {
namespace {

template <typename QuantityMap>
absl::Status AddQuantities(const QuantityMap& quantities, model::ResourceList& out) {
  for (const auto& [name, quantity] : quantities) {
    absl::StatusOr<int64_t> milli = model::ParseQuantity(quantity.string());
    if (!milli.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("request ", name, ": ", milli.status().message()));
    }
    out.Set(name, out.Get(name) + *milli);
  }
  return absl::OkStatus();
}

const k8s::io::api::core::v1::PodSpec* FirstPodSpec(const api::Job& job) {
  if (job.pod_specs_size() > 0) return &job.pod_specs(0);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  if (job.has_pod_spec()) return &job.pod_spec();
#pragma GCC diagnostic pop
  return nullptr;
}

}  // namespace

absl::StatusOr<RunSpec> RunSpecFromLease(const executorapi::JobRunLease& lease) {
  const api::Job& job = lease.job();
  const std::string prefix = absl::StrCat("job ", job.id(), ": ");
  const k8s::io::api::core::v1::PodSpec* pod = FirstPodSpec(job);
  if (pod == nullptr || pod->containers_size() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(prefix, "the job has no container"));
  }
  RunSpec spec;
  spec.run_id = lease.job_run_id();
  spec.job_id = job.id();
  spec.queue = lease.queue();
  spec.job_set = lease.jobset();
  spec.owner = lease.user();
  spec.groups.assign(lease.groups().begin(), lease.groups().end());
  spec.node_name = lease.node_name();
  spec.pod_namespace = job.namespace_();
  spec.priority_class = pod->priorityclassname();
  spec.priority = job.priority();
  spec.labels.insert(job.labels().begin(), job.labels().end());
  spec.annotations.insert(job.annotations().begin(), job.annotations().end());
  spec.pod_spec = pod->SerializeAsString();

  absl::Status requests =
      AddQuantities(job.scheduling_resource_requirements().requests(), spec.requests);
  if (requests.ok() && spec.requests.IsZero()) {
    for (const auto& container : pod->containers()) {
      requests = AddQuantities(container.resources().requests(), spec.requests);
      if (!requests.ok()) break;
    }
  }
  if (!requests.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(prefix, requests.message()));
  }

  const auto& container = pod->containers(0);
  spec.container_name = container.name();
  spec.image = container.image();
  spec.command.assign(container.command().begin(), container.command().end());
  spec.command.insert(spec.command.end(), container.args().begin(), container.args().end());
  for (const auto& env : container.env()) {
    if (env.has_valuefrom()) {
      spdlog::warn(
          "job={} run={} env {} uses valueFrom, which only the kubernetes backend "
          "resolves; left out",
          job.id(), spec.run_id, env.name());
      continue;
    }
    spec.env.emplace_back(env.name(), env.value());
  }
  spec.working_dir = container.workingdir();
  // Kubernetes' default grace when the pod spec gives none.
  spec.termination_grace_seconds =
      pod->has_terminationgraceperiodseconds() ? pod->terminationgraceperiodseconds() : 30;
  spec.active_deadline_seconds = pod->activedeadlineseconds();
  return spec;
}

}  // namespace armada::executor
