#pragma once

// NodeIndex: the nodes of one pool, grouped by node type and ordered by free capacity, so that
// finding the best-fit node for a job does not test every node.

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "lib/model/resource_list.h"
#include "lib/model/scheduling_types.h"
#include "lib/scheduling/fair_share_config.h"

namespace armada::scheduling {

// Nodes are grouped into types: nodes with the same taints and the same values of the
// `indexed_labels` (every label key some job selects on) accept exactly the same jobs, so static
// matching runs once per type, not once per node. Within a type, nodes are kept in a std::set
// ordered by their normalised free capacity
//   free_key = sum over fairness resources r with pool total > 0 of free_r / total_r,
// then by (name, executor). A node that fits a job has free_r >= request_r for every r, so its
// key is >= the job's normalised size: BestFit starts at that lower_bound and walks up; the
// first node of a type where the job fits exactly (ResourceList::FitsWithin, milli-units) is the
// type's tightest fit, and the best over all types wins (ties by node name, then executor).
//
// Cost: construction O(N (log N + L)) for N nodes and L indexed labels. BestFit
// O(T + sum over matching types of (log N_t + k_t)), where T is the number of types and k_t the
// nodes skipped because some other resource does not fit (0 for single-resource jobs on
// homogeneous types). Place O(log N_t). Not thread-safe for concurrent mutation.
class NodeIndex {
 public:
  struct Fit {
    const model::NodeInfo* node = nullptr;  // nullptr: no node fits
    std::string reason;                     // why, when node is nullptr
  };

  // nodes: the pool's nodes; unschedulable ones are left out. used[i] is what is already in use
  // on nodes[i] (allocated plus leases). Borrows the nodes: they must outlive the index.
  // REQUIRES: nodes.size() == used.size().
  NodeIndex(const std::vector<const model::NodeInfo*>& nodes,
            const std::vector<model::ResourceList>& used, const model::ResourceList& pool_total,
            std::vector<FairnessResource> resources, const std::set<std::string>& indexed_labels);

  // BestFit(job): the matching node where the job fits leaving the least normalised free
  // capacity; or nullptr and a reason ("no node matches: untolerated taint ..." or
  // "no matching node has cpu=2,memory=1Gi free").
  Fit BestFit(const model::QueuedJob& job) const;

  // Place(node, requests): records that `requests` now run on `node` (a node BestFit returned).
  void Place(const model::NodeInfo* node, const model::ResourceList& requests);

 private:
  using Key = std::pair<double, int>;  // (free_key, rank by name then executor)
  struct NodeType {
    const model::NodeInfo* example = nullptr;
    std::set<Key> by_free;
  };

  double Normalised(const model::ResourceList& amounts) const;

  model::ResourceList total_;
  std::vector<FairnessResource> resources_;
  std::vector<const model::NodeInfo*> nodes_;  // by rank
  std::vector<model::ResourceList> free_;      // by rank
  std::vector<double> key_;                    // by rank
  std::vector<NodeType*> type_of_;             // by rank
  std::map<const model::NodeInfo*, int> rank_;
  std::map<std::string, NodeType> types_;  // by type key
};

}  // namespace armada::scheduling
