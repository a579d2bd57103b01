#pragma once

// Round mode: one Scheduler::Schedule call per round of the scenario.

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sim/results.h"
#include "sim/scenario.h"

namespace armada::sim {

// The default simulated time between two rounds (Scenario::round_period, `roundPeriod`): round r
// runs at kSimStart + r * round_period. It matters for the decay of usage (fairShareHalfLife) and
// the refill of the rate-limit buckets.
inline constexpr absl::Duration kRoundStep = absl::Seconds(10);

// RunRounds(scenario, options): runs round mode. Round r submits its jobs, named
// `QUEUE/r/INDEX`, schedules them together with the jobs still queued, and records the leases
// and the queues' shares. Leased jobs keep running on their node in every later round; each
// decision's usage and rate-limit buckets feed the next snapshot; a round with withdrawUnscheduled
// (the default) removes the jobs it left queued. Before scheduling, a round removes the running
// jobs its `finish` names and cordons (NodeInfo::unschedulable) its `cordonNodes`, for good.
// Expectations (`expect`) are not looked at here (sim/check.h). REQUIRES: !scenario.time_mode().
// Errors: MakeScheduler's kInvalidArgument for a bad scheduling config; kInvalidArgument
// "<line>: rounds[R].finish: job Q/R/I is not running before round R". Deterministic.
absl::StatusOr<RoundResult> RunRounds(const Scenario& scenario, const RunOptions& options);

}  // namespace armada::sim
