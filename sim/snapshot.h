#pragma once

// Building scheduler snapshots from a scenario, and reading queue rows out of a decision. Shared
// by the round and time runners.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lib/model/scheduling_types.h"
#include "lib/scheduling/scheduler.h"
#include "sim/results.h"
#include "sim/scenario.h"

namespace armada::sim {

// The simulated time of round 0 / cycle 0.
inline constexpr absl::Time kSimStart = absl::UnixEpoch();

// The queued job of `spec` named `id`, with submission order `seq`.
// `gang_id` names the job's gang when spec has one (the id of its first member).
model::QueuedJob MakeQueuedJob(const JobSpec& spec, std::string id, int64_t seq,
                               std::string gang_id = "");

// The running job a lease of `job` becomes.
model::RunningJob MakeRunningJob(const model::QueuedJob& job, const scheduling::Lease& lease,
                                 absl::Time started_at);

// The snapshot of one cycle, with the usage and rate-limit buckets of the previous decision. No
// clock and no cycle-time limit (scheduling.maxCycleTime is ignored), so results are
// deterministic. `running` (the scheduler's own jobs) goes in snapshot.running only, for every
// algorithm; NodeInfo::allocated stays the scenario's (pods the scheduler does not own), as the
// Scheduler contract (lib/scheduling/scheduler.h) says.
scheduling::SchedulingSnapshot MakeSnapshot(
    const Scenario& scenario, std::vector<model::QueuedJob> queued,
    const std::vector<model::RunningJob>& running,
    const std::map<model::PoolQueue, model::QueueUsage>& usage,
    const scheduling::RateLimitState& rate_limits, absl::Time now);

// Queue rows after a decision: with one pool, every queue of the scenario by name (zeros for
// inactive ones); with several, `POOL/QUEUE` for each entry of decision.shares.
std::vector<QueueRow> MakeQueueRows(const Scenario& scenario, const scheduling::Decision& decision,
                                    const std::vector<model::RunningJob>& running);

}  // namespace armada::sim
