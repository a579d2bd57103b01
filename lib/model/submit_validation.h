#pragma once

// Checks and defaults one submitted job before anything is stored, in
// Armada's order: every check on the item as submitted (Armada's
// internal/server/submit/validation), then the defaults
// (internal/server/submit/conversion/post_process.go; lib/model/
// submit_defaults.h). Works on a proto-free view of the request item (the
// server builds it), so the rules are unit tested without gRPC. Errors are
// kInvalidArgument and start with the path of the offending field, e.g.
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
#include "lib/model/scheduling_types.h"

namespace armada::model {

struct SubmitConfig {
  std::string default_namespace = "default";
  std::vector<std::string> allowed_priority_classes = {"armada-default", "armada-preemptible"};
  std::string default_priority_class = "armada-default";
  // Armada's minTerminationGracePeriod and maxTerminationGracePeriod (its
  // shipped 1s and 5m). A pod that gives no grace period, or 0, gets the
  // minimum; another value outside [min, max] is refused. REQUIRES: 0 <= min
  // <= max; min 0 leaves a missing or zero grace period as it is.
  int64_t min_termination_grace_seconds = 1;
  int64_t max_termination_grace_seconds = 300;
  // Armada's defaultActiveDeadline: the activeDeadlineSeconds of pods that
  // set none; 0 sets none. Armada's shipped config has 72h.
  int64_t default_active_deadline_seconds = 0;
  // Armada's defaultActiveDeadlineByResourceRequest: resource -> deadline for
  // pods with a container requesting more than zero of it; the largest match
  // wins over default_active_deadline_seconds. (Armada ships nvidia.com/gpu:
  // 336h.)
  std::map<std::string, int64_t> default_active_deadline_by_resource_seconds;
  // Armada's defaultJobLimits: resource -> quantity put in both requests and
  // limits of each container (and init container) that names the resource
  // in neither. Armada ships cpu 1, memory 1Gi, ephemeral-storage 8Gi; none
  // here, since executors that declare no ephemeral-storage could then run
  // no job.
  std::map<std::string, std::string> default_job_limits;
  // Armada's defaultJobTolerations, defaultJobTolerationsByPriorityClass
  // (keyed by the defaulted class) and defaultJobTolerationsByResourceRequest
  // (for pods requesting more than zero of the resource): appended to the
  // pod's tolerations, in that order.
  std::vector<Toleration> default_job_tolerations;
  std::map<std::string, std::vector<Toleration>> default_job_tolerations_by_priority_class;
  std::map<std::string, std::vector<Toleration>> default_job_tolerations_by_resource_request;
  // Armada's restrictedTolerationKeys: toleration keys a job may not set.
  std::vector<std::string> restricted_toleration_keys;
  // Armada's defaultGangNodeUniformityLabel: the node uniformity label of
  // gangs (cardinality > 1) that name none.
  std::string default_gang_node_uniformity_label;
  // Armada's addGangIdLabel: copy the gang id annotation into a label.
  bool add_gang_id_label = false;
  // Armada's assertInitContainersRequestFractionalCpu (its shipped config has
  // true): init containers must ask for a fractional cpu (e.g. 900m), never a
  // whole one.
  bool assert_init_containers_fractional_cpu = false;
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
  // Per resource, replacing max_oversubscription (Armada's map form of the
  // same key; Armada's default for a resource not listed is 1).
  std::map<std::string, double> max_oversubscription_by_resource;
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
  std::vector<ContainerView> init_containers;
  std::string priority_class_name;
  std::optional<int64_t> termination_grace_seconds;
  std::optional<int64_t> active_deadline_seconds;
  std::vector<Toleration> tolerations;
  size_t pod_spec_bytes = 0;
  bool has_preferred_node_affinity = false;
  // requiredDuringSchedulingIgnoredDuringExecution's terms.
  std::vector<NodeSelectorTerm> required_node_affinity;
  // The ports of each of the item's ingress configs.
  std::vector<std::vector<uint32_t>> ingress_ports;
  // The item's annotations (gang membership is declared there).
  std::map<std::string, std::string> annotations;
  std::map<std::string, std::string> labels;
  size_t item_bytes = 0;  // the serialized item
};

// The item after defaulting: what the store and scheduler use. The server
// writes each field into the stored pod spec.
struct ValidatedItem {
  uint32_t priority = 0;
  std::string namespace_name;
  std::string priority_class_name;
  // Unset only when the pod gives none and the minimum is 0.
  std::optional<int64_t> termination_grace_seconds;
  // Set when defaulted (the pod gave none and a default applies).
  std::optional<int64_t> active_deadline_seconds;
  // Appended to the pod's tolerations.
  std::vector<Toleration> added_tolerations;
  // Per container (and init container), in order: resource -> quantity
  // added to both its requests and its limits.
  std::vector<std::map<std::string, std::string>> container_defaults;
  std::vector<std::map<std::string, std::string>> init_container_defaults;
  // Set on the job's annotations (keys it does not have) and labels (over
  // any of the same key): the gang defaults.
  std::map<std::string, std::string> added_annotations;
  std::map<std::string, std::string> added_labels;
  ResourceList requests;  // the sum over containers, defaults included
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
// (Kubernetes' rules, annotations at most max_annotations_bytes in total), its
// serialized size, its node affinity (valid keys, operators and values), its
// ingresses (each with ports, no port in two), its tolerations (none with a
// restricted key) and its price band annotation; then the defaults of
// ApplySubmitDefaults (lib/model/submit_defaults.h).
absl::StatusOr<ValidatedItem> ValidateSubmitItem(size_t index, const SubmitItemView& item,
                                                 const SubmitConfig& config);

// Checks gang declarations across the items of one request: a gang's
// cardinality is a positive integer, its members agree on cardinality,
// priority class (as submitted) and node uniformity label, the fail-fast
// annotation is "true" if set, and the request holds no more members than
// the cardinality. (Members may arrive over several requests.)
absl::Status ValidateGangs(const std::vector<SubmitItemView>& items);

// Armada's gang annotations.
inline constexpr char kGangIdAnnotation[] = "armadaproject.io/gangId";
inline constexpr char kGangCardinalityAnnotation[] = "armadaproject.io/gangCardinality";
inline constexpr char kGangUniformityLabelAnnotation[] = "armadaproject.io/gangNodeUniformityLabel";
inline constexpr char kFailFastAnnotation[] = "armadaproject.io/failFast";
inline constexpr char kPriceBandAnnotation[] = "armadaproject.io/priceBand";

// Armada's conversion of the API's double priority: rounded and clamped to
// [0, 2^32-1].
uint32_t PriorityFromDouble(double priority);

}  // namespace armada::model
