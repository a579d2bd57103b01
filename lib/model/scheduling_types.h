#pragma once

// The plain data the scheduler works on: what it knows of queues, queued jobs
// and nodes. Built by the server from PostgreSQL and executor reports; no I/O.

#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "lib/model/resource_list.h"

namespace armada::model {

struct QueueInfo {
  std::string name;
  double priority_factor = 1.0;  // weight is 1 / priority_factor
  bool cordoned = false;
  // Per priority class resource limits for this queue: priority class name -> resource name ->
  // fraction of the pool total. An entry replaces the whole global
  // maximum_resource_fraction_per_queue of that priority class for this queue.
  std::map<std::string, std::map<std::string, double>> resource_limits_by_priority_class;
};

// A Kubernetes toleration. op is "Equal" (the default when empty) or "Exists"; effect is
// "" (all effects), "NoSchedule", "PreferNoSchedule" or "NoExecute". An empty key with "Exists"
// tolerates every taint.
struct Toleration {
  std::string key;
  std::string op = "Equal";
  std::string value;
  std::string effect;
};

// A Kubernetes node taint. effect is "NoSchedule", "PreferNoSchedule" or "NoExecute".
struct Taint {
  std::string key;
  std::string value;
  std::string effect;
};

// One requirement of a node selector term. op is "In", "NotIn", "Exists",
// "DoesNotExist", "Gt" or "Lt" (Gt/Lt: one value, compared as integers). An unknown operator
// matches no node.
struct NodeSelectorRequirement {
  std::string key;
  std::string op;
  std::vector<std::string> values;
};

// Requirements ANDed; an empty term matches no node (Kubernetes semantics).
struct NodeSelectorTerm {
  std::vector<NodeSelectorRequirement> match_expressions;
};

// A job waiting to be scheduled.
struct QueuedJob {
  std::string id;
  std::string queue;
  std::string job_set;
  uint32_t priority = 0;   // lower is scheduled earlier within its queue
  int64_t submit_seq = 0;  // submission order, the tie breaker after priority
  ResourceList requests;
  std::map<std::string, std::string> node_selector;
  // "" means the scheduler's default priority class.
  std::string priority_class;
  std::vector<Toleration> tolerations;
  // requiredDuringSchedulingIgnoredDuringExecution: the terms are ORed; empty = no constraint.
  std::vector<NodeSelectorTerm> node_affinity;
  // Nodes where an earlier run of the job started and then had its lease
  // returned: a retry goes elsewhere.
  std::vector<std::string> avoid_nodes;
  // Gang membership (Armada's armadaproject.io/gang* annotations): the gang is
  // scheduled whole, once `gang_cardinality` members are queued, and with a
  // uniformity label all on nodes sharing one value of it. Empty id: no gang.
  std::string gang_id;
  int gang_cardinality = 0;
  std::string gang_uniformity_label;
  // The longest the job may run once started (Kubernetes activeDeadlineSeconds); zero =
  // unbounded. Gang reservations let a job run on reserved nodes only if this bound ends it in
  // time.
  absl::Duration runtime_bound = absl::ZeroDuration();
};

// A job holding a lease (leased or running) on a node: counts for its node's free resources and
// for its queue's share of the pool.
struct RunningJob {
  std::string id;
  std::string queue;
  std::string job_set;
  std::string node;      // NodeInfo.name
  std::string executor;  // NodeInfo.executor
  std::string pool;      // "" means the pool of its node
  ResourceList requests;
  std::string priority_class;  // "" means the scheduler's default priority class
  // When the run was leased: among equal candidates, the most recently started
  // is preempted first (it has lost the least work).
  absl::Time started_at = absl::UnixEpoch();
  std::string gang_id;  // preempted together with the rest of its gang
  // The job's own priority and submission order (QueuedJob's), which order a queue's evicted
  // jobs for rescheduling after priority class and start time. 0 when unknown.
  uint32_t priority = 0;
  int64_t submit_seq = 0;
  // As QueuedJob::runtime_bound: the run ends by started_at + runtime_bound; zero = unbounded.
  absl::Duration runtime_bound = absl::ZeroDuration();
};

// A queue's decayed usage in one pool: an exponential moving average of its dominant share of
// the pool, as of updated_at. Persisted by the server, fed back in the next snapshot.
struct QueueUsage {
  double decayed_share = 0;
  absl::Time updated_at = absl::UnixEpoch();
  friend bool operator==(const QueueUsage&, const QueueUsage&) = default;
};

// The key of a QueueUsage: pool, then queue.
struct PoolQueue {
  std::string pool;
  std::string queue;
  friend auto operator<=>(const PoolQueue&, const PoolQueue&) = default;
};

// A node an executor reported, with what is already allocated on it.
struct NodeInfo {
  std::string name;
  std::string executor;
  std::string pool;
  std::map<std::string, std::string> labels;
  ResourceList allocatable;
  ResourceList allocated;  // pods the scheduler does not own (its runs: SchedulingSnapshot.running)
  bool unschedulable = false;
  std::vector<Taint> taints;
};

}  // namespace armada::model
