#pragma once

#include "lib/scheduling/scheduler.h"

namespace armada::scheduling {

// The first, simple policy: first in, first out within a queue (by priority,
// then submission order) and round-robin across queues, one job per queue per
// turn. A job that fits on no node is skipped, so it does not block the jobs
// behind it. Each job goes to the node where it fits most tightly (best fit).
// Cordoned queues and unschedulable nodes get nothing. Replaced by the
// fair-share scheduler, which implements the same interface.
//
// Input contract (FairShareScheduler's): a node's free room is its allocatable
// minus NodeInfo::allocated (what the scheduler does not own) minus the
// requests of the snapshot.running jobs on it (its own); each counts once.
class FifoScheduler : public Scheduler {
 public:
  Decision Schedule(const SchedulingSnapshot& snapshot) const override;
};

}  // namespace armada::scheduling
