#include "executor/backends/kubernetes/pod_state.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "lib/model/resource_quantity.h"

namespace armada::executor::kubernetes {
namespace {

using nlohmann::json;

const json& Field(const json& object, const char* pointer) {
  static const json kNull;
  const json::json_pointer p(pointer);
  return object.contains(p) ? object.at(p) : kNull;
}

std::string Str(const json& object, const char* pointer) {
  const json& v = Field(object, pointer);
  return v.is_string() ? v.get<std::string>() : "";
}

std::string WithMessage(const std::string& reason, const std::string& message) {
  return message.empty() ? reason : absl::StrCat(reason, ": ", message);
}

void ObserveFailure(const json& pod, PodObservation& out) {
  const std::string pod_reason = Str(pod, "/status/reason");
  const std::string pod_message = Str(pod, "/status/message");
  const json* failed = nullptr;
  const json* first = nullptr;
  for (const json& c : Field(pod, "/status/containerStatuses")) {
    const json& t = Field(c, "/state/terminated");
    if (!t.is_object()) continue;
    if (first == nullptr) first = &c;
    if (failed == nullptr && t.value("exitCode", 0) != 0) failed = &c;
  }
  const json* chosen = failed ? failed : first;
  if (chosen != nullptr) out.exit_code = Field(*chosen, "/state/terminated").value("exitCode", 0);
  if (pod_reason == "Evicted") {
    out.cause = FailureCause::kEvicted;
    out.reason = WithMessage("Evicted", pod_message);
  } else if (pod_reason == "DeadlineExceeded") {
    out.cause = FailureCause::kDeadlineExceeded;
    out.reason = WithMessage("DeadlineExceeded", pod_message);
  } else if (chosen != nullptr) {
    const json& t = Field(*chosen, "/state/terminated");
    const std::string reason = t.value("reason", "");
    if (reason == "OOMKilled") out.cause = FailureCause::kOom;
    out.reason = absl::StrCat(reason.empty() ? "Error" : reason, ": exit code ", out.exit_code,
                              " (container ", chosen->value("name", ""), ")");
    if (!t.value("message", "").empty()) out.reason += ": " + t.value("message", "");
  } else {
    out.reason = WithMessage(pod_reason.empty() ? "pod failed" : pod_reason, pod_message);
  }
}

void ObservePending(const json& pod, PodObservation& out) {
  for (const json& c : Field(pod, "/status/conditions")) {
    if (c.value("type", "") == "PodScheduled" && c.value("status", "") == "False" &&
        c.value("reason", "") == "Unschedulable") {
      out.issue = PodIssue::kUnschedulable;
      out.issue_message = WithMessage("Unschedulable", c.value("message", ""));
      return;
    }
  }
  for (const char* list : {"/status/initContainerStatuses", "/status/containerStatuses"}) {
    for (const json& c : Field(pod, list)) {
      const json& waiting = Field(c, "/state/waiting");
      if (!waiting.is_object()) continue;
      const std::string reason = waiting.value("reason", "");
      PodIssue issue = PodIssue::kStuckStarting;
      if (reason == "InvalidImageName") issue = PodIssue::kInvalidImage;
      if (reason == "ErrImagePull" || reason == "ImagePullBackOff") issue = PodIssue::kImagePull;
      // The most severe issue wins: invalid image > image pull > other waiting reasons.
      if (out.issue == PodIssue::kNone || static_cast<int>(issue) > static_cast<int>(out.issue)) {
        out.issue = issue;
        out.issue_message = WithMessage(reason, waiting.value("message", ""));
      }
    }
  }
}

void AddQuantities(const json& list, model::ResourceList& out, bool take_max) {
  if (!list.is_object()) return;
  for (const auto& [name, value] : list.items()) {
    if (!value.is_string()) continue;
    absl::StatusOr<int64_t> milli = model::ParseQuantity(value.get<std::string>());
    if (!milli.ok()) continue;
    if (take_max) {
      out.Set(name, std::max(out.Get(name), *milli));
    } else {
      out.Set(name, out.Get(name) + *milli);
    }
  }
}

}  // namespace

bool IsTerminated(const json& pod) {
  const std::string phase = Str(pod, "/status/phase");
  return phase == "Succeeded" || phase == "Failed";
}

PodObservation ObservePod(const json& pod) {
  PodObservation out;
  out.node_name = Str(pod, "/spec/nodeName");
  out.deleting = Field(pod, "/metadata/deletionTimestamp").is_string();
  for (const json& c : Field(pod, "/status/containerStatuses")) {
    if (Field(c, "/state/running").is_object() || Field(c, "/state/terminated").is_object()) {
      out.started = true;
    }
  }
  const std::string phase = Str(pod, "/status/phase");
  if (phase == "Pending") {
    out.phase = RunPhase::kPending;
    ObservePending(pod, out);
  } else if (phase == "Running") {
    out.phase = RunPhase::kRunning;
  } else if (phase == "Succeeded") {
    out.phase = RunPhase::kSucceeded;
    out.reason = "succeeded";
  } else if (phase == "Failed") {
    out.phase = RunPhase::kFailed;
    ObserveFailure(pod, out);
  } else {
    out.known_phase = false;
  }
  return out;
}

model::ResourceList PodRequests(const json& pod) {
  model::ResourceList sum;
  for (const json& c : Field(pod, "/spec/containers")) {
    AddQuantities(Field(c, "/resources/requests"), sum, false);
  }
  model::ResourceList init;
  for (const json& c : Field(pod, "/spec/initContainers")) {
    AddQuantities(Field(c, "/resources/requests"), init, true);
  }
  for (const auto& [name, milli] : init.entries()) sum.Set(name, std::max(sum.Get(name), milli));
  AddQuantities(Field(pod, "/spec/overhead"), sum, false);
  return sum;
}

BackendNode NodeFromJson(const json& node, const std::string& pool_label) {
  BackendNode out;
  out.name = Str(node, "/metadata/name");
  const json& labels = Field(node, "/metadata/labels");
  if (labels.is_object()) {
    for (const auto& [k, v] : labels.items()) {
      if (v.is_string()) out.labels[k] = v.get<std::string>();
    }
  }
  if (!pool_label.empty() && out.labels.count(pool_label)) out.pool = out.labels[pool_label];
  for (const json& t : Field(node, "/spec/taints")) {
    out.taints.push_back({t.value("key", ""), t.value("value", ""), t.value("effect", "")});
  }
  AddQuantities(Field(node, "/status/allocatable"), out.allocatable, false);
  bool ready = false;
  for (const json& c : Field(node, "/status/conditions")) {
    if (c.value("type", "") == "Ready") ready = c.value("status", "") == "True";
  }
  out.unschedulable = Field(node, "/spec/unschedulable") == true || !ready;
  return out;
}

}  // namespace armada::executor::kubernetes
