#include "server/http/metrics_refresher.h"

#include <thread>

#include "lib/events/event_relay.h"
#include "spdlog/spdlog.h"

namespace armada::server {

MetricsRefresher::MetricsRefresher(store::Database& db, std::string redis_url,
                                   ServerMetrics& metrics, absl::Duration period)
    : db_(db), redis_url_(std::move(redis_url)), metrics_(metrics), period_(period) {}

absl::Status MetricsRefresher::RefreshOnce() {
  const absl::Time start = absl::Now();
  metrics_.storage().SetDatabasePool(db_.Stats());
  std::vector<ServerMetrics::JobCount> counts;
  int64_t last_seq = 0;
  std::map<std::string, double> executors_last_seen;
  absl::Status read = db_.Run([&](pqxx::work& tx) {
    counts.clear();
    executors_last_seen.clear();
    // Unfinished jobs only, on the partial index jobs_unfinished: the cost
    // follows the work in flight, not the history kept.
    for (const auto& row : tx.exec("SELECT queue, state, count(*) FROM jobs "
                                   "WHERE state IN ('queued', 'leased', 'pending', 'running') "
                                   "GROUP BY 1, 2 ORDER BY 1, 2")) {
      counts.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int64_t>()});
    }
    last_seq = tx.exec1("SELECT last FROM event_seq")[0].as<int64_t>();
    for (const auto& row : tx.exec("SELECT name, extract(epoch FROM last_seen) FROM executors")) {
      executors_last_seen[row[0].as<std::string>()] = row[1].as<double>();
    }
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  metrics_.storage().SetRefreshSeconds(absl::ToDoubleSeconds(absl::Now() - start));
  metrics_.SetJobCounts(counts);
  metrics_.SetExecutorsLastSeen(executors_last_seen);

  std::optional<int64_t> cursor;
  absl::Status redis_status = absl::OkStatus();
  if (redis_ == nullptr) {
    auto redis = events::RedisClient::Connect(redis_url_);
    if (redis.ok()) {
      redis_ = std::move(*redis);
    } else {
      redis_status = redis.status();
    }
  }
  if (redis_ != nullptr) {
    auto value = events::ReadRelayCursor(*redis_);
    if (value.ok()) {
      cursor = *value;
    } else {
      redis_status = value.status();
    }
  }
  metrics_.SetEventLog(last_seq, cursor);
  return redis_status;
}

void MetricsRefresher::Run(const std::atomic<bool>& stop) {
  const auto slice = std::chrono::milliseconds(100);
  while (!stop.load()) {
    absl::Status status = RefreshOnce();
    if (!status.ok()) spdlog::warn("metrics refresh: {}", std::string(status.message()));
    // Sleep in slices so a shutdown is not held up by a whole period.
    for (absl::Duration waited; waited < period_ && !stop.load();
         waited += absl::Milliseconds(100)) {
      std::this_thread::sleep_for(slice);
    }
  }
}

}  // namespace armada::server
