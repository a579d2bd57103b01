// -----------------------------------------------------------------------------
// File: executor/backends/kubernetes/kube_client.h
// -----------------------------------------------------------------------------
//
// `KubeClient` is the small part of the Kubernetes REST API (core/v1) the executor needs:
// list and watch nodes and pods, create, get, patch and delete pods, and read their logs.
// Objects are nlohmann::json in Kubernetes' own JSON shape.
//
// Every request first takes a token from a client-side token bucket (qps, burst). Responses
// 429 and 5xx, and transport failures, are retried with exponential backoff, honouring a
// Retry-After header (capped at max_backoff); watches are not retried here (the Informer
// re-establishes them).
//
// Errors are absl::Status naming the verb, resource, object and the server's message, e.g.
//   create pods default/armada-01h-0: 409 AlreadyExists: pods "armada-01h-0" already exists
// with codes: 400/422 kInvalidArgument, 401 kUnauthenticated, 403 kPermissionDenied,
// 404 kNotFound, 409 kAlreadyExists on create and kAborted otherwise, 410 kOutOfRange (see
// IsGone), 429 kResourceExhausted, 503/504/transport kUnavailable, other 5xx kInternal.
//
// Thread-safe: any method may be called from any thread.
//
// Example:
//
//   KubeClient client(std::make_unique<HttpTransport>(conn), clock, {.qps = 20, .burst = 40});
//   absl::StatusOr<ObjectList> pods = client.ListPods("", {.label_selector = "armada_job_id"});
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "executor/backends/kubernetes/http_transport.h"
#include "executor/backends/kubernetes/token_bucket.h"
#include "lib/common/clock.h"

namespace armada::executor::kubernetes {

struct KubeClientOptions {
  double qps = 5;       // client-side limit, requests per second; <= 0 disables it
  int burst = 10;       // requests allowed at once from a full bucket
  int max_retries = 5;  // further attempts after a 429, 5xx or transport failure
  absl::Duration initial_backoff = absl::Milliseconds(200);  // doubles per retry
  absl::Duration max_backoff = absl::Seconds(30);            // also caps Retry-After
  absl::Duration request_timeout = absl::Seconds(30);        // per attempt (not watches)
  // How the client waits (rate limit, backoff). Default: absl::SleepFor. Tests inject a
  // recorder so they neither sleep nor depend on the wall clock.
  std::function<void(absl::Duration)> sleep{};
};

// A collection: "pods" or "nodes"; `ns` is the namespace of pods (empty: all namespaces).
struct ResourceRef {
  std::string resource{};
  std::string ns{};
};

struct ListOptions {
  std::string label_selector{};  // Kubernetes syntax: "a=b,c!=d,e,!f"
  std::string field_selector{};  // e.g. "spec.nodeName=node-1" (node mode)
};

struct ObjectList {
  std::vector<nlohmann::json> items{};
  std::string resource_version{};  // of the list: where a watch starts
};

struct WatchEvent {
  std::string type{};  // ADDED, MODIFIED, DELETED or BOOKMARK
  nlohmann::json object{};
};

// True for the error of a watch (or list) whose resourceVersion is too old: HTTP 410 Gone, or
// a watch ERROR event with code 410. The caller must list again.
bool IsGone(const absl::Status& status);

// What PodLog asks for (the pod log API's query parameters; timestamps are always on).
struct PodLogOptions {
  absl::Time since = absl::InfinitePast();  // sinceTime
  int64_t tail_lines = 0;                   // tailLines; 0 = all
  int64_t limit_bytes = 0;                  // limitBytes; 0 = the server's default
};

class KubeClient {
 public:
  // `clock` drives the rate limiter; borrowed, must outlive the client.
  KubeClient(std::unique_ptr<HttpTransport> transport, const common::Clock& clock,
             KubeClientOptions options);

  absl::StatusOr<ObjectList> List(const ResourceRef& ref, const ListOptions& options);

  // Watches `ref` from `resource_version` (empty: from now, after synthetic ADDED events for
  // every object), calling `on_event` for each event, until the server ends the stream
  // (returns OK: resume from the last event's resourceVersion), `on_event` returns false or
  // `stop` is set (OK), or `timeout` passes (asked of the server as timeoutSeconds).
  // Errors: IsGone when `resource_version` is too old; others as for any request.
  absl::Status Watch(const ResourceRef& ref, const ListOptions& options,
                     const std::string& resource_version, absl::Duration timeout,
                     const std::function<bool(const WatchEvent&)>& on_event,
                     const std::atomic<bool>& stop);

  // Creates `pod` in `ns` and returns the server's copy. kAlreadyExists for an existing name.
  absl::StatusOr<nlohmann::json> CreatePod(const std::string& ns, const nlohmann::json& pod);
  absl::StatusOr<nlohmann::json> GetPod(const std::string& ns, const std::string& name);
  // Applies a JSON merge patch (RFC 7386) and returns the patched pod.
  absl::StatusOr<nlohmann::json> PatchPod(const std::string& ns, const std::string& name,
                                          const nlohmann::json& merge_patch);
  // Deletes the pod, with `grace_period_seconds` if set (else the pod's own). kNotFound if it
  // does not exist.
  absl::Status DeletePod(const std::string& ns, const std::string& name,
                         std::optional<int64_t> grace_period_seconds);
  // The pod's log (GET .../pods/<name>/log?timestamps=true): text, one
  // "<RFC 3339 time> <line>" per line. kNotFound when the pod does not exist.
  absl::StatusOr<std::string> PodLog(const std::string& ns, const std::string& name,
                                     const PodLogOptions& options);

 private:
  // Sends `request` with rate limiting and retries; `what` names it in errors ("get pods a/b").
  absl::StatusOr<nlohmann::json> Call(HttpRequest request, const std::string& verb,
                                      const std::string& what);
  // The same, returning the body as it came.
  absl::StatusOr<std::string> CallRaw(HttpRequest request, const std::string& verb,
                                      const std::string& what);
  void Wait(absl::Duration d);

  std::unique_ptr<HttpTransport> transport_;
  KubeClientOptions options_;
  TokenBucket bucket_;
};

// "/api/v1/pods", "/api/v1/namespaces/<ns>/pods" or "/api/v1/nodes", plus "/<name>" if set.
std::string ResourcePath(const ResourceRef& ref, const std::string& name = "");

// `value` as compact JSON, with invalid UTF-8 replaced by U+FFFD instead of
// nlohmann's default exception: pods carry strings from submitted jobs, and
// a throw here would end the thread that sends them.
std::string DumpJson(const nlohmann::json& value);

}  // namespace armada::executor::kubernetes
