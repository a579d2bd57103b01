#pragma once

// The scheduling algorithm's contract. Implementations are pure and
// deterministic: the same snapshot gives the same decision, with no I/O,
// logging or clock of their own.

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

struct Decision {
  std::vector<Lease> leases;
  std::vector<Unscheduled> unscheduled;
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;

  // Decides which queued jobs to lease onto which nodes. Leases never exceed a
  // node's allocatable resources given what is already allocated there.
  virtual Decision Schedule(const SchedulingSnapshot& snapshot) const = 0;
};

}  // namespace armada::scheduling
