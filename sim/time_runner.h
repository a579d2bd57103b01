#pragma once

// Time mode: a discrete-event simulation of scheduler cycles over simulated time.

#include "absl/status/statusor.h"
#include "sim/results.h"
#include "sim/scenario.h"

namespace armada::sim {

// RunTime(scenario, options): runs time mode. Cycles run at t = 0, cyclePeriod, 2 cyclePeriod,
// ... while t <= until, and stop early once every job has been submitted and has finished. Each
// cycle at t, in order:
//   1. jobs whose end time is <= t finish ("succeeded" at their end time);
//   2. jobs whose submitAt is <= t join the queue ("submitted" at their submitAt);
//   3. one Schedule call at kSimStart + t; each lease starts its job at t ("leased" at t), and the
//      job ends at t + runtime; the decision's usage and rate limits feed the next cycle.
// A cycle that is certain to decide exactly as the one before it (nothing happened since, that
// decision changed nothing, and the scheduler's inputs do not change with time alone: see
// NextCycleThatMayDiffer in time_runner.cc) is skipped unless options.skip_quiet_cycles is
// false; the results are the same either way, --explain lines and report included.
// Jobs are named `QUEUE/N`, N counting the queue's submissions in (submitAt, file order). After
// the last cycle, jobs ending by `until` succeed and submissions due by `until` are reported;
// jobs still running count their resources up to `until` only.
// REQUIRES: scenario.time_mode(). Errors: MakeScheduler's kInvalidArgument. Deterministic.
absl::StatusOr<TimeResult> RunTime(const Scenario& scenario, const RunOptions& options);

}  // namespace armada::sim
