#pragma once

// Round mode: one Scheduler::Schedule call per round of the scenario.

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sim/results.h"
#include "sim/scenario.h"

namespace armada::sim {

// Simulated time between two rounds: round r runs at kSimStart + r * kRoundStep. It matters only
// for the decay of usage (fairShareHalfLife).
inline constexpr absl::Duration kRoundStep = absl::Seconds(10);

// RunRounds(scenario, options): runs round mode. Round r submits its jobs, named
// `QUEUE/r/INDEX`, schedules them together with the jobs still queued, and records the leases
// and the queues' shares. Leased jobs keep running on their node in every later round; each
// decision's usage and rate-limit buckets feed the next snapshot; a round with withdrawUnscheduled
// (the default) removes the jobs it left queued. REQUIRES: !scenario.time_mode(). Errors:
// MakeScheduler's kInvalidArgument for a bad scheduling config. Deterministic.
absl::StatusOr<RoundResult> RunRounds(const Scenario& scenario, const RunOptions& options);

}  // namespace armada::sim
