// armadactl's operator commands on many jobs at once: cancel / preempt on queues, executors and
// nodes; cordon / uncordon / delete executor. Each prints what it requested to `out` and returns
// the failure (a request error carries the server's message).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "cli/armada_client.h"
#include "cli/queue_commands.h"

namespace armada::cli {

// The flags that narrow which jobs `cancel|preempt queues|executor|node` act on.
struct JobScopeFlags {
  // -q/--queues (executor, node): only jobs of these queues; empty: all queues.
  std::vector<std::string> queues;
  // -p/--priority-classes: only jobs of these priority classes.
  std::vector<std::string> priority_classes;
  // -a/--all-priority-classes: every priority class. Exactly one of -p and -a is required.
  bool all_priority_classes = false;
  // --pools (queues, executor): only jobs running in these pools; empty: all pools.
  std::vector<std::string> pools;
  // -e/--executor (node): the executor the node belongs to; required for nodes.
  std::string executor;
  // -s/--job-states (cancel queues): queued, leased, pending, running; empty: all four.
  std::vector<std::string> job_states;
};

// CheckPriorityClasses(flags): kInvalidArgument unless exactly one of -p and -a is given.
absl::Status CheckPriorityClasses(const JobScopeFlags& flags);

// `cancel queues` / `preempt queues`: CancelOnQueue / PreemptOnQueue for each selected queue
// (names and/or labels required, see RunCordonQueues), printing "Requested cancellation of jobs
// in queue <q>" / "Requested preemption of jobs in queue <q>"; with `dry_run`, "Would cancel
// jobs in queue <q>" and no request. Errors: CheckPriorityClasses, a bad job state, the first
// failed request.
absl::Status RunCancelOnQueues(ArmadaClient& client, const QueueSelector& selector,
                               const JobScopeFlags& flags, bool dry_run, std::ostream& out);
absl::Status RunPreemptOnQueues(ArmadaClient& client, const QueueSelector& selector,
                                const JobScopeFlags& flags, bool dry_run, std::ostream& out);

// `cancel executor NAME` / `preempt executor NAME`: prints "Requested cancellation of jobs on
// executor <name>" / "Requested preemption of jobs on executor <name>".
absl::Status RunCancelOnExecutor(ArmadaClient& client, const std::string& name,
                                 const JobScopeFlags& flags, std::ostream& out);
absl::Status RunPreemptOnExecutor(ArmadaClient& client, const std::string& name,
                                  const JobScopeFlags& flags, std::ostream& out);

// `cancel node NAME -e EXECUTOR` / `preempt node NAME -e EXECUTOR`: prints "Requested
// cancellation of jobs on node <name> of executor <executor>" (or preemption).
// kInvalidArgument without -e.
absl::Status RunCancelOnNode(ArmadaClient& client, const std::string& name,
                             const JobScopeFlags& flags, std::ostream& out);
absl::Status RunPreemptOnNode(ArmadaClient& client, const std::string& name,
                              const JobScopeFlags& flags, std::ostream& out);

// `cordon executor NAME REASON` / `uncordon executor NAME`: UpsertExecutorSettings with
// cordoned true / false; prints "Cordoned executor <name>" / "Uncordoned executor <name>".
absl::Status RunCordonExecutor(ArmadaClient& client, const std::string& name,
                               const std::string& reason, bool cordon, std::ostream& out);

// `delete executor NAME`: prints "Deleted executor <name>".
absl::Status RunDeleteExecutor(ArmadaClient& client, const std::string& name, std::ostream& out);

}  // namespace armada::cli
