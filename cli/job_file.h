// armadactl's input files: the job submit file (`armadactl submit`) and the queue file
// (`armadactl create -f`). Both are YAML or JSON in the camelCase JSON form of Armada's API.
//
// Every error is kInvalidArgument (kNotFound / kPermissionDenied when the file cannot be read) and
// names the file, the 1-based line, the field path and the bad value:
//   hello.yaml:14: jobs[0].podSpec.containers[0].command: expected a list, got "echo hi"
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "api/submit.pb.h"

namespace armada::cli {

// A job submit file, as Armada's pkg/client/domain.JobSubmitFile:
//
//   queue: queue-a
//   jobSetId: job-set-1
//   jobs:
//     - priority: 0
//       namespace: default
//       podSpec: {containers: [...]}     # or podSpecs: [{...}]
struct JobSubmitFile {
  std::string queue;
  std::string job_set_id;
  std::vector<api::JobSubmitRequestItem> jobs;
};

// The only apiVersion accepted in resource files (`armadactl create -f`).
inline constexpr char kResourceApiVersion[] = "armadaproject.io/v1beta1";

// LoadJobFile(path): reads and checks the job submit file at `path`.
//
// Top-level keys: `queue`, `jobSetId` (also `job_set_id`) and `jobs`; any other key is an error.
// Each job is converted with YamlToMessage (cli/yaml_proto.h), so unknown fields, wrong types
// and malformed quantities are reported. Then the file is checked: queue and jobSetId must be
// non-empty, there must be at least one job, and each job must have exactly one pod spec (either
// `podSpec` or a one-element `podSpecs`) with at least one container. Further validation
// (priority classes, resource limits, ...) is the server's.
// Never throws. Thread-safe.
absl::StatusOr<JobSubmitFile> LoadJobFile(const std::string& path);

// PodSpecOf(job): the job's pod spec: the deprecated `pod_spec` if set, else `pod_specs[0]`, else
// null. The result points into `job`. Exists so callers need not touch the deprecated accessor.
const k8s::io::api::core::v1::PodSpec* PodSpecOf(const api::JobSubmitRequestItem& job);

// LoadQueueFile(path): reads the queue resource file at `path`:
//
//   apiVersion: armadaproject.io/v1beta1
//   kind: Queue
//   name: queue-a
//   priorityFactor: 1
//   permissions: [{subjects: [{kind: Group, name: team-a}], verbs: [submit, cancel, watch]}]
//
// The Queue fields (api.Queue in JSON form: name, priorityFactor, userOwners, groupOwners,
// permissions, resourceLimitsByPriorityClassName, cordoned, labels, ...) sit either at the top
// level next to apiVersion/kind, as in Armada's example/queue.yaml, or in a `spec` map (then the
// name may also be given as `metadata: {name: ...}`). Errors: apiVersion other than
// kResourceApiVersion, kind other than Queue, a missing name, and every YamlToMessage error.
// priorityFactor defaults to 1 when absent, as for `armadactl create queue`.
// Never throws. Thread-safe.
absl::StatusOr<api::Queue> LoadQueueFile(const std::string& path);

}  // namespace armada::cli
