#include "executor/backends/kubernetes/informer.h"

#include <algorithm>
#include <utility>

#include "lib/common/thread_guard.h"
#include "spdlog/spdlog.h"

namespace armada::executor::kubernetes {

using nlohmann::json;

Informer::Informer(KubeClient& client, Options options)
    : client_(client), options_(std::move(options)) {}

Informer::~Informer() { Stop(); }

std::string Informer::KeyOf(const json& object) {
  const std::string ns = object.value("/metadata/namespace"_json_pointer, "");
  const std::string name = object.value("/metadata/name"_json_pointer, "");
  return ns.empty() ? name : ns + "/" + name;
}

absl::Status Informer::Start() {
  absl::Status status = Relist();
  if (!status.ok()) return status;
  stop_ = false;
  thread_ = std::thread([this] {
    common::RunGuarded(
        "informer " + ResourcePath(options_.resource), [this] { Run(); },
        [this] { return stop_.load(); });
  });
  return absl::OkStatus();
}

void Informer::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

Informer::Cache Informer::Snapshot() const {
  absl::MutexLock lock(&mu_);
  return cache_;
}

int64_t Informer::lists() const {
  absl::MutexLock lock(&mu_);
  return lists_;
}

absl::Status Informer::Relist() {
  absl::StatusOr<ObjectList> list = client_.List(options_.resource, options_.selector);
  if (!list.ok()) return list.status();
  Cache cache;
  for (json& item : list->items) {
    std::string key = KeyOf(item);
    cache.emplace(std::move(key), std::make_shared<const json>(std::move(item)));
  }
  absl::MutexLock lock(&mu_);
  cache_ = std::move(cache);
  resource_version_ = list->resource_version;
  ++lists_;
  return absl::OkStatus();
}

bool Informer::Apply(const WatchEvent& event) {
  const std::string rv = event.object.value("/metadata/resourceVersion"_json_pointer, "");
  absl::MutexLock lock(&mu_);
  if (!rv.empty()) resource_version_ = rv;
  if (event.type == "BOOKMARK") return true;
  const std::string key = KeyOf(event.object);
  if (event.type == "DELETED") {
    cache_.erase(key);
  } else {
    cache_[key] = std::make_shared<const json>(event.object);
  }
  return true;
}

void Informer::Run() {
  const std::string what = ResourcePath(options_.resource);
  absl::Duration backoff = options_.initial_backoff;
  bool need_list = false;
  while (!stop_) {
    absl::Status status;
    if (need_list) {
      status = Relist();
      if (status.ok()) {
        need_list = false;
        spdlog::info("kubernetes: relisted {} after its watch expired", what);
      }
    }
    if (status.ok()) {
      std::string rv;
      {
        absl::MutexLock lock(&mu_);
        rv = resource_version_;
      }
      status = client_.Watch(
          options_.resource, options_.selector, rv, options_.watch_timeout,
          [this](const WatchEvent& e) { return Apply(e); }, stop_);
      if (status.ok()) {
        backoff = options_.initial_backoff;
        continue;  // the server ended the watch: resume from the last resourceVersion
      }
    }
    if (IsGone(status)) {
      need_list = true;
      continue;
    }
    spdlog::warn("kubernetes: {}; retrying in {}", status.ToString(),
                 absl::FormatDuration(backoff));
    for (absl::Duration slept; slept < backoff && !stop_; slept += absl::Milliseconds(50)) {
      absl::SleepFor(absl::Milliseconds(50));
    }
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

}  // namespace armada::executor::kubernetes
