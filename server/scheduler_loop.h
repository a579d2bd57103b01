#pragma once

// The scheduling loop. Only the replica that holds the leader lock (a
// session-level PostgreSQL advisory lock on a dedicated connection) schedules;
// if that process or its connection dies, the lock is released and another
// replica takes over. Each cycle reads a snapshot, asks the Scheduler for a
// decision and writes the leases with their events in one transaction.

#include <atomic>
#include <memory>

#include "absl/status/statusor.h"
#include "lib/common/clock.h"
#include "lib/scheduling/scheduler.h"
#include "lib/store/database.h"
#include "server/job_index.h"
#include "server/scheduling_reports.h"
#include "server/server_config.h"

namespace armada::server {

class SchedulerLoop {
 public:
  SchedulerLoop(store::Database& db, const scheduling::Scheduler& scheduler,
                const common::Clock& clock, const ServerConfig& config)
      : db_(db), scheduler_(scheduler), clock_(clock), config_(config) {}

  // Every cycle's snapshot and decision go to `reports` (nullptr: none).
  // Borrowed: must outlive the loop. Call before Run or RunCycle.
  void SetReports(SchedulingReports* reports) { reports_ = reports; }

  // Runs until `stop` is set: waits to become leader, then schedules every
  // schedule period.
  void Run(const std::atomic<bool>& stop);

  // One cycle, whether or not this replica is the leader (tests call it
  // directly): expires the leases of silent executors, then schedules.
  // Returns the number of jobs leased. Not thread-safe: one caller.
  absl::StatusOr<int> RunCycle();

  // The runs of executors silent for longer than executorTimeout lose their
  // lease (lease_expired); their jobs fail, or end cancelled when a cancel
  // was under way. Returns how many runs expired.
  absl::StatusOr<int> ExpireSilentExecutors();

 private:
  store::Database& db_;
  const scheduling::Scheduler& scheduler_;
  const common::Clock& clock_;
  const ServerConfig config_;
  JobIndex index_;
  bool index_loaded_ = false;
  // The rate-limit buckets of the last cycle, fed into the next (one caller, like RunCycle).
  // Reset when this replica becomes leader: a new leader starts with full buckets.
  scheduling::RateLimitState rate_limits_;
  SchedulingReports* reports_ = nullptr;
};

}  // namespace armada::server
