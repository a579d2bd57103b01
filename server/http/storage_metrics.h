#pragma once

// The metrics of the server's storage: history retention's progress, the
// database connection pool, and the cost of the refresher's database reads.
// Registered in ServerMetrics' registry (ServerMetrics::storage()); the
// catalogue is in docs/api.md ("Metrics").

#include <cstdint>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "lib/store/database.h"

namespace armada::server {

class StorageMetrics {
 public:
  explicit StorageMetrics(prometheus::Registry& registry);
  StorageMetrics(const StorageMetrics&) = delete;
  StorageMetrics& operator=(const StorageMetrics&) = delete;

  // One committed retention batch: what it deleted.
  void RecordRetentionBatch(int64_t jobs, int64_t events, int64_t executors);
  // One retention round ended after `seconds`; `ok`: it completed, at Unix
  // time `now`.
  void RecordRetentionRound(double seconds, bool ok, double now);
  // The connection pool's state now. One caller at a time (the refresher).
  void SetDatabasePool(const store::Database::PoolStats& stats);
  // How long the last refresh of the database-backed gauges took.
  void SetRefreshSeconds(double seconds);

 private:
  prometheus::Counter& retention_jobs_;
  prometheus::Counter& retention_events_;
  prometheus::Counter& retention_executors_;
  prometheus::Histogram& retention_round_seconds_;
  prometheus::Family<prometheus::Counter>& retention_rounds_;
  prometheus::Gauge& retention_last_success_;
  prometheus::Family<prometheus::Gauge>& pool_connections_;
  prometheus::Gauge& pool_max_;
  prometheus::Gauge& pool_waiting_;
  prometheus::Counter& pool_waits_;
  prometheus::Counter& pool_wait_seconds_;
  store::Database::PoolStats last_pool_;  // to turn the pool's totals into increments
  prometheus::Gauge& refresh_seconds_;
};

}  // namespace armada::server
