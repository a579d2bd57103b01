#pragma once

// Retention's statements: which ended jobs have expired, deleting them with
// their runs and events, and forgetting executors and usage rows nobody
// reports any more. Each runs inside the caller's transaction; the pruner
// (lib/events/history_pruner.h) decides the order and the batch sizes.

#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/time/time.h"

namespace armada::store {

// The queues that have ended jobs, including queues since deleted. Cost: one
// index probe per queue.
std::vector<std::string> QueuesWithEndedJobs(pqxx::work& tx);

// Up to `limit` ids of `queue`'s jobs that ended before `cutoff` and whose
// every event has sequence number <= `published_up_to` (so the event relay,
// which publishes from the log, can no longer be about to publish one of them
// to Redis). Locked FOR UPDATE SKIP LOCKED, oldest first.
std::vector<std::string> ExpiredJobs(pqxx::work& tx, const std::string& queue, absl::Time cutoff,
                                     int64_t published_up_to, int limit);

// One deleted event: where the relay published it.
struct DeletedEvent {
  int64_t seq = 0;
  std::string queue;
  std::string job_set;
};

// Deletes the events of `job_ids` from the log and returns them.
std::vector<DeletedEvent> DeleteJobEvents(pqxx::work& tx, const std::vector<std::string>& job_ids);

// Deletes the jobs and (by cascade) their runs; returns the jobs deleted.
int64_t DeleteJobs(pqxx::work& tx, const std::vector<std::string>& job_ids);

// Forgets up to `limit` executors last seen before `cutoff` that hold no
// unfinished run: their report, cordon setting and principal binding.
// Returns their names.
std::vector<std::string> DeleteSilentExecutors(pqxx::work& tx, absl::Time cutoff, int limit);

// Deletes the decayed-usage rows not updated since `cutoff` (their pool or
// queue is gone; decayed usage that old is nil anyway) and those of queues
// that no longer exist. Returns the rows deleted.
int64_t DeleteStaleQueueUsage(pqxx::work& tx, absl::Time cutoff);

}  // namespace armada::store
