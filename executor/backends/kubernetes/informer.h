// -----------------------------------------------------------------------------
// File: executor/backends/kubernetes/informer.h
// -----------------------------------------------------------------------------
//
// An `Informer` keeps a local copy of one collection (our pods, other pods, or nodes) up to
// date: it lists once, then watches from the list's resourceVersion in a background thread.
// A watch that ends is resumed from the last resourceVersion seen; a 410 Gone (the server
// compacted that version away) leads to a fresh list, which replaces the cache (objects
// deleted meanwhile disappear). Other errors are retried with exponential backoff.
//
// Example:
//
//   Informer pods(client, {.resource = {"pods", ""}, .selector = {"armada_job_id"}});
//   RETURN_IF_ERROR(pods.Start());
//   for (const auto& [key, pod] : pods.Snapshot()) ...
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "executor/backends/kubernetes/kube_client.h"

namespace armada::executor::kubernetes {

class Informer {
 public:
  // Objects by "<namespace>/<name>" (just "<name>" for nodes). Values are shared and
  // immutable, so a snapshot is cheap.
  using Cache = std::map<std::string, std::shared_ptr<const nlohmann::json>>;

  struct Options {
    ResourceRef resource{};
    ListOptions selector{};
    absl::Duration watch_timeout = absl::Minutes(5);  // each watch request's timeoutSeconds
    absl::Duration initial_backoff = absl::Milliseconds(100);
    absl::Duration max_backoff = absl::Seconds(10);
  };

  // `client` is borrowed and must outlive the informer.
  Informer(KubeClient& client, Options options);
  // Stops the watch thread.
  ~Informer();

  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Lists synchronously (so the cache is complete when this returns OK), then starts the
  // watch thread. Errors: the list's error; the informer is then not started (call again).
  // REQUIRES: not started.
  absl::Status Start();

  // Stops watching (returns within about 100ms). Idempotent.
  void Stop();

  // The current objects. Thread-safe.
  Cache Snapshot() const;

  // How many times the collection has been listed (1 after Start, +1 per 410 Gone). For
  // tests and logs.
  int64_t lists() const;

  // Key of an object: "<namespace>/<name>", or "<name>" when it has no namespace.
  static std::string KeyOf(const nlohmann::json& object);

 private:
  absl::Status Relist();
  void Run();
  bool Apply(const WatchEvent& event);

  KubeClient& client_;
  const Options options_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable absl::Mutex mu_;
  Cache cache_ ABSL_GUARDED_BY(mu_);
  std::string resource_version_ ABSL_GUARDED_BY(mu_);
  int64_t lists_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace armada::executor::kubernetes
