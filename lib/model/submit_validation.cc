#include "lib/model/submit_validation.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/common/status_macros.h"
#include "lib/common/utf8.h"
#include "lib/model/internal/pod_checks.h"
#include "lib/model/resource_quantity.h"
#include "lib/model/submit_defaults.h"

namespace armada::model {
namespace {

absl::Status Invalid(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(path + ": " + what);
}

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Kubernetes' name part of a qualified name and its label values:
// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], at most 63 characters.
std::string NameProblem(const std::string& name, const char* what) {
  if (name.empty()) return absl::StrCat(what, " must not be empty");
  if (name.size() > 63) {
    return absl::StrCat(what, " is ", name.size(), " characters long; at most 63 are allowed");
  }
  if (!IsAlnum(name.front()) || !IsAlnum(name.back())) {
    return absl::StrCat(what, " must start and end with a letter or digit");
  }
  for (char c : name) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') {
      return absl::StrCat(what, " may hold only letters, digits, '-', '_' and '.'");
    }
  }
  return "";
}

// A DNS-1123 subdomain: lower-case labels of [a-z0-9-] (not starting or
// ending with '-') joined by '.', at most 253 characters.
std::string SubdomainProblem(const std::string& name) {
  if (name.empty()) return "the prefix before '/' must not be empty";
  if (name.size() > 253) {
    return absl::StrCat("the prefix is ", name.size(), " characters long; at most 253 are allowed");
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('.', start);
    if (end == std::string::npos) end = name.size();
    const std::string part = name.substr(start, end - start);
    const auto lower_alnum = [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    };
    if (part.empty() || !lower_alnum(part.front()) || !lower_alnum(part.back())) {
      return "the prefix must be a DNS subdomain (lower-case letters, digits, '-' and '.')";
    }
    for (char c : part) {
      if (!lower_alnum(c) && c != '-') {
        return "the prefix must be a DNS subdomain (lower-case letters, digits, '-' and '.')";
      }
    }
    start = end + 1;
  }
  return "";
}

std::string Quoted(const std::string& text) { return common::QuoteForMessage(text, 100); }

// One container or init container at `cpath`: a name, unique ports (across
// the pod: `port_owner` maps each port seen to its container's path), valid
// non-negative quantities, the same resources in requests and limits (a side
// left out entirely takes the other's), limits within the oversubscription
// allowed, known resources, and per resource it requests at least
// min_job_resources. Returns its requests.
absl::StatusOr<ResourceList> CheckContainer(const std::string& cpath,
                                            const ContainerView& container,
                                            const SubmitConfig& config,
                                            std::map<int32_t, std::string>& port_owner) {
  if (container.name.empty()) return Invalid(cpath + ".name", "must be set");
  for (size_t p = 0; p < container.ports.size(); ++p) {
    auto [it, inserted] = port_owner.emplace(container.ports[p], cpath);
    if (!inserted) {
      return Invalid(absl::StrCat(cpath, ".ports[", p, "].containerPort"),
                     absl::StrCat(container.ports[p], " is already used by ",
                                  it->second.substr(it->second.rfind('.') + 1)));
    }
  }
  for (const auto* side : {&container.requests, &container.limits}) {
    const char* side_name = side == &container.requests ? "requests" : "limits";
    for (const auto& [resource, text] : *side) {
      std::string rpath = absl::StrCat(cpath, ".resources.", side_name, "[", resource, "]");
      auto milli = ParseQuantity(text);
      if (!milli.ok()) return Invalid(rpath, std::string(milli.status().message()));
      if (*milli < 0) return Invalid(rpath, absl::StrCat("must not be negative, got ", text));
    }
  }
  // Armada requires requests and limits to name the same resources; a side
  // left out entirely is filled from the other, as Kubernetes does.
  const auto& requests = container.requests.empty() ? container.limits : container.requests;
  const auto& limits = container.limits.empty() ? container.requests : container.limits;
  if (requests.empty()) {
    return Invalid(cpath + ".resources", "requests (or limits) for cpu and memory are required");
  }
  for (const auto& [resource, _] : requests) {
    if (!limits.count(resource)) {
      return Invalid(
          absl::StrCat(cpath, ".resources.limits"),
          absl::StrCat("has no ", resource, " but requests do; list the same resources in both"));
    }
  }
  for (const auto& [resource, _] : limits) {
    if (!requests.count(resource)) {
      return Invalid(
          absl::StrCat(cpath, ".resources.requests"),
          absl::StrCat("has no ", resource, " but limits do; list the same resources in both"));
    }
  }
  const auto& supported = config.supported_resources;
  ResourceList sum;
  for (const auto& [resource, text] : requests) {
    if (!supported.empty() &&
        std::find(supported.begin(), supported.end(), resource) == supported.end()) {
      return Invalid(
          absl::StrCat(cpath, ".resources.requests[", resource, "]"),
          absl::StrCat("unknown resource; the scheduler knows ", absl::StrJoin(supported, ", ")));
    }
    const int64_t request = *ParseQuantity(text);
    const int64_t limit = *ParseQuantity(limits.at(resource));
    if (limit < request) {
      return Invalid(absl::StrCat(cpath, ".resources.limits[", resource, "]"),
                     absl::StrCat(limits.at(resource), " is below the request ", text,
                                  "; a limit must be at least its request"));
    }
    auto by_resource = config.max_oversubscription_by_resource.find(resource);
    const double factor = by_resource == config.max_oversubscription_by_resource.end()
                              ? config.max_oversubscription
                              : by_resource->second;
    if (static_cast<double>(limit) > static_cast<double>(request) * factor) {
      return Invalid(absl::StrCat(cpath, ".resources.limits[", resource, "]"),
                     absl::StrCat(limits.at(resource), " exceeds the request ", text,
                                  factor == 1.0 ? "; limits must equal requests"
                                                : absl::StrCat(" times ", factor)));
    }
    // Armada's minJobResources: per container, for the resources it asks for.
    if (auto minimum = config.min_job_resources.find(resource);
        minimum != config.min_job_resources.end()) {
      auto min_milli = ParseQuantity(minimum->second);
      if (min_milli.ok() && request < *min_milli) {
        return Invalid(absl::StrCat(cpath, ".resources.requests[", resource, "]"),
                       absl::StrCat(text, " is below the server's minimum ", minimum->second,
                                    " (submit.minJobResources)"));
      }
    }
    ResourceList one;
    one.Set(resource, request);
    sum.Add(one);
  }
  return sum;
}

// Armada's assertInitContainersRequestFractionalCpu: whole cpus in an init
// container may fail its pod under the static cpu manager.
absl::Status CheckInitContainerCpu(const std::string& cpath, const ContainerView& init,
                                   const SubmitConfig& config) {
  if (!config.assert_init_containers_fractional_cpu) return absl::OkStatus();
  for (const auto* side : {&init.requests, &init.limits}) {
    auto cpu = side->find("cpu");
    if (cpu == side->end()) continue;
    const int64_t milli = *ParseQuantity(cpu->second);
    if (milli != 0 && milli % 1000 == 0) {
      return Invalid(
          absl::StrCat(cpath, ".resources.", side == &init.requests ? "requests" : "limits",
                       "[cpu]"),
          absl::StrCat(cpu->second,
                       " is a whole cpu; init containers must ask for a fractional "
                       "cpu such as 900m (submit.assertInitContainersRequestFractionalCpu)"));
    }
  }
  return absl::OkStatus();
}

// Kubernetes' rules for the item's labels and annotations, and the
// annotations' total size.
absl::Status CheckMetadata(const std::string& path, const SubmitItemView& item,
                           const SubmitConfig& config) {
  for (const auto& [key, value] : item.labels) {
    if (std::string problem = LabelKeyProblem(key); !problem.empty()) {
      return Invalid(path + ".labels", absl::StrCat("key ", Quoted(key), ": ", problem));
    }
    if (std::string problem = LabelValueProblem(value); !problem.empty()) {
      return Invalid(absl::StrCat(path, ".labels[", key, "]"),
                     absl::StrCat(Quoted(value), ": ", problem));
    }
  }
  size_t annotation_bytes = 0;
  for (const auto& [key, value] : item.annotations) {
    // Kubernetes checks annotation keys lower-cased.
    if (std::string problem = LabelKeyProblem(absl::AsciiStrToLower(key)); !problem.empty()) {
      return Invalid(path + ".annotations", absl::StrCat("key ", Quoted(key), ": ", problem));
    }
    annotation_bytes += key.size() + value.size();
  }
  if (annotation_bytes > config.max_annotations_bytes) {
    return Invalid(
        path + ".annotations",
        absl::StrCat("are ", annotation_bytes, " bytes in total; at most ",
                     config.max_annotations_bytes, " are allowed (submit.maxAnnotationsBytes)"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string LabelKeyProblem(const std::string& key) {
  if (key.empty()) return "the key must not be empty";
  const size_t slash = key.find('/');
  if (slash == std::string::npos) return NameProblem(key, "the key");
  if (key.find('/', slash + 1) != std::string::npos) return "the key holds more than one '/'";
  if (std::string problem = SubdomainProblem(key.substr(0, slash)); !problem.empty()) {
    return problem;
  }
  const std::string name = key.substr(slash + 1);
  if (name.empty()) return "the name after '/' must not be empty";
  return NameProblem(name, "the name after '/'");
}

std::string LabelValueProblem(const std::string& value) {
  if (value.empty()) return "";
  return NameProblem(value, "the value");
}

absl::Status ValidateQueueName(const std::string& path, const std::string& name) {
  if (name.empty()) return Invalid(path, "must be set");
  if (std::string problem = NameProblem(name, "a queue name"); !problem.empty()) {
    return Invalid(path, absl::StrCat(Quoted(name), ": ", problem,
                                      " (queue names are Kubernetes label values)"));
  }
  return absl::OkStatus();
}

uint32_t PriorityFromDouble(double priority) {
  if (!(priority > 0)) return 0;  // also NaN
  double rounded = std::round(priority);
  if (rounded >= static_cast<double>(std::numeric_limits<uint32_t>::max())) {
    return std::numeric_limits<uint32_t>::max();
  }
  return static_cast<uint32_t>(rounded);
}

absl::Status ValidateSubmitRequest(const std::string& queue, const std::string& job_set,
                                   size_t item_count, const SubmitConfig& config,
                                   size_t request_bytes) {
  if (absl::Status s = ValidateQueueName("queue", queue); !s.ok()) return s;
  if (job_set.empty()) return Invalid("job_set_id", "must be set");
  if (job_set.size() > config.max_job_set_length) {
    return Invalid("job_set_id", absl::StrCat("is ", job_set.size(), " characters long; at most ",
                                              config.max_job_set_length, " are allowed"));
  }
  if (!common::IsValidUtf8(job_set)) {
    return Invalid("job_set_id", absl::StrCat(Quoted(job_set), " is not valid UTF-8"));
  }
  for (char c : job_set) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      return Invalid("job_set_id",
                     absl::StrCat(Quoted(job_set), " holds a control character; not allowed"));
    }
  }
  if (request_bytes > config.max_request_bytes) {
    return Invalid("job_request_items",
                   absl::StrCat("the request is ", request_bytes, " bytes; at most ",
                                config.max_request_bytes, " are allowed (submit.maxRequestBytes)"));
  }
  if (item_count == 0) return Invalid("job_request_items", "must hold at least one job");
  if (item_count > config.max_items_per_request) {
    return Invalid("job_request_items",
                   absl::StrCat("holds ", item_count, " jobs; at most ",
                                config.max_items_per_request, " are allowed in one request"));
  }
  return absl::OkStatus();
}

absl::StatusOr<ValidatedItem> ValidateSubmitItem(size_t index, const SubmitItemView& item,
                                                 const SubmitConfig& config) {
  const std::string path = absl::StrCat("job_request_items[", index, "]");
  ValidatedItem out;

  if (std::isnan(item.priority) || item.priority < 0) {
    return Invalid(path + ".priority", absl::StrCat("must be a number >= 0, got ", item.priority));
  }
  out.priority = PriorityFromDouble(item.priority);
  if (item.client_id.size() > config.max_client_id_length) {
    return Invalid(path + ".client_id",
                   absl::StrCat("is ", item.client_id.size(), " characters long; at most ",
                                config.max_client_id_length, " are allowed"));
  }
  out.namespace_name = item.namespace_name.empty() ? config.default_namespace : item.namespace_name;
  if (item.item_bytes > config.max_item_bytes) {
    return Invalid(path,
                   absl::StrCat("is ", item.item_bytes, " bytes; at most ", config.max_item_bytes,
                                " are allowed in one job (submit.maxItemBytes)"));
  }
  RETURN_IF_ERROR(CheckMetadata(path, item, config));

  if (item.pod_spec_count != 1) {
    return Invalid(path + ".pod_specs",
                   absl::StrCat("a job needs exactly one pod spec, got ", item.pod_spec_count));
  }
  const std::string pod = path + ".pod_specs[0]";
  if (item.containers.empty()) return Invalid(pod + ".containers", "at least one is required");
  if (item.pod_spec_bytes > config.max_pod_spec_bytes) {
    return Invalid(pod, absl::StrCat("is ", item.pod_spec_bytes, " bytes; at most ",
                                     config.max_pod_spec_bytes, " are allowed"));
  }
  RETURN_IF_ERROR(internal::CheckAffinity(pod, item));
  RETURN_IF_ERROR(internal::CheckIngresses(path, item));
  RETURN_IF_ERROR(internal::CheckTolerations(pod, item, config));
  if (auto band = item.annotations.find(kPriceBandAnnotation);
      band != item.annotations.end() && !internal::IsPriceBand(band->second)) {
    return Invalid(
        absl::StrCat(path, ".annotations[", kPriceBandAnnotation, "]"),
        absl::StrCat(Quoted(band->second), " is not a price band (None or A to H, any case)"));
  }

  out.priority_class_name =
      item.priority_class_name.empty() ? config.default_priority_class : item.priority_class_name;
  const auto& allowed = config.allowed_priority_classes;
  if (std::find(allowed.begin(), allowed.end(), out.priority_class_name) == allowed.end()) {
    return Invalid(pod + ".priorityClassName",
                   absl::StrCat("unknown priority class \"", out.priority_class_name,
                                "\"; allowed: ", absl::StrJoin(allowed, ", ")));
  }

  // As Armada: 0 or none is defaulted to the minimum (ApplySubmitDefaults);
  // any other value must lie within the bounds.
  const int64_t grace = item.termination_grace_seconds.value_or(0);
  if (grace != 0 && (grace < config.min_termination_grace_seconds ||
                     grace > config.max_termination_grace_seconds)) {
    return Invalid(pod + ".terminationGracePeriodSeconds",
                   absl::StrCat(grace, " is outside [", config.min_termination_grace_seconds, ", ",
                                config.max_termination_grace_seconds,
                                "]; give a value in that range, or 0 or none for ",
                                config.min_termination_grace_seconds));
  }

  std::map<int32_t, std::string> port_owner;
  for (size_t c = 0; c < item.containers.size(); ++c) {
    ASSIGN_OR_RETURN(ResourceList requests,
                     CheckContainer(absl::StrCat(pod, ".containers[", c, "]"), item.containers[c],
                                    config, port_owner));
    out.requests.Add(requests);
  }
  for (size_t c = 0; c < item.init_containers.size(); ++c) {
    const std::string cpath = absl::StrCat(pod, ".initContainers[", c, "]");
    const ContainerView& init = item.init_containers[c];
    RETURN_IF_ERROR(CheckContainer(cpath, init, config, port_owner).status());
    RETURN_IF_ERROR(CheckInitContainerCpu(cpath, init, config));
  }
  return ApplySubmitDefaults(item, config, std::move(out));
}

absl::Status ValidateGangs(const std::vector<SubmitItemView>& items) {
  struct Gang {
    size_t first_item;
    std::string cardinality;
    std::string uniformity_label;
    std::string priority_class;
    int64_t members = 0;
  };
  std::map<std::string, Gang> gangs;
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& annotations = items[i].annotations;
    auto id = annotations.find(kGangIdAnnotation);
    const std::string path = absl::StrCat("job_request_items[", i, "].annotations");
    auto cardinality = annotations.find(kGangCardinalityAnnotation);
    if (id != annotations.end() && id->second.empty()) {
      return Invalid(absl::StrCat(path, "[", kGangIdAnnotation, "]"), "must not be empty");
    }
    if (id == annotations.end()) {
      if (cardinality != annotations.end()) {
        return Invalid(absl::StrCat(path, "[", kGangCardinalityAnnotation, "]"),
                       absl::StrCat("is set but ", kGangIdAnnotation, " is not"));
      }
      continue;
    }
    int64_t n = 0;
    if (cardinality == annotations.end() || !absl::SimpleAtoi(cardinality->second, &n) || n < 1) {
      return Invalid(
          absl::StrCat(path, "[", kGangCardinalityAnnotation, "]"),
          absl::StrCat("gang ", id->second, " needs a cardinality >= 1, got \"",
                       cardinality == annotations.end() ? "" : cardinality->second, "\""));
    }
    if (auto fail_fast = annotations.find(kFailFastAnnotation);
        n > 1 && fail_fast != annotations.end() && fail_fast->second != "true") {
      return Invalid(
          absl::StrCat(path, "[", kFailFastAnnotation, "]"),
          absl::StrCat("gang ", id->second, ": gang jobs may only set it to \"true\", got ",
                       Quoted(fail_fast->second)));
    }
    auto label = annotations.find(kGangUniformityLabelAnnotation);
    const std::string uniformity = label == annotations.end() ? "" : label->second;
    auto [it, inserted] = gangs.emplace(
        id->second, Gang{i, cardinality->second, uniformity, items[i].priority_class_name});
    Gang& gang = it->second;
    if (n > 1 && gang.priority_class != items[i].priority_class_name) {
      return Invalid(absl::StrCat("job_request_items[", i, "].pod_specs[0].priorityClassName"),
                     absl::StrCat("gang ", id->second, " has priority class \"",
                                  gang.priority_class, "\" in job_request_items[", gang.first_item,
                                  "] but \"", items[i].priority_class_name, "\" here"));
    }
    if (gang.cardinality != cardinality->second) {
      return Invalid(absl::StrCat(path, "[", kGangCardinalityAnnotation, "]"),
                     absl::StrCat("gang ", id->second, " has cardinality ", gang.cardinality,
                                  " in job_request_items[", gang.first_item, "] but ",
                                  cardinality->second, " here"));
    }
    if (gang.uniformity_label != uniformity) {
      return Invalid(absl::StrCat(path, "[", kGangUniformityLabelAnnotation, "]"),
                     absl::StrCat("gang ", id->second, " has node uniformity label \"",
                                  gang.uniformity_label, "\" in job_request_items[",
                                  gang.first_item, "] but \"", uniformity, "\" here"));
    }
    if (++gang.members > n) {
      return Invalid(absl::StrCat(path, "[", kGangIdAnnotation, "]"),
                     absl::StrCat("gang ", id->second, " has cardinality ", n,
                                  " but this request holds more members"));
    }
  }
  return absl::OkStatus();
}

}  // namespace armada::model
