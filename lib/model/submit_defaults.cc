#include "lib/model/submit_defaults.h"

#include <algorithm>
#include <set>

#include "absl/strings/numbers.h"
#include "lib/model/resource_quantity.h"

namespace armada::model {
namespace {

// A container's requests; a container that lists only limits requests them
// (validation fills the missing side the same way).
const std::map<std::string, std::string>& RequestsOf(const ContainerView& c) {
  return c.requests.empty() ? c.limits : c.requests;
}

bool RequestsMoreThanZero(const ContainerView& c, const std::string& resource) {
  auto it = RequestsOf(c).find(resource);
  if (it == RequestsOf(c).end()) return false;
  auto milli = ParseQuantity(it->second);
  return milli.ok() && *milli > 0;
}

// Armada counts a job as a gang when its cardinality is above 1.
bool IsGang(const std::map<std::string, std::string>& annotations) {
  auto id = annotations.find(kGangIdAnnotation);
  auto cardinality = annotations.find(kGangCardinalityAnnotation);
  int64_t n = 0;
  return id != annotations.end() && cardinality != annotations.end() &&
         absl::SimpleAtoi(cardinality->second, &n) && n > 1;
}

void DefaultGang(const SubmitItemView& item, const SubmitConfig& config, ValidatedItem& out) {
  const auto& annotations = item.annotations;
  if (IsGang(annotations)) {
    if (!annotations.contains(kGangUniformityLabelAnnotation)) {
      out.added_annotations[kGangUniformityLabelAnnotation] =
          config.default_gang_node_uniformity_label;
    }
    if (!annotations.contains(kFailFastAnnotation))
      out.added_annotations[kFailFastAnnotation] = "true";
  }
  auto id = annotations.find(kGangIdAnnotation);
  if (config.add_gang_id_label && id != annotations.end() && !id->second.empty()) {
    // Armada overwrites a label of the same key; so do we (the server
    // writes added labels over the item's).
    out.added_labels[kGangIdAnnotation] = id->second;
  }
}

void DefaultActiveDeadline(const SubmitItemView& item, const SubmitConfig& config,
                           ValidatedItem& out) {
  if (item.active_deadline_seconds.has_value()) return;
  int64_t seconds = 0;
  for (const auto& [resource, deadline] : config.default_active_deadline_by_resource_seconds) {
    for (const ContainerView& c : item.containers) {
      if (RequestsMoreThanZero(c, resource)) seconds = std::max(seconds, deadline);
    }
  }
  if (seconds == 0) seconds = config.default_active_deadline_seconds;
  if (seconds != 0) out.active_deadline_seconds = seconds;
}

std::vector<std::map<std::string, std::string>> DefaultResources(
    const std::vector<ContainerView>& containers, const SubmitConfig& config) {
  std::vector<std::map<std::string, std::string>> added(containers.size());
  for (size_t i = 0; i < containers.size(); ++i) {
    for (const auto& [resource, quantity] : config.default_job_limits) {
      if (!containers[i].requests.contains(resource) && !containers[i].limits.contains(resource)) {
        added[i][resource] = quantity;
      }
    }
  }
  return added;
}

void DefaultTolerations(const SubmitItemView& item, const SubmitConfig& config,
                        ValidatedItem& out) {
  auto append = [&](const std::vector<Toleration>& tolerations) {
    out.added_tolerations.insert(out.added_tolerations.end(), tolerations.begin(),
                                 tolerations.end());
  };
  append(config.default_job_tolerations);
  if (auto it = config.default_job_tolerations_by_priority_class.find(out.priority_class_name);
      it != config.default_job_tolerations_by_priority_class.end()) {
    append(it->second);
  }
  for (const auto& [resource, tolerations] : config.default_job_tolerations_by_resource_request) {
    bool requested = false;
    for (const auto* containers : {&item.containers, &item.init_containers}) {
      const auto& defaults =
          containers == &item.containers ? out.container_defaults : out.init_container_defaults;
      for (size_t i = 0; i < containers->size(); ++i) {
        requested = requested || RequestsMoreThanZero((*containers)[i], resource);
        auto d = defaults[i].find(resource);
        if (d != defaults[i].end()) {
          auto milli = ParseQuantity(d->second);
          requested = requested || (milli.ok() && *milli > 0);
        }
      }
    }
    if (requested) append(tolerations);
  }
}

}  // namespace

ValidatedItem ApplySubmitDefaults(const SubmitItemView& item, const SubmitConfig& config,
                                  ValidatedItem valid) {
  DefaultGang(item, config, valid);
  DefaultActiveDeadline(item, config, valid);
  valid.container_defaults = DefaultResources(item.containers, config);
  valid.init_container_defaults = DefaultResources(item.init_containers, config);
  for (const auto& added : valid.container_defaults) {
    for (const auto& [resource, quantity] : added) {
      auto milli = ParseQuantity(quantity);
      if (!milli.ok()) continue;  // the configuration is checked at load
      ResourceList one;
      one.Set(resource, *milli);
      valid.requests.Add(one);
    }
  }
  DefaultTolerations(item, config, valid);
  const int64_t grace = item.termination_grace_seconds.value_or(0);
  if (grace == 0 && config.min_termination_grace_seconds != 0) {
    valid.termination_grace_seconds = config.min_termination_grace_seconds;
  } else {
    valid.termination_grace_seconds = item.termination_grace_seconds;
  }
  return valid;
}

std::string ExpandJobIdTemplate(std::string_view value, std::string_view job_id) {
  // Left to right: "{{JobId}}" is the literal text "JobId", "{JobId}" the id.
  constexpr std::string_view kEscaped = "{{JobId}}";
  constexpr std::string_view kField = "{JobId}";
  std::string out;
  size_t i = 0;
  while (i < value.size()) {
    if (value.substr(i, kEscaped.size()) == kEscaped) {
      out += "JobId";
      i += kEscaped.size();
    } else if (value.substr(i, kField.size()) == kField) {
      out += job_id;
      i += kField.size();
    } else {
      out += value[i++];
    }
  }
  return out;
}

}  // namespace armada::model
