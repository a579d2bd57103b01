#pragma once

// FairShareScheduler: dominant resource fairness with decayed usage (fair share over time),
// priority-class limits and best-fit placement over a node index. See docs/scheduling.md.

#include <memory>

#include "absl/status/statusor.h"
#include "lib/scheduling/fair_share_config.h"
#include "lib/scheduling/scheduler.h"

namespace armada::scheduling {

// Schedules each pool (the `pool` of its nodes) on its own, in pool-name order; a queued job may
// go to any pool, and a job leased in one pool is not offered to the next.
//
// Per pool: the queue whose cost counting its next job,
//   cost = (dominant share of (running + leased this round + the job) + decayed usage) / weight,
// is lowest gets that job (ties by queue name); weight = 1 / priority_factor (<= 0 counts as 1).
// A queue's jobs go in (priority, submit_seq, id) order; a job that cannot be placed is reported
// in Decision::unscheduled and its queue goes on with its next job. Cordoned queues get nothing.
// Jobs with an unknown queue or priority class are unscheduled with that reason.
//
// Input contract: snapshot.running lists every job holding a lease; its requests count on its
// node (matched by executor and name) on top of NodeInfo::allocated, which must therefore hold
// only what the scheduler does not own. snapshot.usage is the previous Decision::usage.
// Output: leases, the reasons of every job left queued, the shares of every active queue in every
// pool and the updated usage of every (pool, queue) known from the queues, running jobs or the
// previous usage. Leases never overcommit a node's allocatable resources.
//
// Limits that stop a cycle early (docs/scheduling.md, "Limits"): the global and per-queue token
// buckets (config maximum_*scheduling_rate/burst; state in snapshot.rate_limits, evaluated at
// snapshot.now, one token of each per lease, the updated state in Decision::rate_limits) and the
// cycle-time limit (snapshot.clock and max_cycle_time; the clock is read at the start and every
// 64 jobs considered). Jobs not considered get the limit's reason; usage and shares are still
// complete.
//
// Deterministic: the decision depends only on the snapshot's contents, not on the order of its
// vectors, unless a cycle-time limit is set and reached (then it depends on how fast the cycle
// ran). Pure: no I/O or logging; the only clock it reads is snapshot.clock. Schedule is const and
// thread-safe (given a thread-safe clock).
// Cost: O(J log Q + J * BestFit) per pool for J queued jobs and Q queues (see node_index.h), plus
// O(N log N) to index N nodes.
class FairShareScheduler : public Scheduler {
 public:
  // Create(config): a scheduler with a validated config; config.Validate()'s kInvalidArgument
  // otherwise.
  static absl::StatusOr<std::unique_ptr<FairShareScheduler>> Create(FairShareConfig config);

  Decision Schedule(const SchedulingSnapshot& snapshot) const override;

  const FairShareConfig& config() const { return config_; }

 private:
  explicit FairShareScheduler(FairShareConfig config) : config_(std::move(config)) {}

  FairShareConfig config_;
};

}  // namespace armada::scheduling
