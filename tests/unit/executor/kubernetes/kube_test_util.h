// Helpers for the Kubernetes tests: a fake API server with a client connected to it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/synchronization/mutex.h"
#include "executor/backends/kubernetes/kube_client.h"
#include "lib/common/clock.h"
#include "tests/fakes/fake_kube_apiserver/fake_kube_apiserver.h"

namespace armada::executor::kubernetes::testing {

// Records the client's waits instead of sleeping.
class SleepRecorder {
 public:
  std::function<void(absl::Duration)> Fn() {
    return [this](absl::Duration d) {
      absl::MutexLock lock(&mu_);
      sleeps_.push_back(d);
    };
  }
  std::vector<absl::Duration> sleeps() {
    absl::MutexLock lock(&mu_);
    return sleeps_;
  }

 private:
  absl::Mutex mu_;
  std::vector<absl::Duration> sleeps_;
};

// A started fake API server and a client for it.
struct FakeCluster {
  explicit FakeCluster(fakes::FakeKubeApiServer::Options options = {},
                       KubeConnection connection = {})
      : server(std::move(options)) {
    if (!server.Start().ok()) throw std::runtime_error("fake apiserver did not start");
    connection.server = server.url();
    client = std::make_unique<KubeClient>(std::make_unique<HttpTransport>(connection), clock,
                                          KubeClientOptions{.qps = 0, .sleep = sleeps.Fn()});
  }
  fakes::FakeKubeStore& store() { return server.store(); }

  fakes::FakeKubeApiServer server;
  common::SimulatedClock clock;
  SleepRecorder sleeps;
  std::unique_ptr<KubeClient> client;
};

// A minimal pod named `name` with `labels`.
inline nlohmann::json Pod(const std::string& name,
                          nlohmann::json labels = nlohmann::json::object()) {
  return {{"metadata", {{"name", name}, {"labels", std::move(labels)}}},
          {"spec", {{"containers", {{{"name", "main"}, {"image", "busybox"}}}}}}};
}

// Waits (polling, at most 10s) until `done` holds. For state that background threads (watch
// streams) update; returns whether it did.
inline bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

}  // namespace armada::executor::kubernetes::testing
