#pragma once

// Static node matching: whether a job may run on a node regardless of free resources
// (unschedulable flag, taints and tolerations, node selector, required node affinity), with
// Kubernetes semantics. Pure functions; thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "lib/model/scheduling_types.h"

namespace armada::scheduling {

// Tolerates(toleration, taint): Kubernetes ToleratesTaint. An empty toleration effect matches
// every effect; an empty key (with "Exists") matches every key; "Exists" matches any value,
// "Equal" (or "") needs equal values. Any other operator tolerates nothing.
bool Tolerates(const model::Toleration& toleration, const model::Taint& taint);

// ToleratesTaints(tolerations, taints): true iff every NoSchedule or NoExecute taint is tolerated
// by some toleration (PreferNoSchedule taints never block).
bool ToleratesTaints(const std::vector<model::Toleration>& tolerations,
                     const std::vector<model::Taint>& taints);

// MatchesRequirement(req, labels): one node selector requirement against node labels.
// In: label present with a listed value. NotIn: label absent or not a listed value. Exists /
// DoesNotExist: label presence. Gt / Lt: label present, exactly one value, both parse as int64,
// label > (<) value. An unknown operator matches nothing.
bool MatchesRequirement(const model::NodeSelectorRequirement& req,
                        const std::map<std::string, std::string>& labels);

// MatchesNodeAffinity(terms, labels): true if terms is empty, or some term has all of its
// (at least one) requirements matched.
bool MatchesNodeAffinity(const std::vector<model::NodeSelectorTerm>& terms,
                         const std::map<std::string, std::string>& labels);

// StaticMismatch(job, node): nullopt if the job may be placed on the node given enough free
// resources; otherwise a short reason, e.g. "node is unschedulable", "untolerated taint
// gpu=true:NoSchedule", "node selector zone=a", "node affinity".
std::optional<std::string> StaticMismatch(const model::QueuedJob& job, const model::NodeInfo& node);

// SchedulingKey(job): the job's placement constraints (requests, node selector, affinity,
// tolerations, avoided nodes) as a string; jobs with equal keys fit on exactly the same nodes,
// so one answer serves them all.
std::string SchedulingKey(const model::QueuedJob& job);

}  // namespace armada::scheduling
