#pragma once

// Scheduling reports: the texts behind schedulerobjects.SchedulerReporting, `armadactl get
// scheduling-report | queue-report | job-report` and `armada-sim --explain`. Pure: built from a
// cycle's snapshot and Decision only, with no I/O, logging or clock; thread-compatible.
//
// A cycle is kept as a CycleSummary (shares, counts, reasons grouped per queue, the nodes with
// what is free on them after the cycle), whose size grows with queues x pools + nodes + distinct
// reasons, not with jobs. What a cycle said about each job is a JobOutcome; callers decide how
// many of those they keep (the server keeps a bounded LRU).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "lib/model/resource_list.h"
#include "lib/model/scheduling_types.h"
#include "lib/scheduling/scheduler.h"

namespace armada::scheduling {

// A node as the reports need it: its static attributes (NodeInfo.allocated is unused) and what
// is free on it once the running jobs and the cycle's leases are counted.
struct NodeSummary {
  model::NodeInfo info;
  model::ResourceList free;
};

// One queue's counts in one pool during one cycle.
struct QueueCycleCounts {
  int64_t leased = 0;
  int64_t preempted = 0;
};

struct CycleSummary {
  int64_t cycle = 0;  // the caller's cycle number
  absl::Time time;    // the snapshot's `now`
  int64_t queued_jobs = 0;
  int64_t running_jobs = 0;
  int64_t leases = 0;
  int64_t preemptions = 0;
  // Every pool with nodes, running jobs or usage, with its node count (0 for none).
  std::map<std::string, int64_t> nodes_per_pool;
  std::map<std::string, bool> queue_cordoned;      // every queue of the snapshot
  std::map<std::string, int64_t> queued_by_queue;  // queue -> jobs queued at the cycle's start
  std::vector<QueueShare> shares;                  // Decision::shares, sorted by (pool, queue)
  std::map<model::PoolQueue, QueueCycleCounts> counts;
  // queue -> reason -> how many of its jobs stayed queued for that reason; rejected jobs count
  // under "rejected: " + reason.
  std::map<std::string, std::map<std::string, int64_t>> reasons;
  std::vector<NodeSummary> nodes;  // sorted by (pool, name, executor)
};

// Summarize(cycle, snapshot, decision): the summary of one cycle. Cost O(J log + N + R) for J
// jobs, N nodes and R running jobs.
CycleSummary Summarize(int64_t cycle, const SchedulingSnapshot& snapshot, const Decision& decision);

// What one cycle said about one job.
struct JobOutcome {
  // kRejected: the job can never be scheduled as it is (Decision::rejected) and fails.
  enum class Kind { kLeased, kPreempted, kUnscheduled, kRejected };
  std::string job_id;
  std::string queue;
  int64_t cycle = 0;
  absl::Time time;
  Kind kind = Kind::kUnscheduled;
  // kLeased: where it was leased; kPreempted: where it ran.
  std::string executor;
  std::string node;
  std::string pool;
  std::string reason;             // but kLeased: the scheduler's reason
  std::string preempting_job_id;  // kPreempted: the job it made room for
  // kUnscheduled: what kept it queued.
  UnscheduledKind unscheduled_kind = UnscheduledKind::kNoFit;
  // kUnscheduled: NodeBreakdown against the cycle's nodes; "" when not computed.
  std::string node_breakdown;
};

// JobOutcomes(summary, snapshot, decision, max_breakdowns): one outcome per lease, preemption,
// rejected and unscheduled job of the decision, in that order. The node breakdown is computed for
// jobs that no node fits (UnscheduledKind::kNoFit and kGang), once per distinct set of constraints
// (requests, selector, affinity, tolerations, avoided nodes), for at most `max_breakdowns` such
// sets; later sets get none. Cost O(J + max_breakdowns x N).
std::vector<JobOutcome> JobOutcomes(const CycleSummary& summary, const SchedulingSnapshot& snapshot,
                                    const Decision& decision, size_t max_breakdowns);

// NodeFitCounts(job, nodes): why `job` can or cannot go on each node, counted: "fits",
// "too little free cpu,memory", "avoided (an earlier run failed there)" or a StaticMismatch
// reason ("node selector zone=c", ...). Cost O(N x (taints + labels + resources)).
std::map<std::string, int64_t> NodeFitCounts(const model::QueuedJob& job,
                                             const std::vector<NodeSummary>& nodes);

// NodeBreakdown(job, nodes): NodeFitCounts as one line per pool,
//   "pool default: 2 node selector zone=c, 1 too little free cpu"
// joined by "\n"; "no nodes" when there are none.
std::string NodeBreakdown(const model::QueuedJob& job, const std::vector<NodeSummary>& nodes);

// The texts. Verbosity 0 gives the shares and counts; 1 adds the unscheduled jobs grouped by
// reason with counts; 2 or more adds the older cycles given. Every text ends with "\n".

// FormatSchedulingReport(cycles, verbosity): cycles[0] is the latest (REQUIRES: not empty), the
// rest older ones, newest first.
std::string FormatSchedulingReport(const std::vector<const CycleSummary*>& cycles, int verbosity);

// FormatQueueReport(summary, queue, verbosity): the queue in every pool of the cycle and why its
// jobs wait (the reasons always; verbosity only adds the cycle's headline).
std::string FormatQueueReport(const CycleSummary& summary, const std::string& queue, int verbosity);

// FormatJobReport(outcome): where the job was leased, or why it is not running: the reason per
// pool, the node breakdown, or the preempting job.
std::string FormatJobReport(const JobOutcome& outcome);

// FormatShare(x): a share or cost with at most 4 decimals, trailing zeros dropped: "0.1667", "1".
std::string FormatShare(double x);

}  // namespace armada::scheduling
