#include "cli/job_file.h"

#include <utility>

#include <yaml-cpp/yaml.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "cli/yaml_proto.h"
#include "lib/common/status_macros.h"

namespace armada::cli {
namespace {

absl::StatusOr<std::string> ScalarString(const YAML::Node& node, absl::string_view path) {
  if (!node.IsScalar()) {
    return YamlError(node, path, absl::StrCat("expected a string, got ", DescribeYaml(node)));
  }
  return node.Scalar();
}

absl::Status CheckRootIsMap(const YAML::Node& root) {
  if (root.IsMap()) return absl::OkStatus();
  return YamlError(root, "(document)", absl::StrCat("expected a map, got ", DescribeYaml(root)));
}

bool HasDeprecatedPodSpec(const api::JobSubmitRequestItem& job) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  return job.has_pod_spec();
#pragma GCC diagnostic pop
}

// The checks armadactl makes before anything is sent; the server validates the rest.
absl::Status CheckJob(const YAML::Node& node, const api::JobSubmitRequestItem& job,
                      const std::string& path) {
  const int pod_spec_count = (HasDeprecatedPodSpec(job) ? 1 : 0) + job.pod_specs_size();
  if (pod_spec_count == 0) {
    return YamlError(node, path, "a pod spec is required (podSpec or podSpecs)");
  }
  if (pod_spec_count > 1) {
    return YamlError(node, path,
                     absl::StrCat("exactly one pod spec is allowed (podSpec, or podSpecs with one "
                                  "element), got ",
                                  pod_spec_count));
  }
  if (PodSpecOf(job)->containers_size() == 0) {
    const char* spec_path = HasDeprecatedPodSpec(job) ? ".podSpec" : ".podSpecs[0]";
    return YamlError(node, absl::StrCat(path, spec_path, ".containers"),
                     "at least one container is required");
  }
  return absl::OkStatus();
}

absl::StatusOr<JobSubmitFile> ParseJobFile(const YAML::Node& root) {
  RETURN_IF_ERROR(CheckRootIsMap(root));
  JobSubmitFile file;
  bool has_queue = false;
  bool has_job_set = false;
  bool has_jobs = false;
  YAML::Node jobs;
  // Range-for keeps *it alive; it->first would point into a destroyed proxy.
  for (const auto& entry : root) {
    const YAML::Node& key = entry.first;
    const std::string name = key.IsScalar() ? key.Scalar() : DescribeYaml(key);
    if (name == "queue" && !has_queue) {
      ASSIGN_OR_RETURN(file.queue, ScalarString(entry.second, "queue"));
      has_queue = true;
    } else if ((name == "jobSetId" || name == "job_set_id") && !has_job_set) {
      ASSIGN_OR_RETURN(file.job_set_id, ScalarString(entry.second, name));
      has_job_set = true;
    } else if (name == "jobs" && !has_jobs) {
      jobs = entry.second;
      has_jobs = true;
    } else if (name == "queue" || name == "jobSetId" || name == "job_set_id" || name == "jobs") {
      return YamlError(key, name, "duplicate field");
    } else {
      return YamlError(key, name,
                       absl::StrCat("unknown field \"", name,
                                    "\" in the job file (expected queue, jobSetId and jobs)"));
    }
  }
  if (file.queue.empty()) return YamlError(root, "queue", "missing required field");
  if (file.job_set_id.empty()) return YamlError(root, "jobSetId", "missing required field");
  if (!has_jobs || jobs.IsNull()) {
    return YamlError(root, "jobs", "missing required field (at least one job is required)");
  }
  if (!jobs.IsSequence()) {
    return YamlError(jobs, "jobs", absl::StrCat("expected a list, got ", DescribeYaml(jobs)));
  }
  if (jobs.size() == 0) return YamlError(jobs, "jobs", "at least one job is required");
  size_t index = 0;
  for (const auto& node : jobs) {
    const std::string path = absl::StrCat("jobs[", index++, "]");
    api::JobSubmitRequestItem job;
    RETURN_IF_ERROR(YamlToMessage(node, &job, path));
    RETURN_IF_ERROR(CheckJob(node, job, path));
    file.jobs.push_back(std::move(job));
  }
  return file;
}

bool HasValue(const YAML::Node& map, const char* key) {
  const YAML::Node value = map[key];
  return value.IsDefined() && !value.IsNull();
}

absl::Status CheckResourceHeader(const YAML::Node& root) {
  const YAML::Node version = root["apiVersion"];
  if (!version.IsDefined() || version.IsNull()) {
    return YamlError(
        root, "apiVersion",
        absl::StrCat("missing required field (expected \"", kResourceApiVersion, "\")"));
  }
  if (!version.IsScalar() || version.Scalar() != kResourceApiVersion) {
    return YamlError(version, "apiVersion",
                     absl::StrCat("unsupported apiVersion ", DescribeYaml(version), " (expected \"",
                                  kResourceApiVersion, "\")"));
  }
  const YAML::Node kind = root["kind"];
  if (!kind.IsDefined() || kind.IsNull()) {
    return YamlError(root, "kind", "missing required field (expected \"Queue\")");
  }
  if (!kind.IsScalar() || kind.Scalar() != "Queue") {
    return YamlError(kind, "kind",
                     absl::StrCat("unsupported kind ", DescribeYaml(kind),
                                  " (this file must describe a Queue: kind: Queue)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<api::Queue> ParseQueueFile(const YAML::Node& root) {
  RETURN_IF_ERROR(CheckRootIsMap(root));
  RETURN_IF_ERROR(CheckResourceHeader(root));
  api::Queue queue;
  const YAML::Node spec = root["spec"];
  if (spec.IsDefined()) {
    // Kubernetes-style form: only apiVersion, kind, metadata and spec at the top level.
    // Range-for keeps *it alive; it->first would point into a destroyed proxy.
    for (const auto& entry : root) {
      const std::string key = entry.first.Scalar();
      if (key != "apiVersion" && key != "kind" && key != "metadata" && key != "spec") {
        return YamlError(entry.first, key,
                         "unexpected top-level field next to spec (put queue fields in spec)");
      }
    }
    RETURN_IF_ERROR(YamlToMessage(spec, &queue, "spec"));
    const YAML::Node metadata = root["metadata"];
    if (metadata.IsDefined() && !metadata.IsNull()) {
      api::Queue meta;
      RETURN_IF_ERROR(YamlToMessage(metadata, &meta, "metadata"));
      if (!meta.name().empty()) queue.set_name(meta.name());
      for (const auto& [key, value] : meta.labels()) (*queue.mutable_labels())[key] = value;
      meta.clear_name();
      meta.clear_labels();
      if (meta.ByteSizeLong() != 0) {
        return YamlError(metadata, "metadata", "only name and labels may be set here");
      }
    }
  } else {
    RETURN_IF_ERROR(YamlToMessage(root, &queue, "", {"apiVersion", "kind"}));
  }
  if (queue.name().empty()) return YamlError(root, "name", "missing required field");
  const YAML::Node& fields = spec.IsDefined() ? spec : root;
  if (!HasValue(fields, "priorityFactor") && !HasValue(fields, "priority_factor")) {
    queue.set_priority_factor(1);
  }
  return queue;
}

}  // namespace

const k8s::io::api::core::v1::PodSpec* PodSpecOf(const api::JobSubmitRequestItem& job) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  if (job.has_pod_spec()) return &job.pod_spec();
#pragma GCC diagnostic pop
  if (job.pod_specs_size() > 0) return &job.pod_specs(0);
  return nullptr;
}

absl::StatusOr<JobSubmitFile> LoadJobFile(const std::string& path) {
  ASSIGN_OR_RETURN(YAML::Node root, LoadYamlFile(path));
  try {
    absl::StatusOr<JobSubmitFile> file = ParseJobFile(root);
    if (!file.ok()) return PrefixWithFile(path, file.status());
    return file;
  } catch (const YAML::Exception& e) {
    return absl::InternalError(absl::StrCat(path, ": yaml-cpp: ", e.what()));
  }
}

absl::StatusOr<api::Queue> LoadQueueFile(const std::string& path) {
  ASSIGN_OR_RETURN(YAML::Node root, LoadYamlFile(path));
  try {
    absl::StatusOr<api::Queue> queue = ParseQueueFile(root);
    if (!queue.ok()) return PrefixWithFile(path, queue.status());
    return queue;
  } catch (const YAML::Exception& e) {
    return absl::InternalError(absl::StrCat(path, ": yaml-cpp: ", e.what()));
  }
}

}  // namespace armada::cli
