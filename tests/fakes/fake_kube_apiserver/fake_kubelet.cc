#include "tests/fakes/fake_kube_apiserver/fake_kubelet.h"

namespace armada::fakes {
namespace {

using nlohmann::json;

constexpr char kTime[] = "2026-01-01T00:00:00Z";

json Scheduled(bool scheduled, const std::string& message = "") {
  json c = {{"type", "PodScheduled"}, {"status", scheduled ? "True" : "False"}};
  if (!scheduled) {
    c["reason"] = "Unschedulable";
    c["message"] = message;
  }
  return json::array({c});
}

json Container(json state, bool ready = false) {
  return json::array({{{"name", "main"},
                       {"image", "busybox:latest"},
                       {"ready", ready},
                       {"restartCount", 0},
                       {"state", std::move(state)}}});
}

}  // namespace

json MakeNode(const std::string& name, const std::map<std::string, std::string>& allocatable,
              const std::map<std::string, std::string>& labels,
              const std::vector<std::vector<std::string>>& taints, bool unschedulable) {
  json l = {{"kubernetes.io/hostname", name}};
  for (const auto& [k, v] : labels) l[k] = v;
  json t = json::array();
  for (const auto& taint : taints) {
    t.push_back({{"key", taint.at(0)}, {"value", taint.at(1)}, {"effect", taint.at(2)}});
  }
  json node = {{"metadata", {{"name", name}, {"labels", l}}},
               {"spec", json::object()},
               {"status",
                {{"allocatable", allocatable},
                 {"capacity", allocatable},
                 {"conditions", json::array({{{"type", "Ready"}, {"status", "True"}}})}}}};
  if (!t.empty()) node["spec"]["taints"] = t;
  if (unschedulable) node["spec"]["unschedulable"] = true;
  return node;
}

json UnschedulableStatus(const std::string& message) {
  return {{"phase", "Pending"}, {"conditions", Scheduled(false, message)}};
}

json WaitingStatus(const std::string& reason, const std::string& message) {
  return {
      {"phase", "Pending"},
      {"conditions", Scheduled(true)},
      {"containerStatuses", Container({{"waiting", {{"reason", reason}, {"message", message}}}})}};
}

json RunningStatus() {
  return {{"phase", "Running"},
          {"conditions", Scheduled(true)},
          {"startTime", kTime},
          {"containerStatuses", Container({{"running", {{"startedAt", kTime}}}}, true)}};
}

json SucceededStatus() {
  return {{"phase", "Succeeded"},
          {"conditions", Scheduled(true)},
          {"containerStatuses",
           Container({{"terminated", {{"exitCode", 0}, {"reason", "Completed"}}}})}};
}

json FailedStatus(int exit_code, const std::string& reason, const std::string& message) {
  json terminated = {{"exitCode", exit_code}, {"reason", reason}};
  if (!message.empty()) terminated["message"] = message;
  return {{"phase", "Failed"},
          {"conditions", Scheduled(true)},
          {"containerStatuses", Container({{"terminated", terminated}})}};
}

json PodFailedStatus(const std::string& reason, const std::string& message) {
  return {{"phase", "Failed"}, {"reason", reason}, {"message", message}};
}

}  // namespace armada::fakes
