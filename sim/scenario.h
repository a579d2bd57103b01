#pragma once

// Scenario: an armada-sim input file (../shared/design/SIMULATOR.md), parsed and validated.
//
// Templates are resolved and counts expanded where SIMULATOR.md fixes names: nodes are named
// `CLUSTER-K`, belong to executor CLUSTER and its pool. Submit entries keep their count; the
// runners name their jobs.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/model/resource_list.h"
#include "lib/model/scheduling_types.h"
#include "lib/scheduling/scheduling_config.h"

namespace armada::sim {

// One submit entry (round mode) or workload job entry (time mode): `count` identical jobs.
struct JobSpec {
  std::string queue;
  int64_t count = 1;  // >= 1
  model::ResourceList resources;
  std::string priority_class;  // "" = scheduling.defaultPriorityClass
  uint32_t priority = 0;       // lower is more urgent
  std::map<std::string, std::string> node_selector;
  std::vector<model::Toleration> tolerations;
  // Gang: the entry's `count` jobs form gangs of this many members (0: no gang).
  int gang_cardinality = 0;
  std::string gang_uniformity_label;
  absl::Duration submit_at;  // time mode only
  absl::Duration runtime;    // time mode only
  // activeDeadline (time mode, optional): the runtime bound the scheduler sees; zero = none.
  absl::Duration active_deadline;
  int line = 0;              // of the entry, for messages
};

// Round-mode jobs by id part: queue -> ROUND -> INDEX set, naming jobs `QUEUE/ROUND/INDEX`.
using JobIndices = std::map<std::string, std::map<int, std::set<int64_t>>>;

// A round's `expect` (Armada's ExpectedScheduledIndices / ExpectedPreemptedIndices): the exact
// sets of jobs the round must lease and preempt. A queue with no entry must have none.
struct RoundExpect {
  JobIndices scheduled;  // `scheduled: {A: "0-3"}` is round = this round
  JobIndices preempted;
};

struct Round {
  std::vector<JobSpec> submit;
  bool withdraw_unscheduled = true;   // queued jobs not scheduled in this round are removed
  std::optional<RoundExpect> expect;  // nullopt: the round is not checked
  // Running jobs that finish (succeed) before this round schedules (Armada's IndicesToUnbind).
  // Every ROUND is earlier than this round.
  JobIndices finish;
  // Nodes cordoned from this round on: no new leases there, running jobs stay (Armada's
  // NodeIndicesToCordon; like Armada's harness, a cordon lasts for every later round).
  std::vector<std::string> cordon_nodes;
  int line = 0;  // of the round, for messages
};

struct Workload {
  absl::Duration cycle_period = absl::Seconds(10);  // > 0
  absl::Duration until = absl::Hours(24);
  bool resubmit_preempted = true;  // a preempted job comes back as a new job of its queue
  std::vector<JobSpec> jobs;       // file order
};

struct Scenario {
  std::string path;
  scheduling::SchedulingConfig scheduling;
  std::vector<model::NodeInfo> nodes;  // clusters in file order, nodes in file order
  std::vector<model::QueueInfo> queues;
  std::vector<Round> rounds;  // round mode iff !workload
  // Simulated time between two rounds (`roundPeriod`, round mode only): round r runs at
  // r * round_period. It matters for the decay of usage and the refill of rate-limit buckets.
  absl::Duration round_period = absl::Seconds(10);
  std::optional<Workload> workload;  // time mode
  bool time_mode() const { return workload.has_value(); }
  // Number of distinct node pools.
  size_t PoolCount() const;
};

// ParseScenario(text, name): parses a scenario held in `text`. Errors are kInvalidArgument
// reading `<name>:<line>: <key path>: <problem>`, e.g.
//   `s.yaml:14: rounds[0].submit[0].cout: unknown key; known keys: queue, count, ...`.
// Gangs are not supported by the scheduler yet: a `gang:` entry that is otherwise valid is
// kUnimplemented naming file, line and key. Thread-safe (pure function).
absl::StatusOr<Scenario> ParseScenario(const std::string& text, const std::string& name);

// LoadScenario(path): reads `path` and parses it as above; kNotFound when it cannot be read.
absl::StatusOr<Scenario> LoadScenario(const std::string& path);

}  // namespace armada::sim
