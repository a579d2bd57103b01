#include "lib/scheduling/node_index.h"

#include <algorithm>
#include <cassert>
#include <numeric>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "lib/scheduling/node_matching.h"

namespace armada::scheduling {
namespace {

// Nodes with equal type keys accept the same jobs (see the class comment).
std::string TypeKey(const model::NodeInfo& node, const std::set<std::string>& indexed_labels) {
  std::vector<std::string> taints;
  for (const model::Taint& t : node.taints) {
    taints.push_back(absl::StrCat(t.key, "=", t.value, ":", t.effect));
  }
  std::sort(taints.begin(), taints.end());
  std::string key;
  for (const std::string& t : taints) absl::StrAppend(&key, t.size(), "#", t, ";");
  absl::StrAppend(&key, "|");
  for (const std::string& label : indexed_labels) {
    auto it = node.labels.find(label);
    if (it == node.labels.end()) {
      absl::StrAppend(&key, "-;");
    } else {
      absl::StrAppend(&key, it->second.size(), "#", it->second, ";");
    }
  }
  return key;
}

}  // namespace

NodeIndex::NodeIndex(const std::vector<const model::NodeInfo*>& nodes,
                     const std::vector<model::ResourceList>& used,
                     const model::ResourceList& pool_total, std::vector<FairnessResource> resources,
                     const std::set<std::string>& indexed_labels)
    : total_(pool_total), resources_(std::move(resources)) {
  assert(nodes.size() == used.size());
  std::vector<size_t> order;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!nodes[i]->unschedulable) order.push_back(i);
  }
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::tie(nodes[a]->name, nodes[a]->executor) <
           std::tie(nodes[b]->name, nodes[b]->executor);
  });
  for (size_t i : order) {
    int rank = static_cast<int>(nodes_.size());
    model::ResourceList free = nodes[i]->allocatable;
    free.Subtract(used[i]);
    NodeType& type = types_[TypeKey(*nodes[i], indexed_labels)];
    if (type.example == nullptr) {
      type.example = nodes[i];
      type.by_free.resize(resources_.size());
    }
    nodes_.push_back(nodes[i]);
    free_.push_back(std::move(free));
    type_of_.push_back(&type);
    rank_[nodes[i]] = rank;
    Insert(rank);
  }
}

void NodeIndex::Insert(int rank) {
  NodeType& type = *type_of_[rank];
  for (size_t r = 0; r < resources_.size(); ++r) {
    type.by_free[r].insert({free_[rank].Get(resources_[r].name), rank});
  }
}

void NodeIndex::Erase(int rank) {
  NodeType& type = *type_of_[rank];
  for (size_t r = 0; r < resources_.size(); ++r) {
    type.by_free[r].erase({free_[rank].Get(resources_[r].name), rank});
  }
}

size_t NodeIndex::DominantResource(const model::ResourceList& requests) const {
  size_t dominant = 0;
  double largest = -1;
  for (size_t r = 0; r < resources_.size(); ++r) {
    const int64_t t = total_.Get(resources_[r].name);
    if (t <= 0) continue;
    const double share = static_cast<double>(requests.Get(resources_[r].name)) / t;
    if (share > largest) {
      largest = share;
      dominant = r;
    }
  }
  return dominant;
}

NodeIndex::Fit NodeIndex::BestFit(const model::QueuedJob& job,
                                  const std::set<const model::NodeInfo*>* excluded) const {
  if (resources_.empty()) return {nullptr, "no fairness resources are configured"};
  const size_t d = DominantResource(job.requests);
  const int64_t need = job.requests.Get(resources_[d].name);
  std::optional<Key> best;
  std::string mismatch;
  bool any_match = false;
  for (const auto& [type_key, type] : types_) {
    if (auto why = StaticMismatch(job, *type.example)) {
      if (mismatch.empty()) mismatch = *why;
      continue;
    }
    any_match = true;
    const std::set<Key>& by_free = type.by_free[d];
    for (auto it = by_free.lower_bound({need, -1}); it != by_free.end(); ++it) {
      if (best.has_value() && it->first > best->first) break;
      if (!job.requests.FitsWithin(free_[it->second])) continue;
      if (excluded != nullptr && excluded->contains(nodes_[it->second])) continue;
      // Node names are not part of a node type: a retry's avoided nodes are
      // skipped one by one.
      if (!job.avoid_nodes.empty() &&
          std::find(job.avoid_nodes.begin(), job.avoid_nodes.end(), nodes_[it->second]->name) !=
              job.avoid_nodes.end()) {
        continue;
      }
      if (!best.has_value() || *it < *best) best = *it;
      break;
    }
  }
  if (best.has_value()) return {nodes_[best->second], ""};
  if (!any_match) {
    return {nullptr, nodes_.empty() ? "pool has no schedulable node"
                                    : absl::StrCat("no node matches: ", mismatch)};
  }
  return {nullptr, absl::StrCat("no matching node has ", job.requests.ToString(), " free")};
}

void NodeIndex::Place(const model::NodeInfo* node, const model::ResourceList& requests) {
  auto found = rank_.find(node);
  assert(found != rank_.end());
  const int rank = found->second;
  Erase(rank);
  free_[rank].Subtract(requests);
  Insert(rank);
}

void NodeIndex::Remove(const model::NodeInfo* node, const model::ResourceList& requests) {
  auto found = rank_.find(node);
  assert(found != rank_.end());
  const int rank = found->second;
  Erase(rank);
  free_[rank].Add(requests);
  Insert(rank);
}

const model::ResourceList& NodeIndex::Free(const model::NodeInfo* node) const {
  return free_[rank_.at(node)];
}

}  // namespace armada::scheduling
