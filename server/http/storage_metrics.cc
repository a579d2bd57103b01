#include "server/http/storage_metrics.h"

namespace armada::server {
namespace {

prometheus::Counter& Counter(prometheus::Registry& registry, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
}

prometheus::Gauge& Gauge(prometheus::Registry& registry, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

}  // namespace

StorageMetrics::StorageMetrics(prometheus::Registry& registry)
    : retention_jobs_(Counter(registry, "armada_server_retention_jobs_deleted_total",
                              "Ended jobs deleted by retention, with their runs.")),
      retention_events_(Counter(registry, "armada_server_retention_events_deleted_total",
                                "Events deleted by retention with their jobs.")),
      retention_executors_(Counter(registry, "armada_server_retention_executors_deleted_total",
                                   "Silent executors forgotten by retention.")),
      retention_round_seconds_(
          prometheus::BuildHistogram()
              .Name("armada_server_retention_round_seconds")
              .Help("Wall time of each retention round, in seconds.")
              .Register(registry)
              .Add({}, prometheus::Histogram::BucketBoundaries{0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60,
                                                               300, 1800})),
      retention_rounds_(prometheus::BuildCounter()
                            .Name("armada_server_retention_rounds_total")
                            .Help("Retention rounds, by outcome (ok or error).")
                            .Register(registry)),
      retention_last_success_(Gauge(registry,
                                    "armada_server_retention_last_success_timestamp_seconds",
                                    "Unix time at which the last complete retention round ended.")),
      pool_connections_(prometheus::BuildGauge()
                            .Name("armada_server_database_connections")
                            .Help("Open database connections, by state (in_use or idle).")
                            .Register(registry)),
      pool_max_(Gauge(registry, "armada_server_database_connections_max",
                      "The connection pool's size (databaseConnections).")),
      pool_waiting_(Gauge(registry, "armada_server_database_connection_waiters",
                          "Callers waiting for a database connection now.")),
      pool_waits_(Counter(registry, "armada_server_database_connection_waits_total",
                          "Connection acquisitions that had to wait (the pool was exhausted).")),
      pool_wait_seconds_(Counter(registry, "armada_server_database_connection_wait_seconds_total",
                                 "Time callers spent waiting for a connection.")),
      refresh_seconds_(Gauge(registry, "armada_server_metrics_refresh_seconds",
                             "Duration of the last refresh of the database-backed gauges.")) {}

void StorageMetrics::RecordRetentionBatch(int64_t jobs, int64_t events, int64_t executors) {
  retention_jobs_.Increment(static_cast<double>(jobs));
  retention_events_.Increment(static_cast<double>(events));
  retention_executors_.Increment(static_cast<double>(executors));
}

void StorageMetrics::RecordRetentionRound(double seconds, bool ok, double now) {
  retention_round_seconds_.Observe(seconds);
  retention_rounds_.Add({{"outcome", ok ? "ok" : "error"}}).Increment();
  if (ok) retention_last_success_.Set(now);
}

void StorageMetrics::SetDatabasePool(const store::Database::PoolStats& stats) {
  pool_connections_.Add({{"state", "in_use"}}).Set(stats.in_use);
  pool_connections_.Add({{"state", "idle"}}).Set(stats.open - stats.in_use);
  pool_max_.Set(stats.max);
  pool_waiting_.Set(stats.waiting);
  pool_waits_.Increment(static_cast<double>(stats.waits - last_pool_.waits));
  pool_wait_seconds_.Increment(stats.wait_seconds - last_pool_.wait_seconds);
  last_pool_ = stats;
}

void StorageMetrics::SetRefreshSeconds(double seconds) { refresh_seconds_.Set(seconds); }

}  // namespace armada::server
