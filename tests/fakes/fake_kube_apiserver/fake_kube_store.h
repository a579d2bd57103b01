// -----------------------------------------------------------------------------
// File: tests/fakes/fake_kube_apiserver/fake_kube_store.h
// -----------------------------------------------------------------------------
//
// `FakeKubeStore` is the state and the semantics of the fake Kubernetes API server, without
// HTTP: nodes (cluster-scoped) and pods (namespaced) as Kubernetes JSON, one increasing
// resourceVersion over both, an event history that watches read from (and that Compact()
// discards, so a watch from an older resourceVersion gets 410 Gone), label selectors,
// merge-patch, deletion with a grace period, injected faults and a log of requests.
//
// Every method returns the HTTP status code and JSON body the server would send: the object,
// a list, or a Kubernetes Status object for errors. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace armada::fakes {

// A response of the fake server: status code and JSON body.
struct FakeResponse {
  int code = 200;
  nlohmann::json body{};
  int retry_after_seconds = -1;  // sent as a Retry-After header when >= 0
};

// An injected fault: the next `times` requests whose method matches (empty: any) and whose
// target (path and query) contains `target_contains` get `code` (a Status body) instead of
// being served.
struct Fault {
  std::string method{};
  std::string target_contains{};
  int code = 500;
  int retry_after_seconds = -1;
  int times = 1;
};

// The selectors of a list or watch request (Kubernetes syntax; empty: everything).
struct Selector {
  std::string labels{};
  std::string fields{};
};

// One request as received (admin requests excluded).
struct RecordedRequest {
  std::string method{};
  std::string target{};  // path and query
  std::string body{};
};

class FakeKubeStore {
 public:
  FakeKubeStore() = default;
  FakeKubeStore(const FakeKubeStore&) = delete;
  FakeKubeStore& operator=(const FakeKubeStore&) = delete;

  // --- The REST API. `resource` is "pods" or "nodes"; `ns` empty = all namespaces/cluster. ---
  FakeResponse List(const std::string& resource, const std::string& ns, const Selector& selector);
  FakeResponse Get(const std::string& resource, const std::string& ns, const std::string& name);
  FakeResponse Create(const std::string& resource, const std::string& ns, nlohmann::json object);
  FakeResponse Patch(const std::string& resource, const std::string& ns, const std::string& name,
                     const std::string& content_type, const nlohmann::json& patch);
  // A running pod with a grace period > 0 is marked (deletionTimestamp) and, unless
  // SetDeferDeletion(true), removed at once; other objects are removed at once.
  FakeResponse Delete(const std::string& resource, const std::string& ns, const std::string& name,
                      std::optional<int64_t> grace_period_seconds);

  // Watch: StartWatch validates `resource_version` (empty or "0": from now, with synthetic
  // ADDED events for the current objects in `initial`), returning 410 if it was compacted
  // away, and sets `cursor`. Blocks while watches are paused. NextEvents then waits up to
  // `wait` for events after `cursor` that match, returns them as watch event objects and
  // advances `cursor`; it sets `closed` when CloseWatches() was called since `epoch`.
  FakeResponse StartWatch(const std::string& resource, const std::string& ns,
                          const Selector& selector, const std::string& resource_version,
                          int64_t& cursor, int64_t& epoch, std::vector<nlohmann::json>& initial);
  std::vector<nlohmann::json> NextEvents(const std::string& resource, const std::string& ns,
                                         const Selector& selector, int64_t& cursor, int64_t epoch,
                                         absl::Duration wait, bool& closed);

  // Records the request, and returns the injected fault it triggers, if any.
  std::optional<FakeResponse> BeforeRequest(const std::string& method, const std::string& target,
                                            const std::string& body);

  // --- Test hooks (also reachable over the admin HTTP paths). ---
  void InjectFault(const Fault& fault);
  // Creates or replaces a node (by metadata.name).
  void UpsertNode(nlohmann::json node);
  // Sets a pod's status like a kubelet would (and spec.nodeName if `node_name` is not empty).
  // When the first container starts (running or terminated) or terminates, appends what it
  // printed to the pod's log, stamped now (fake_kubelet.h: ContainerStartLog, ContainerExitLog).
  // Returns false if there is no such pod.
  bool SetPodStatus(const std::string& ns, const std::string& name, const nlohmann::json& status,
                    const std::string& node_name = "");
  // Appends lines to the pod's container log, stamped `at` (a kubelet's view of the output).
  // Returns false if there is no such pod. The log goes with the pod.
  bool AppendPodLog(const std::string& ns, const std::string& name,
                    const std::vector<std::string>& lines, absl::Time at);
  // GET .../pods/{name}/log: 404 for no pod, 400 while no container has started (as a real
  // API server says "is waiting to start: <reason>"), else `text` holds the lines, each
  // prefixed with its time (LogTimestamp) and a space when `timestamps`, only those stamped
  // after `since`, the last `tail_lines` (> 0), cut at `limit_bytes` (> 0).
  struct PodLogAnswer {
    int code = 200;
    std::string text{};       // code 200
    nlohmann::json status{};  // otherwise: a Status body
  };
  PodLogAnswer PodLog(const std::string& ns, const std::string& name, bool timestamps,
                      absl::Time since, int64_t tail_lines, int64_t limit_bytes) const;

  // Keep pods that are deleted while running (marked with deletionTimestamp) until
  // CompleteDeletion, like a kubelet honouring the grace period.
  void SetDeferDeletion(bool defer);
  bool CompleteDeletion(const std::string& ns, const std::string& name);
  // Forgets the event history: watches from any resourceVersion before now get 410 Gone.
  void Compact();
  // Ends every open watch stream (clients must resume).
  void CloseWatches();
  // While paused, new watch requests wait (CloseWatches is implied when pausing).
  void PauseWatches(bool paused);
  // Stops all watches for good (server shutdown).
  void Shutdown();

  std::optional<nlohmann::json> Object(const std::string& resource, const std::string& ns,
                                       const std::string& name) const;
  std::vector<nlohmann::json> Objects(const std::string& resource) const;
  std::vector<RecordedRequest> Requests() const;
  int64_t resource_version() const;

 private:
  struct Event {
    int64_t rv;
    std::string type;
    std::string resource;
    nlohmann::json object;
  };

  nlohmann::json* Find(const std::string& resource, const std::string& ns, const std::string& name)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Stamps a new resourceVersion on `object` and appends an event.
  void Record(const std::string& type, const std::string& resource, nlohmann::json& object)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemoveLocked(const std::string& resource, const std::string& ns, const std::string& name)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  // By "<resource>|<namespace>|<name>": sorted, so lists come out in a stable order.
  std::map<std::string, nlohmann::json> objects_ ABSL_GUARDED_BY(mu_);
  // Container logs by "<namespace>|<name>": (time, line).
  std::map<std::string, std::vector<std::pair<absl::Time, std::string>>> pod_logs_
      ABSL_GUARDED_BY(mu_);
  std::vector<Event> history_ ABSL_GUARDED_BY(mu_);
  std::vector<Fault> faults_ ABSL_GUARDED_BY(mu_);
  std::vector<RecordedRequest> requests_ ABSL_GUARDED_BY(mu_);
  int64_t rv_ ABSL_GUARDED_BY(mu_) = 100;
  int64_t compacted_rv_ ABSL_GUARDED_BY(mu_) = 0;  // history holds only events > this
  int64_t epoch_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t uid_ ABSL_GUARDED_BY(mu_) = 0;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  bool defer_deletion_ ABSL_GUARDED_BY(mu_) = false;
};

// A Kubernetes Status object for an error response.
nlohmann::json StatusBody(int code, const std::string& reason, const std::string& message);

// True if `object` matches the field selector ("spec.nodeName=n,metadata.name!=x"; the
// fields metadata.name, metadata.namespace, spec.nodeName and status.phase). Empty: true.
bool MatchesFieldSelector(const nlohmann::json& object, const std::string& selector);

// True if `labels` (metadata.labels, may be null) match `selector` ("a=b,c!=d,e,!f"; "=="
// also accepted). An empty selector matches everything.
bool MatchesSelector(const nlohmann::json& labels, const std::string& selector);

}  // namespace armada::fakes
