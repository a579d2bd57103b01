#include "tests/fakes/fake_kube_apiserver/fake_kube_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tests/fakes/fake_kube_apiserver/fake_kubelet.h"

namespace armada::fakes {
namespace {

using nlohmann::json;

std::string MapKey(const std::string& resource, const std::string& ns, const std::string& name) {
  return absl::StrCat(resource, "|", ns, "|", name);
}

std::string Kind(const std::string& resource) { return resource == "nodes" ? "Node" : "Pod"; }

std::string NowRfc3339() {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone());
}

bool InScope(const json& object, const std::string& ns) {
  return ns.empty() || object.value("/metadata/namespace"_json_pointer, "") == ns;
}

bool Matches(const json& object, const std::string& ns, const Selector& selector) {
  const json* labels = object.contains("metadata") && object["metadata"].contains("labels")
                           ? &object["metadata"]["labels"]
                           : nullptr;
  return InScope(object, ns) && MatchesSelector(labels ? *labels : json(), selector.labels) &&
         MatchesFieldSelector(object, selector.fields);
}

std::string Describe(const std::string& resource, const std::string& name) {
  return absl::StrCat(resource, " \"", name, "\"");
}

// The state of the pod's first container ({"running": ...}, {"waiting": ...}, ...), or {}.
json FirstContainerState(const json& status) {
  const json statuses = status.value("containerStatuses", json::array());
  if (!statuses.is_array() || statuses.empty()) return json::object();
  return statuses[0].value("state", json::object());
}

bool Started(const json& state) {
  return state.contains("running") || state.contains("terminated");
}

}  // namespace

json StatusBody(int code, const std::string& reason, const std::string& message) {
  return {{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", json::object()},
          {"status", "Failure"}, {"message", message}, {"reason", reason},
          {"code", code}};
}

bool MatchesFieldSelector(const json& object, const std::string& selector) {
  for (absl::string_view raw : absl::StrSplit(selector, ',', absl::SkipWhitespace())) {
    const std::string term(absl::StripAsciiWhitespace(raw));
    const size_t ne = term.find("!=");
    const size_t eq = term.find('=');
    if (eq == std::string::npos) return false;
    const std::string field = term.substr(0, ne != std::string::npos ? ne : eq);
    const std::string want = term.substr(ne != std::string::npos ? ne + 2 : eq + 1);
    std::string pointer = "/" + field;
    std::replace(pointer.begin(), pointer.end(), '.', '/');
    const std::string have = object.value(json::json_pointer(pointer), "");
    if ((have == want) != (ne == std::string::npos)) return false;
  }
  return true;
}

bool MatchesSelector(const json& labels, const std::string& selector) {
  for (absl::string_view raw : absl::StrSplit(selector, ',', absl::SkipWhitespace())) {
    const std::string term(absl::StripAsciiWhitespace(raw));
    auto label = [&](const std::string& key) -> std::optional<std::string> {
      if (!labels.is_object() || !labels.contains(key)) return std::nullopt;
      return labels[key].get<std::string>();
    };
    size_t pos;
    if ((pos = term.find("!=")) != std::string::npos) {
      if (label(term.substr(0, pos)) == term.substr(pos + 2)) return false;
    } else if ((pos = term.find("==")) != std::string::npos) {
      if (label(term.substr(0, pos)) != term.substr(pos + 2)) return false;
    } else if ((pos = term.find('=')) != std::string::npos) {
      if (label(term.substr(0, pos)) != term.substr(pos + 1)) return false;
    } else if (term[0] == '!') {
      if (label(term.substr(1))) return false;
    } else if (!label(term)) {
      return false;
    }
  }
  return true;
}

json* FakeKubeStore::Find(const std::string& resource, const std::string& ns,
                          const std::string& name) {
  auto it = objects_.find(MapKey(resource, ns, name));
  return it == objects_.end() ? nullptr : &it->second;
}

void FakeKubeStore::Record(const std::string& type, const std::string& resource, json& object) {
  object["metadata"]["resourceVersion"] = std::to_string(++rv_);
  history_.push_back(Event{rv_, type, resource, object});
}

void FakeKubeStore::RemoveLocked(const std::string& resource, const std::string& ns,
                                 const std::string& name) {
  auto it = objects_.find(MapKey(resource, ns, name));
  if (it == objects_.end()) return;
  json object = std::move(it->second);
  objects_.erase(it);
  if (resource == "pods") pod_logs_.erase(ns + "|" + name);
  Record("DELETED", resource, object);
}

FakeResponse FakeKubeStore::List(const std::string& resource, const std::string& ns,
                                 const Selector& selector) {
  absl::MutexLock lock(&mu_);
  json items = json::array();
  for (const auto& [key, object] : objects_) {
    if (key.rfind(resource + "|", 0) == 0 && Matches(object, ns, selector)) {
      items.push_back(object);
    }
  }
  return {200,
          {{"kind", Kind(resource) + "List"},
           {"apiVersion", "v1"},
           {"metadata", {{"resourceVersion", std::to_string(rv_)}}},
           {"items", std::move(items)}}};
}

FakeResponse FakeKubeStore::Get(const std::string& resource, const std::string& ns,
                                const std::string& name) {
  absl::MutexLock lock(&mu_);
  const json* object = Find(resource, ns, name);
  if (object == nullptr) {
    return {404, StatusBody(404, "NotFound", Describe(resource, name) + " not found")};
  }
  return {200, *object};
}

FakeResponse FakeKubeStore::Create(const std::string& resource, const std::string& ns,
                                   json object) {
  if (!object.is_object() || !object.contains("metadata") ||
      !object["metadata"].value("name", "").size()) {
    return {422, StatusBody(422, "Invalid", "metadata.name: Required value")};
  }
  const std::string name = object["metadata"]["name"];
  absl::MutexLock lock(&mu_);
  if (Find(resource, ns, name) != nullptr) {
    return {409, StatusBody(409, "AlreadyExists", Describe(resource, name) + " already exists")};
  }
  json& meta = object["metadata"];
  if (!ns.empty()) meta["namespace"] = ns;
  meta["uid"] = absl::StrCat("fake-uid-", ++uid_);
  meta["creationTimestamp"] = NowRfc3339();
  object["kind"] = Kind(resource);
  object["apiVersion"] = "v1";
  if (resource == "pods" && !object.contains("status")) {
    object["status"] = {{"phase", "Pending"}};
  }
  Record("ADDED", resource, object);
  objects_[MapKey(resource, ns, name)] = object;
  return {201, object};
}

FakeResponse FakeKubeStore::Patch(const std::string& resource, const std::string& ns,
                                  const std::string& name, const std::string& content_type,
                                  const json& patch) {
  if (content_type.rfind("application/merge-patch+json", 0) != 0 &&
      content_type.rfind("application/strategic-merge-patch+json", 0) != 0) {
    return {415, StatusBody(415, "UnsupportedMediaType",
                            "the fake supports merge-patch only, not " + content_type)};
  }
  absl::MutexLock lock(&mu_);
  json* object = Find(resource, ns, name);
  if (object == nullptr) {
    return {404, StatusBody(404, "NotFound", Describe(resource, name) + " not found")};
  }
  object->merge_patch(patch);
  Record("MODIFIED", resource, *object);
  return {200, *object};
}

FakeResponse FakeKubeStore::Delete(const std::string& resource, const std::string& ns,
                                   const std::string& name, std::optional<int64_t> grace) {
  absl::MutexLock lock(&mu_);
  json* object = Find(resource, ns, name);
  if (object == nullptr) {
    return {404, StatusBody(404, "NotFound", Describe(resource, name) + " not found")};
  }
  const int64_t grace_seconds =
      grace.value_or(object->value("/spec/terminationGracePeriodSeconds"_json_pointer, 30));
  const bool running = object->value("/status/phase"_json_pointer, "") == "Running";
  if (resource == "pods" && running && grace_seconds > 0) {
    (*object)["metadata"]["deletionTimestamp"] = NowRfc3339();
    (*object)["metadata"]["deletionGracePeriodSeconds"] = grace_seconds;
    Record("MODIFIED", resource, *object);
    json copy = *object;
    if (!defer_deletion_) RemoveLocked(resource, ns, name);
    return {200, copy};
  }
  json copy = *object;
  RemoveLocked(resource, ns, name);
  return {200, copy};
}

FakeResponse FakeKubeStore::StartWatch(const std::string& resource, const std::string& ns,
                                       const Selector& selector,
                                       const std::string& resource_version, int64_t& cursor,
                                       int64_t& epoch, std::vector<json>& initial) {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](FakeKubeStore* s) ABSL_NO_THREAD_SAFETY_ANALYSIS { return !s->paused_ || s->shutdown_; },
      this));
  epoch = epoch_;
  int64_t rv = 0;
  if (resource_version.empty() || resource_version == "0") {
    for (const auto& [key, object] : objects_) {
      if (key.rfind(resource + "|", 0) == 0 && Matches(object, ns, selector)) {
        initial.push_back({{"type", "ADDED"}, {"object", object}});
      }
    }
    cursor = rv_;
    return {200, json()};
  }
  if (!absl::SimpleAtoi(resource_version, &rv)) {
    return {400, StatusBody(400, "BadRequest", "invalid resourceVersion " + resource_version)};
  }
  if (rv < compacted_rv_) {
    return {410,
            StatusBody(410, "Expired",
                       absl::StrCat("too old resource version: ", rv, " (", compacted_rv_, ")"))};
  }
  cursor = rv;
  return {200, json()};
}

std::vector<json> FakeKubeStore::NextEvents(const std::string& resource, const std::string& ns,
                                            const Selector& selector, int64_t& cursor,
                                            int64_t epoch, absl::Duration wait, bool& closed) {
  absl::MutexLock lock(&mu_);
  auto ready = [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return shutdown_ || epoch_ != epoch || rv_ > cursor;
  };
  mu_.AwaitWithTimeout(absl::Condition(&ready), wait);
  closed = shutdown_ || epoch_ != epoch;
  std::vector<json> out;
  if (closed) return out;
  for (const Event& e : history_) {
    if (e.rv <= cursor || e.resource != resource) continue;
    if (Matches(e.object, ns, selector)) {
      out.push_back({{"type", e.type}, {"object", e.object}});
    }
  }
  cursor = rv_;
  return out;
}

std::optional<FakeResponse> FakeKubeStore::BeforeRequest(const std::string& method,
                                                         const std::string& target,
                                                         const std::string& body) {
  absl::MutexLock lock(&mu_);
  requests_.push_back({method, target, body});
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if ((!it->method.empty() && it->method != method) ||
        target.find(it->target_contains) == std::string::npos) {
      continue;
    }
    FakeResponse response{
        it->code, StatusBody(it->code, "InjectedFault", absl::StrCat("injected fault ", it->code)),
        it->retry_after_seconds};
    if (--it->times <= 0) faults_.erase(it);
    return response;
  }
  return std::nullopt;
}

void FakeKubeStore::InjectFault(const Fault& fault) {
  absl::MutexLock lock(&mu_);
  faults_.push_back(fault);
}

void FakeKubeStore::UpsertNode(json node) {
  const std::string name = node["metadata"]["name"];
  absl::MutexLock lock(&mu_);
  json* existing = Find("nodes", "", name);
  node["kind"] = "Node";
  node["apiVersion"] = "v1";
  if (existing == nullptr) {
    node["metadata"]["uid"] = absl::StrCat("fake-uid-", ++uid_);
    node["metadata"]["creationTimestamp"] = NowRfc3339();
  }
  Record(existing ? "MODIFIED" : "ADDED", "nodes", node);
  objects_[MapKey("nodes", "", name)] = node;
}

bool FakeKubeStore::SetPodStatus(const std::string& ns, const std::string& name, const json& status,
                                 const std::string& node_name) {
  absl::MutexLock lock(&mu_);
  json* pod = Find("pods", ns, name);
  if (pod == nullptr) return false;
  // The kubelet's side: the first container's output, as it starts and as it ends.
  const json before = FirstContainerState((*pod)["status"]);
  const json after = FirstContainerState(status);
  const json containers = pod->value("/spec/containers"_json_pointer, json::array());
  const json container = containers.empty() ? json::object() : containers[0];
  std::vector<std::string> printed;
  if (!Started(before) && Started(after)) printed = ContainerStartLog(container);
  if (!before.contains("terminated") && after.contains("terminated")) {
    const int exit_code = after["terminated"].value("exitCode", 0);
    for (std::string& line : ContainerExitLog(container, exit_code)) {
      printed.push_back(std::move(line));
    }
  }
  auto& log = pod_logs_[ns + "|" + name];
  for (std::string& line : printed) {
    // Each line stamped when it was printed: later than the one before.
    absl::Time at = absl::Now();
    if (!log.empty() && at <= log.back().first) at = log.back().first + absl::Nanoseconds(1);
    log.emplace_back(at, std::move(line));
  }
  (*pod)["status"] = status;
  if (!node_name.empty()) (*pod)["spec"]["nodeName"] = node_name;
  Record("MODIFIED", "pods", *pod);
  return true;
}

bool FakeKubeStore::AppendPodLog(const std::string& ns, const std::string& name,
                                 const std::vector<std::string>& lines, absl::Time at) {
  absl::MutexLock lock(&mu_);
  if (Find("pods", ns, name) == nullptr) return false;
  auto& log = pod_logs_[ns + "|" + name];
  for (const std::string& line : lines) log.emplace_back(at, line);
  return true;
}

FakeKubeStore::PodLogAnswer FakeKubeStore::PodLog(const std::string& ns, const std::string& name,
                                                  bool timestamps, absl::Time since,
                                                  int64_t tail_lines, int64_t limit_bytes) const {
  absl::MutexLock lock(&mu_);
  const auto it = objects_.find(MapKey("pods", ns, name));
  if (it == objects_.end()) {
    return {.code = 404, .status = StatusBody(404, "NotFound", "pods \"" + name + "\" not found")};
  }
  const json& pod = it->second;
  bool started = false;
  std::string waiting = "ContainerCreating";
  const json statuses = pod.value("/status/containerStatuses"_json_pointer, json::array());
  for (const json& container : statuses) {
    const json state = container.value("state", json::object());
    started = started || Started(state);
    if (state.contains("waiting") && !state["waiting"].value("reason", "").empty()) {
      waiting = state["waiting"].value("reason", "");
    }
  }
  if (!started) {
    const json containers = pod.value("/spec/containers"_json_pointer, json::array());
    const std::string container =
        containers.empty() ? "" : containers[0].value("name", std::string());
    return {.code = 400,
            .status = StatusBody(400, "BadRequest",
                                 "container \"" + container + "\" in pod \"" + name +
                                     "\" is waiting to start: " + waiting)};
  }
  std::vector<std::string> out;
  if (const auto log = pod_logs_.find(ns + "|" + name); log != pod_logs_.end()) {
    for (const auto& [at, line] : log->second) {
      if (at <= since) continue;
      out.push_back(timestamps ? LogTimestamp(at) + " " + line : line);
    }
  }
  if (tail_lines > 0 && static_cast<int64_t>(out.size()) > tail_lines) {
    out.erase(out.begin(), out.end() - tail_lines);
  }
  PodLogAnswer answer;
  for (const std::string& line : out) answer.text += line + "\n";
  if (limit_bytes > 0 && static_cast<int64_t>(answer.text.size()) > limit_bytes) {
    answer.text.resize(static_cast<size_t>(limit_bytes));
  }
  return answer;
}

void FakeKubeStore::SetDeferDeletion(bool defer) {
  absl::MutexLock lock(&mu_);
  defer_deletion_ = defer;
}

bool FakeKubeStore::CompleteDeletion(const std::string& ns, const std::string& name) {
  absl::MutexLock lock(&mu_);
  if (Find("pods", ns, name) == nullptr) return false;
  RemoveLocked("pods", ns, name);
  return true;
}

void FakeKubeStore::Compact() {
  absl::MutexLock lock(&mu_);
  history_.clear();
  compacted_rv_ = rv_;
}

void FakeKubeStore::CloseWatches() {
  absl::MutexLock lock(&mu_);
  ++epoch_;
}

void FakeKubeStore::PauseWatches(bool paused) {
  absl::MutexLock lock(&mu_);
  paused_ = paused;
  if (paused) ++epoch_;
}

void FakeKubeStore::Shutdown() {
  absl::MutexLock lock(&mu_);
  shutdown_ = true;
}

std::optional<json> FakeKubeStore::Object(const std::string& resource, const std::string& ns,
                                          const std::string& name) const {
  absl::MutexLock lock(&mu_);
  auto it = objects_.find(MapKey(resource, ns, name));
  if (it == objects_.end()) return std::nullopt;
  return it->second;
}

std::vector<json> FakeKubeStore::Objects(const std::string& resource) const {
  absl::MutexLock lock(&mu_);
  std::vector<json> out;
  for (const auto& [key, object] : objects_) {
    if (key.rfind(resource + "|", 0) == 0) out.push_back(object);
  }
  return out;
}

std::vector<RecordedRequest> FakeKubeStore::Requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

int64_t FakeKubeStore::resource_version() const {
  absl::MutexLock lock(&mu_);
  return rv_;
}

}  // namespace armada::fakes
