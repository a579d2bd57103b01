#pragma once

// Refreshes the metrics that come from the database and Redis (unfinished
// jobs by queue and state, events logged, executors' last calls, relay lag,
// the connection pool) on a background thread, so a scrape never runs a
// query. Ended jobs are not counted: that count would grow with the history.

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/events/redis_client.h"
#include "lib/store/database.h"
#include "server/http/metrics.h"

namespace armada::server {

class MetricsRefresher {
 public:
  // Borrows `db` and `metrics`; connects to `redis_url` lazily, on each
  // refresh that finds no connection.
  MetricsRefresher(store::Database& db, std::string redis_url, ServerMetrics& metrics,
                   absl::Duration period = absl::Seconds(10));

  // One refresh: the database counts, then the relay cursor. The database
  // error if the counts could not be read (metrics keep their old values);
  // kUnavailable if only Redis failed (the lag keeps its old value). Not
  // thread-safe: one caller at a time.
  absl::Status RefreshOnce();

  // Refreshes every `period` until `stop` becomes true; errors are logged
  // and the next period tries again.
  void Run(const std::atomic<bool>& stop);

 private:
  store::Database& db_;
  const std::string redis_url_;
  ServerMetrics& metrics_;
  const absl::Duration period_;
  std::unique_ptr<events::RedisClient> redis_;
};

}  // namespace armada::server
