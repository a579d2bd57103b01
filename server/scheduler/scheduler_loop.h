#pragma once

// The scheduling loop. Only the replica that holds the leader lock schedules
// (LeaderLock: an advisory lock plus a fencing term, so a replica that lost
// the lock writes nothing more). Each cycle expires the runs of dead
// executors, reads a snapshot (the leader's job index and the tables), asks
// the Scheduler for a decision and writes it (DecisionWriter: bounded,
// fenced transactions).
//
// Liveness is judged fairly: an executor is declared dead only after it has
// been silent for executorTimeout while this replica was leader and its
// database work succeeded. After it becomes leader, and after any failed
// cycle (the database away), every executor gets a grace of executorTimeout
// before anything expires, since its heartbeats may not have been recorded.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/common/clock.h"
#include "lib/scheduling/scheduler.h"
#include "lib/store/database.h"
#include "server/scheduler/decision_writer.h"
#include "server/scheduler/job_index.h"
#include "server/scheduler/leader_lock.h"
#include "server/scheduler/scheduling_reports.h"
#include "server/server_config.h"

namespace armada::server {

// What one cycle of the leader did, for metrics. Phases in seconds; a cycle that failed
// part-way has the phases it reached.
struct CycleStats {
  bool ok = false;
  double total_seconds = 0;
  double expire_seconds = 0;    // expiring the runs of silent executors
  double sync_seconds = 0;      // loading or following the job index
  double tables_seconds = 0;    // queues, executors, nodes, usage
  double schedule_seconds = 0;  // the scheduling algorithm
  double report_seconds = 0;    // recording the scheduling report
  double write_seconds = 0;     // leases, preemptions and their events
  int64_t queued = 0;           // jobs considered
  int64_t leased = 0;           // leases written
  int64_t preempted = 0;        // preemptions decided
  // Jobs left queued, by UnscheduledKindName (every kind present, zeros included), and jobs
  // rejected as never schedulable under "rejected".
  std::map<std::string, int64_t> unscheduled{};
  // Active queues per pool with their shares (empty when the cycle failed before scheduling).
  std::vector<scheduling::QueueShare> shares{};
  // Each lease written: its queue, pool and the time from the job's submission to the lease (a
  // requeued job counts from its submission too).
  struct LeaseWait {
    std::string queue;
    std::string pool;
    double seconds = 0;
  };
  std::vector<LeaseWait> lease_waits{};
};

class SchedulerLoop {
 public:
  SchedulerLoop(store::Database& db, const scheduling::Scheduler& scheduler,
                const common::Clock& clock, const ServerConfig& config);

  // Every cycle's snapshot and decision go to `reports` (nullptr: none).
  // Borrowed: must outlive the loop. Call before Run or RunCycle.
  void SetReports(SchedulingReports* reports) { reports_ = reports; }

  // Called after every cycle this replica runs as leader (succeeded or not), on the loop's
  // thread, and with `true`/`false` whenever leadership is checked. Call before Run.
  void SetCycleObserver(std::function<void(const CycleStats&)> observer) {
    cycle_observer_ = std::move(observer);
  }
  void SetLeadershipObserver(std::function<void(bool)> observer) {
    leadership_observer_ = std::move(observer);
  }

  // Runs until `stop` is set: waits to become leader, then schedules every
  // schedule period.
  void Run(const std::atomic<bool>& stop);

  // One cycle (tests call it directly): takes the leader lock if it is free,
  // expires the leases of dead executors, then schedules. Returns the number
  // of jobs leased; kFailedPrecondition if another replica is leader. Not
  // thread-safe: one caller.
  absl::StatusOr<int> RunCycle();

  // Declares dead the executors silent for longer than executorTimeout (once
  // the grace above has passed): their runs' leases expire (lease_expired)
  // and the jobs are requeued (or fail once out of runs, or end cancelled
  // when a cancel was under way); runs with a stop pending are taken as
  // stopped. Returns how many runs expired.
  absl::StatusOr<int> ExpireSilentExecutors();

  // Whether this replica holds the leader lock (as of its last check).
  bool is_leader() const { return lock_.is_leader(); }

 private:
  // Checks the lock; on a new term, resets what a new leader must not inherit.
  bool EnsureLeader();
  // RunCycle's work once leadership is confirmed; fills `stats` as it goes.
  absl::StatusOr<int> RunLeaderCycle(CycleStats& stats);
  // Starts a grace period of executorTimeout from now.
  void StartGrace();

  store::Database& db_;
  const scheduling::Scheduler& scheduler_;
  const common::Clock& clock_;
  const ServerConfig config_;
  LeaderLock lock_;
  DecisionWriter writer_;
  int64_t term_ = 0;  // the term the state below belongs to
  JobIndex index_;
  bool index_loaded_ = false;
  // No run expires before this (see the grace above).
  absl::Time expiry_not_before_ = absl::InfiniteFuture();
  // The rate-limit buckets of the last cycle, fed into the next (one caller, like RunCycle).
  // Reset when this replica becomes leader: a new leader starts with full buckets.
  scheduling::RateLimitState rate_limits_;
  SchedulingReports* reports_ = nullptr;
  std::function<void(const CycleStats&)> cycle_observer_;
  std::function<void(bool)> leadership_observer_;
};

}  // namespace armada::server
