#pragma once

// The scheduling algorithm's contract. Implementations are pure and
// deterministic: the same snapshot gives the same decision, with no I/O,
// logging or clock of their own.

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "lib/model/scheduling_types.h"

namespace armada::scheduling {

struct SchedulingSnapshot {
  std::vector<model::QueueInfo> queues;
  std::vector<model::QueuedJob> jobs;  // any order; the scheduler orders them
  std::vector<model::NodeInfo> nodes;
  absl::Time now;
  // Jobs holding a lease; their requests count on their node and for their queue's share.
  // FifoScheduler ignores them (it reads NodeInfo.allocated only).
  std::vector<model::RunningJob> running;
  // Decayed usage per (pool, queue) from the previous decision; missing = no history.
  std::map<model::PoolQueue, model::QueueUsage> usage;
};

struct Lease {
  std::string job_id;
  std::string queue;
  std::string executor;
  std::string node;
  std::string pool;
};

// Why a job stayed queued this cycle, for reports and "why is my job pending".
struct Unscheduled {
  std::string job_id;
  std::string reason;
};

// A queue's standing in one pool, for reports and metrics. Shares are fractions of the pool
// (dominant resource share); cost = (actual_share + decayed usage) / weight.
struct QueueShare {
  std::string pool;
  std::string queue;
  double weight = 1;               // 1 / priority_factor
  double fair_share = 0;           // weight / sum of weights of active queues
  double adjusted_fair_share = 0;  // demand-capped, water-filled fair share
  double actual_share = 0;         // dominant share of its allocation after this round
  double decayed_usage = 0;        // the updated usage (0 when the half-life is 0)
  double cost = 0;                 // after this round
};

struct Decision {
  std::vector<Lease> leases;
  std::vector<Unscheduled> unscheduled;
  // Active queues of every pool, sorted by (pool, queue). Empty for FifoScheduler.
  std::vector<QueueShare> shares;
  // The updated decayed usage: one entry per pool and queue (persist, feed back next cycle).
  std::map<model::PoolQueue, model::QueueUsage> usage;
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;

  // Decides which queued jobs to lease onto which nodes. Leases never exceed a
  // node's allocatable resources given what is already allocated there.
  virtual Decision Schedule(const SchedulingSnapshot& snapshot) const = 0;
};

}  // namespace armada::scheduling
