#pragma once

// Explaining why a job was not scheduled, beyond the scheduler's one-line reason: which
// constraint failed on how many nodes.

#include <string>
#include <vector>

#include "lib/model/scheduling_types.h"

namespace armada::sim {

// NodeBreakdown(job, nodes, running): counts the nodes by why `job` cannot go there, e.g.
//   "nodes: 1 untolerated taint gpu=true:NoSchedule, 2 node selector zone=c"
//   "nodes: 2 too little free cpu, 1 fits"
// Static constraints come from scheduling::StaticMismatch; free resources are allocatable minus
// allocated minus the `running` jobs on the node (so, after a round's leases). Reasons are listed
// in name order. Pure; cost O(nodes x (taints + labels + resources)).
std::string NodeBreakdown(const model::QueuedJob& job, const std::vector<model::NodeInfo>& nodes,
                          const std::vector<model::RunningJob>& running);

}  // namespace armada::sim
