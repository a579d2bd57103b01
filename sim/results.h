#pragma once

// The results of a simulation, as the runners produce them and the output functions print them.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/time/time.h"

namespace armada::sim {

struct RunOptions {
  // Job id to explain ("" = none): the runners record its status in every round or cycle.
  std::string explain_job;
  // Time mode: skip the cycles that are certain to decide exactly as the one before them
  // (time_runner.cc, NextCycleThatMayDiffer). false runs every cycle; the results must be the
  // same byte for byte, which the tests check.
  bool skip_quiet_cycles = true;
};

// One queue's standing after a round (from Decision::shares). With a single pool `key` is the
// queue name; with several pools it is `POOL/QUEUE`.
struct QueueRow {
  std::string key;
  int64_t running = 0;  // jobs holding a lease after the round
  double fair_share = 0;
  double adjusted_fair_share = 0;
  double actual_share = 0;
  double cost = 0;
};

struct RoundRecord {
  int round = 0;
  std::vector<std::pair<std::string, std::string>> scheduled;  // (job, node), submission order
  std::vector<std::string> preempted;  // jobs evicted this round (they are gone)
  std::vector<std::string> rejected;   // gangs that can never be scheduled (they are gone)
  std::vector<QueueRow> queues;
  std::string explain;  // the explained job's status in this round; "" when not asked
};

struct RoundResult {
  std::vector<RoundRecord> rounds;
  // The job and queue reports (lib/scheduling/scheduling_report.h) of the last round whose
  // decision said something about the explained job; "" when none did or when not asked.
  std::string explain_report;
};

// A time mode event. type: "submitted", "leased", "preempted", "rejected" (a gang that can never
// be scheduled), "succeeded". node is set
// for "leased" only.
struct Event {
  absl::Duration time;
  std::string type;
  std::string job;
  std::string queue;
  std::string node;
};

struct ExplainLine {
  absl::Duration time;
  std::string status;
};

struct TimeResult {
  std::vector<Event> events;  // by time, then succeeded < submitted < leased, then emission order
  // queue -> resource -> milli-units x milliseconds run (divide by 1e6 for units x seconds).
  // Every queue of the scenario has an entry, possibly empty.
  std::map<std::string, std::map<std::string, absl::int128>> used;
  std::vector<ExplainLine> explain;  // empty when not asked
  // As RoundResult::explain_report, for the last cycle.
  std::string explain_report;
};

}  // namespace armada::sim
