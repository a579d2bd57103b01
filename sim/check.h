#pragma once

// `armada-sim check`: compares what each round did with the round's `expect` (Armada's
// ExpectedScheduledIndices / ExpectedPreemptedIndices, docs/simulator.md "Expectations").

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "sim/results.h"
#include "sim/scenario.h"

namespace armada::sim {

// CheckRounds(scenario, result): one line per mismatch, in round order, then queue order,
// `scheduled` before `preempted`; empty when every round with `expect` matches. Rounds without
// `expect` are skipped. For each checked round and each queue named by the expectation or by the
// round's leases (preemptions), the set of jobs leased (preempted) must equal the expected set
// exactly. A line reads, e.g.,
//   `round 1: scheduled A: expected 0-15, got 0-14`
//   `round 2: preempted B: expected {1: 11-15}, got none`
// (`scheduled` lists indices of the round's own jobs plainly and other rounds' as {ROUND: ...}).
// REQUIRES: `result` comes from RunRounds(scenario, ...). Pure function.
std::vector<std::string> CheckRounds(const Scenario& scenario, const RoundResult& result);

// FormatIndices({0,1,2,3,7}) == "0-3,7"; "none" when empty.
std::string FormatIndices(const std::set<int64_t>& indices);

}  // namespace armada::sim
