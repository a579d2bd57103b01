#pragma once

// Checks and defaults one submitted job before anything is stored. Works on a
// proto-free view of the request item (the server builds it), so the rules are
// unit tested without gRPC. Errors are kInvalidArgument and start with the
// path of the offending field, e.g.
//   job_request_items[2].pod_specs[0].containers[0].resources.requests[cpu]:
//   invalid quantity "abc"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/model/resource_list.h"

namespace armada::model {

struct SubmitConfig {
  std::string default_namespace = "default";
  std::vector<std::string> allowed_priority_classes = {"armada-default", "armada-preemptible"};
  std::string default_priority_class = "armada-default";
  int64_t min_termination_grace_seconds = 1;
  int64_t max_termination_grace_seconds = 300;
  int64_t default_termination_grace_seconds = 30;
  size_t max_client_id_length = 100;
  // Armada: a job set id shorter than 1024 bytes.
  size_t max_job_set_length = 1023;
  size_t max_items_per_request = 100000;
  // A serialized JobSubmitRequest; the default is gRPC's own default limit
  // on a received message, so that REST (whose bodies may be larger) and
  // gRPC agree. Raising it raises the server's gRPC limit too.
  size_t max_request_bytes = 4 << 20;
  // A serialized JobSubmitRequestItem (pod spec, labels, annotations, ...).
  size_t max_item_bytes = 512 << 10;
  // Kubernetes' limit on a pod's annotations: keys and values together.
  size_t max_annotations_bytes = 256 << 10;
  // Armada's maxPodSpecSizeBytes: the serialized pod spec.
  size_t max_pod_spec_bytes = 65535;
  // A container's limit may be at most its request times this (Armada's
  // maxOversubscriptionByResourceRequest; 1 means limits equal requests).
  double max_oversubscription = 1.0;
  // Every job must ask for at least this much of each resource listed.
  std::map<std::string, std::string> min_job_resources;
  // Resource names the scheduler knows; a request for any other is refused.
  // Empty: any name is accepted.
  std::vector<std::string> supported_resources = {"cpu", "memory", "ephemeral-storage",
                                                  "nvidia.com/gpu", "amd.com/gpu"};
};

struct ContainerView {
  std::string name;
  std::vector<std::string> command;  // command followed by args
  std::vector<int32_t> ports;        // containerPort of each port
  std::map<std::string, std::string> requests;
  std::map<std::string, std::string> limits;
};

// What validation needs of one api.JobSubmitRequestItem.
struct SubmitItemView {
  double priority = 0;
  std::string namespace_name;
  std::string client_id;
  int pod_spec_count = 0;  // pod_spec plus pod_specs
  std::vector<ContainerView> containers;
  std::string priority_class_name;
  std::optional<int64_t> termination_grace_seconds;
  size_t pod_spec_bytes = 0;
  bool has_preferred_node_affinity = false;
  // The item's annotations (gang membership is declared there).
  std::map<std::string, std::string> annotations;
  std::map<std::string, std::string> labels;
  size_t item_bytes = 0;  // the serialized item
};

// The item after defaulting: what the store and scheduler use.
struct ValidatedItem {
  uint32_t priority = 0;
  std::string namespace_name;
  std::string priority_class_name;
  int64_t termination_grace_seconds = 0;
  ResourceList requests;  // the sum over containers
};

// Checks the request as a whole: the queue name (ValidateQueueName), the job
// set id (set, shorter than max_job_set_length + 1 bytes, UTF-8 without
// control characters: it is part of a Redis key and of every event), the
// item count and the serialized size `request_bytes`.
absl::Status ValidateSubmitRequest(const std::string& queue, const std::string& job_set,
                                   size_t item_count, const SubmitConfig& config,
                                   size_t request_bytes = 0);

// A queue name: set, and a valid Kubernetes label value (at most 63
// characters of [A-Za-z0-9-_.], starting and ending with a letter or digit),
// since Armada labels every pod with its queue. kInvalidArgument starts with
// `path` ("queue", "name").
absl::Status ValidateQueueName(const std::string& path, const std::string& name);

// Kubernetes' rules for labels and annotations: a key is a qualified name
// ([DNS-1123 subdomain prefix "/"] name of at most 63 characters), a label
// value is empty or at most 63 characters like a name. Empty string when
// valid, else what is wrong.
std::string LabelKeyProblem(const std::string& key);
std::string LabelValueProblem(const std::string& value);

// Checks item `index` and applies defaults: also its labels and annotations
// (Kubernetes' rules, annotations at most max_annotations_bytes in total) and
// its serialized size.
absl::StatusOr<ValidatedItem> ValidateSubmitItem(size_t index, const SubmitItemView& item,
                                                 const SubmitConfig& config);

// Checks gang declarations across the items of one request: a gang's
// cardinality is a positive integer, its members agree on cardinality and
// node uniformity label, and the request holds no more members than the
// cardinality. (Members may arrive over several requests.)
absl::Status ValidateGangs(const std::vector<SubmitItemView>& items);

// Armada's gang annotations.
inline constexpr char kGangIdAnnotation[] = "armadaproject.io/gangId";
inline constexpr char kGangCardinalityAnnotation[] = "armadaproject.io/gangCardinality";
inline constexpr char kGangUniformityLabelAnnotation[] = "armadaproject.io/gangNodeUniformityLabel";

// Armada's conversion of the API's double priority: rounded and clamped to
// [0, 2^32-1].
uint32_t PriorityFromDouble(double priority);

}  // namespace armada::model
