#pragma once

// Reads what a scheduling cycle needs from PostgreSQL besides the leader's
// job index: the queues, the nodes of live executors (less cordoned ones and
// those under back-pressure) and the queues' decayed usage.

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/scheduling/scheduler.h"
#include "lib/store/database.h"

namespace armada::server {

struct SnapshotSettings {
  // Executors not heard from for this long contribute no nodes.
  absl::Duration executor_timeout;
  // Executors holding this many leases they have not started get no more.
  int max_unacknowledged_runs_per_executor;
};

// Fills snapshot.queues, .nodes and .usage as of `now`. Queues and nodes
// whose stored form is unreadable are left out, with an error logged.
absl::Status LoadSnapshotTables(store::Database& db, const SnapshotSettings& settings,
                                absl::Time now, scheduling::SchedulingSnapshot& snapshot);

}  // namespace armada::server
