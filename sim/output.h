#pragma once

// Printing simulation results: JSON (SIMULATOR.md's `--json` format) and readable tables. With
// RunOptions::explain_job set, both also say, round by round or cycle by cycle, what happened to
// that job.

#include <string>

#include "absl/numeric/int128.h"
#include "absl/time/time.h"
#include "sim/results.h"

namespace armada::sim {

// {"rounds": [{"round", "scheduled", "preempted", "queues"}...]} plus, when explaining,
// "explain": {"job", "rounds": [{"round", "status"}...]}.
std::string RoundsJson(const RoundResult& result, const RunOptions& options);
std::string RoundsText(const RoundResult& result, const RunOptions& options);

// {"events": [...], "queues": {Q: {"usedResourceSeconds": {r: n}}}} plus, when explaining,
// "explain": {"job", "cycles": [{"time", "status"}...]}.
std::string TimeJson(const TimeResult& result, const RunOptions& options);
std::string TimeText(const TimeResult& result, const RunOptions& options);

// FormatSimTime(d): simulated time in seconds: "0s", "60s", "0.5s".
std::string FormatSimTime(absl::Duration d);

// FormatResourceSeconds(milli_ms): milli-units x milliseconds as units x seconds, exact, with
// trailing zeros dropped: 60000000 -> "60", 1500 -> "0.0015".
std::string FormatResourceSeconds(absl::int128 milli_ms);

}  // namespace armada::sim
