#pragma once

// Explaining why a job was not scheduled, beyond the scheduler's one-line reason: which
// constraint failed on how many nodes.

#include <string>
#include <vector>

#include "lib/model/scheduling_types.h"
#include "lib/scheduling/scheduler.h"

namespace armada::sim {

// NodeBreakdown(job, nodes, running): counts the nodes by why `job` cannot go there, e.g.
//   "nodes: 1 untolerated taint gpu=true:NoSchedule, 2 node selector zone=c"
//   "nodes: 2 too little free cpu, 1 fits"
// Static constraints come from scheduling::StaticMismatch; free resources are allocatable minus
// allocated minus the `running` jobs on the node (so, after a round's leases). Reasons are listed
// in name order. Pure; cost O(nodes x (taints + labels + resources)).
std::string NodeBreakdown(const model::QueuedJob& job, const std::vector<model::NodeInfo>& nodes,
                          const std::vector<model::RunningJob>& running);

// ExplainReport(cycle, snapshot, decision, job_id): what the server's scheduling reports say about
// `job_id` after this cycle: its job report, then the queue report of its queue, built by
// lib/scheduling/scheduling_report.h exactly as `armadactl get job-report` / `queue-report` get
// them. "" when the decision says nothing about the job. Cost O(jobs + nodes).
std::string ExplainReport(int64_t cycle, const scheduling::SchedulingSnapshot& snapshot,
                          const scheduling::Decision& decision, const std::string& job_id);

}  // namespace armada::sim
