#pragma once

// Writes a scheduling decision: first one transaction with the preemptions,
// the rejections and the queues' usage, then the leases in transactions of a
// bounded size (a gang never split across two), each with its events. Every
// transaction is fenced by the leader lock, so a replica that lost the lock
// writes nothing more. Bounded transactions keep the event log's lock (held
// by each event-writing transaction until it commits) from being held for
// long, so executors' reports and submissions go on while a big decision is
// written.

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/model/retry_policy.h"
#include "lib/model/scheduling_types.h"
#include "lib/scheduling/scheduler.h"
#include "lib/store/database.h"
#include "server/scheduler/leader_lock.h"

namespace armada::server {

struct WrittenDecision {
  // The leases committed, as the job index records them.
  std::vector<model::RunningJob> leased;
  // OK, or why writing stopped; what was not written stays as it was (its
  // jobs queued), for the next cycle to decide again.
  absl::Status status;
};

class DecisionWriter {
 public:
  // Borrows `db` and `lock`. REQUIRES: leases_per_transaction >= 1.
  DecisionWriter(store::Database& db, const LeaderLock& lock, model::RetryPolicy policy,
                 int leases_per_transaction)
      : db_(db), lock_(lock), policy_(policy), leases_per_transaction_(leases_per_transaction) {}

  // `jobs`: the snapshot's queued jobs, which every lease names.
  WrittenDecision Write(const scheduling::Decision& decision,
                        const std::vector<model::QueuedJob>& jobs, absl::Time now);

 private:
  absl::Status WriteEvictions(const scheduling::Decision& decision, absl::Time now);
  using JobsById = absl::flat_hash_map<std::string, const model::QueuedJob*>;
  absl::Status WriteLeases(const std::vector<const scheduling::Lease*>& leases,
                           const JobsById& by_id, absl::Time now,
                           std::vector<model::RunningJob>& leased);

  store::Database& db_;
  const LeaderLock& lock_;
  const model::RetryPolicy policy_;
  const int leases_per_transaction_;
};

}  // namespace armada::server
