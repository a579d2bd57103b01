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
// matching runs once per type, not once per node. Within a type, nodes are kept in one ordered
// set per fairness resource, keyed by (free amount of that resource, rank by name then executor).
//
// Best fit for a job is judged on its dominant resource d (the largest request_r / total_r):
// BestFit walks the type's set for d from lower_bound(request_d), so nodes without enough of
// the scarcest resource the job needs are never looked at, and the first node where the job fits
// exactly (ResourceList::FitsWithin, milli-units) is the type's tightest fit on d; the best over
// all types wins (least free d, ties by node name, then executor). Nodes that are full in d
// (the common case as a cluster fills) cost nothing, so a cycle stays near O(J log N).
//
// Cost: construction O(N (R log N + L)) for N nodes, R fairness resources and L indexed labels.
// BestFit O(T + sum over matching types of (log N_t + k_t)), where T is the number of types and
// k_t the nodes skipped because a resource other than d does not fit. Place O(R log N_t). Not
// thread-safe for concurrent mutation.
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

  // BestFit(job, excluded): the matching node (not in `excluded`, when given) where the job fits
  // leaving the least free of its dominant resource; or nullptr and a reason ("no node matches:
  // untolerated taint ..." or "no matching node has cpu=2,memory=1Gi free").
  Fit BestFit(const model::QueuedJob& job,
              const std::set<const model::NodeInfo*>* excluded = nullptr) const;

  // Place(node, requests): records that `requests` now run on `node` (a node BestFit returned,
  // or one where Free(node) holds them).
  void Place(const model::NodeInfo* node, const model::ResourceList& requests);

  // Remove(node, requests): `requests` no longer run on `node` (a job evicted, or a trial
  // placement undone).
  void Remove(const model::NodeInfo* node, const model::ResourceList& requests);

  // What is free on `node` now. REQUIRES: a node of the index.
  const model::ResourceList& Free(const model::NodeInfo* node) const;

  // Whether `node` is one of the index's nodes (schedulable nodes of the pool).
  bool Contains(const model::NodeInfo* node) const { return rank_.contains(node); }

 private:
  using Key = std::pair<int64_t, int>;  // (free milli-units of one resource, rank)
  struct NodeType {
    const model::NodeInfo* example = nullptr;
    std::vector<std::set<Key>> by_free;  // one set per fairness resource
  };

  // The index in resources_ of the job's dominant resource.
  size_t DominantResource(const model::ResourceList& requests) const;
  void Insert(int rank);
  void Erase(int rank);

  model::ResourceList total_;
  std::vector<FairnessResource> resources_;
  std::vector<const model::NodeInfo*> nodes_;  // by rank
  std::vector<model::ResourceList> free_;      // by rank
  std::vector<NodeType*> type_of_;             // by rank
  std::map<const model::NodeInfo*, int> rank_;
  std::map<std::string, NodeType> types_;  // by type key
};

}  // namespace armada::scheduling
