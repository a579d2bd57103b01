#pragma once

// EventPruner: event retention. Deletes the event log's rows older than the
// retention from PostgreSQL, in bounded batches, and trims the job sets' Redis
// streams to match, deleting the streams left empty.
//
// What is deleted is always a prefix of the log: the first sequence number
// kept is the lowest one logged at or after `now - retention` (or, when every
// event is older, the next one to be logged). An event a little older than
// the cutoff may survive a round because a younger one was committed before
// it; no event younger than the cutoff is ever deleted. Streams are trimmed
// with XTRIM MINID <first kept>-0 and deleted when empty, in one Lua script
// per stream so an event the relay adds meanwhile is never lost. Watchers
// resuming from a pruned id continue at the first event kept.
//
// Every server replica may run a pruner: rounds are idempotent.

#include <atomic>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/common/clock.h"
#include "lib/events/redis_client.h"
#include "lib/store/database.h"

namespace armada::events {

class EventPruner {
 public:
  struct Options {
    // Events older than this go. REQUIRES: > 0.
    absl::Duration retention = absl::Hours(14 * 24);
    // Run(): how often a round starts.
    absl::Duration period = absl::Minutes(5);
    // Rows deleted per transaction. REQUIRES: >= 1.
    int delete_batch = 5000;
    // Keys per SCAN call, and so per pipelined round of trims.
    int scan_count = 1000;
  };

  struct Result {
    int64_t first_kept = 0;       // the lowest sequence number kept
    int64_t rows_deleted = 0;     // from job_events
    int64_t streams_scanned = 0;  // 0 when Redis was already trimmed to first_kept
    int64_t entries_trimmed = 0;  // stream entries removed
    int64_t streams_deleted = 0;  // streams left empty, deleted
  };

  // `db`, `clock` borrowed; `redis` owned (used by this pruner only).
  EventPruner(store::Database& db, std::unique_ptr<RedisClient> redis, const common::Clock& clock,
              Options options);

  // One round: deletes the expired rows, then trims every stream (skipped when
  // a previous round already trimmed to the same point). kUnavailable when
  // PostgreSQL or Redis cannot be reached; a failed round is completed by the
  // next. Not thread-safe: one caller at a time.
  absl::StatusOr<Result> PruneOnce();

  // A round every `period` (the first at once) until `stop`; failures are
  // logged and retried at the next round.
  void Run(const std::atomic<bool>& stop);

 private:
  absl::StatusOr<int64_t> FirstKept(absl::Time cutoff);
  absl::StatusOr<int64_t> DeleteBefore(int64_t first_kept);
  absl::Status TrimStreams(int64_t first_kept, Result& result);

  store::Database& db_;
  std::unique_ptr<RedisClient> redis_;
  const common::Clock& clock_;
  const Options options_;
  int64_t trimmed_to_ = 0;  // Redis holds nothing below this (as far as we know)
};

}  // namespace armada::events
