#pragma once

// HistoryPruner: retention. A job that ended longer ago than its queue's
// retention is deleted with its runs and every event of it, from PostgreSQL's
// event log and from its job set's Redis stream, so that a query and a watcher
// always agree on whether a job exists: events live exactly as long as their
// job, and a job that has not ended keeps all of its events.
//
// Each batch is one transaction: lock up to `batch` expired jobs (SKIP
// LOCKED, so submit, lease and report paths never wait on it), delete their
// events, XDEL those entries from the streams (deleting a stream left empty,
// atomically with the XDEL), delete the jobs, commit. Redis is changed before
// the commit: if the commit then fails, the jobs survive without their events
// until the next round deletes them, never the reverse. Only jobs whose events
// the relay has already published are taken (its cursor in Redis), so the
// relay cannot add back an entry just deleted.
//
// A round also forgets executors silent for `executor_retention` that hold no
// unfinished run, and decayed-usage rows no cycle has updated for as long.
// Every server replica may run a pruner: rounds are idempotent.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/common/clock.h"
#include "lib/events/redis_client.h"
#include "lib/store/database.h"
#include "lib/store/retention_store.h"

namespace armada::events {

class HistoryPruner {
 public:
  struct Options {
    // Ended jobs older than this go. REQUIRES: > 0.
    absl::Duration job_retention = absl::Hours(14 * 24);
    // Per-queue retention, overriding job_retention. REQUIRES: values > 0.
    std::map<std::string, absl::Duration> queue_retention{};
    // Executors silent this long (with no unfinished run) are forgotten.
    absl::Duration executor_retention = absl::Hours(14 * 24);
    // Run(): how often a round starts.
    absl::Duration period = absl::Minutes(1);
    // Jobs deleted per transaction. REQUIRES: >= 1.
    int batch = 500;
  };

  struct Result {
    int64_t jobs_deleted = 0;  // with their runs
    int64_t events_deleted = 0;
    int64_t stream_entries_deleted = 0;
    int64_t streams_deleted = 0;  // streams left empty
    int64_t executors_deleted = 0;
    int64_t usage_rows_deleted = 0;
  };

  // Progress for metrics, called on the pruner's thread: on_batch after each
  // committed transaction with what it deleted, on_round after each round
  // (Run() only) with its wall time and outcome.
  struct Observer {
    std::function<void(const Result& deleted)> on_batch{};
    std::function<void(absl::Duration elapsed, const absl::Status& status)> on_round{};
  };

  // `db`, `clock` borrowed; `redis` owned (used by this pruner only).
  HistoryPruner(store::Database& db, std::unique_ptr<RedisClient> redis, const common::Clock& clock,
                Options options);

  void SetObserver(Observer observer) { observer_ = std::move(observer); }

  // One round. Deletes in batches until nothing has expired or `stop` (may be
  // null) is set. kUnavailable when PostgreSQL or Redis cannot be reached; a
  // failed round is completed by the next. Not thread-safe.
  absl::StatusOr<Result> PruneOnce(const std::atomic<bool>* stop = nullptr);

  // A round every `period` (the first at once) until `stop`; failures are
  // logged and retried at the next round.
  void Run(const std::atomic<bool>& stop);

 private:
  void Report(const Result& deleted, Result& total);
  absl::Status PruneQueue(const std::string& queue, int64_t published_up_to,
                          const std::atomic<bool>* stop, Result& result);
  // XDELs `events` from their streams, deleting the streams left empty.
  absl::Status DeleteStreamEntries(const std::vector<store::DeletedEvent>& events, Result& result);
  absl::Duration RetentionOf(const std::string& queue) const;

  store::Database& db_;
  std::unique_ptr<RedisClient> redis_;
  const common::Clock& clock_;
  const Options options_;
  Observer observer_;
};

}  // namespace armada::events
