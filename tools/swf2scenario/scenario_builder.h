#pragma once

// Turns a parsed SWF trace into an armada-sim time-mode scenario (../shared/design/SIMULATOR.md):
// users or groups become queues, processors become cpus, submit and run times become arrivals and
// runtimes divided by a speed-up factor, the trace header's machine becomes the cluster.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/swf2scenario/swf_trace.h"

namespace armada::swf2scenario {

enum class QueueKey { kUser, kGroup };

// How a job of P processors is submitted.
enum class ParallelShape {
  kGang,    // a gang of P one-cpu members, on nodes of `node_cpus` cpus
  kSingle,  // one job of P cpus; needs a node of at least P cpus
};

struct ConvertOptions {
  // Trace slice: jobs submitted in [from, to) seconds of trace time (to < 0: no end), then at
  // most `first` of them (< 0: all). Arrivals count from `from`, or with from = 0 from the
  // first selected job's submit time.
  int64_t from = 0;
  int64_t to = -1;
  int64_t first = -1;
  // REQUIRES: > 0. Trace durations (arrivals, run times, half-life) are divided by it.
  double speedup = 1.0;
  QueueKey queue_key = QueueKey::kUser;
  // Keep the `top_k` queues with the most cpu-seconds in the slice (ties: smaller id); the rest
  // merge into one queue `other`. < 0 keeps all.
  int64_t top_k = -1;
  // In trace time; becomes scheduling.fairShareHalfLife divided by `speedup`.
  absl::Duration half_life = absl::ZeroDuration();
  ParallelShape shape = ParallelShape::kGang;
  // Cluster: `cpus` cpus in nodes of `node_cpus` (the last node may be smaller when it does not
  // divide). cpus < 0: the header's MaxProcs. node_cpus < 0: kGang MaxProcs / MaxNodes (1 without
  // MaxNodes), kSingle all cpus in one node (the trace machine gives a job any free processors).
  int64_t cpus = -1;
  int64_t node_cpus = -1;
  // Every job in a preemptible priority class, so fair-share preemption can happen.
  bool preemptible = false;
  // Each job's activeDeadline (runtime bound, for gang reservations' backfill) from the trace's
  // requested time, at least its run time; jobs without a requested time get none.
  bool runtime_bounds = true;
  // true writes `gangReservations: true` (the scheduler's default is off).
  bool gang_reservations = false;
  absl::Duration cycle_period = absl::Seconds(10);
  // Simulated end; zero: the last arrival plus the longest runtime plus the slice's cpu-seconds
  // over the cluster's cpus (all sped up), room for the backlog to drain.
  absl::Duration until = absl::ZeroDuration();
  std::string source;  // the trace's name, for the description
};

struct Conversion {
  std::string scenario_yaml;
  // One line per submitted job, in armada-sim's submission order (so ids line up):
  // `swf_id queue first_index members cpus_per_member submit_s runtime_s` with tab separators and
  // a `#` header line. The replay analysis uses it to map armada-sim's job ids back to trace jobs.
  std::string jobs_tsv;
  int64_t converted = 0;
  int64_t skipped_unknown = 0;    // run time or processors unknown
  int64_t skipped_too_large = 0;  // more processors than the cluster (or, kSingle, a node) holds
  int64_t cluster_cpus = 0;
};

// Converts the jobs of `trace` selected by `options`. kInvalidArgument for a bad option (names it)
// or when the cluster size is neither given nor in the header. Deterministic: the output depends
// only on the inputs.
absl::StatusOr<Conversion> Convert(const SwfTrace& trace, const ConvertOptions& options);

}  // namespace armada::swf2scenario
