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
// Per pool, Armada's evict and reschedule (docs/scheduling.md, "Preemption"): preemptible running
// jobs of queues above protected_fraction_of_fair_share of their share are evicted; evicted and
// queued jobs are then tried in fair order: the queue whose head job has the highest class
// priority, then the lowest cost counting it,
//   cost = (dominant share of (running + leased this round + the job) + decayed usage) / weight,
// then the smallest name, goes next; weight = 1 / priority_factor (<= 0 counts as 1). A queue's
// evicted jobs come first, then its queued jobs in (class priority desc, priority, submit_seq, id)
// order. A new job fits without preemption, or by fair-share preemption (stopping the evicted jobs
// last in fair order from coming back), or by urgency preemption (jobs of a lower priority);
// evicted jobs go back onto their own node only. Nodes left oversubscribed by urgency have their
// lower-priority jobs evicted and tried once more. Evicted jobs not put back are preempted.
// A job that cannot be placed is reported in Decision::unscheduled (with an UnscheduledKind) and
// its queue goes on with its next job. Cordoned queues get nothing new; their running jobs are
// rescheduled like others. Jobs with an unknown queue or priority class are unscheduled.
//
// Guarantees: only preemptible jobs are preempted, each either for balance (its queue above its
// protected share) or for a job of a higher priority; gangs are leased and preempted whole; a job
// preempted in a cycle is not leased again in it; leases never overcommit a node.
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
