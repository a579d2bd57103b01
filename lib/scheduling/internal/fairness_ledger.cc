#include "lib/scheduling/internal/fairness_ledger.h"

#include <algorithm>

#include "lib/scheduling/fair_share.h"

namespace armada::scheduling::internal {
namespace {
const model::ResourceList kNothing;
}  // namespace

void FairnessLedger::AddQueue(const std::string& name, double weight, double usage) {
  Queue& q = queues_[name];
  q.weight = weight;
  q.usage = usage;
}

void FairnessLedger::Add(const std::string& queue, const std::string& pc,
                         const model::ResourceList& amounts) {
  Queue& q = queues_.at(queue);
  q.allocation.Add(amounts);
  q.by_class[pc].Add(amounts);
}

void FairnessLedger::Subtract(const std::string& queue, const std::string& pc,
                              const model::ResourceList& amounts) {
  Queue& q = queues_.at(queue);
  q.allocation.Subtract(amounts);
  q.by_class[pc].Subtract(amounts);
}

void FairnessLedger::SetFairShares(const std::map<std::string, double>& demand_shares) {
  double total_weight = 0;
  std::vector<double> weights;
  std::vector<double> demands;
  for (const auto& [name, q] : queues_) {
    total_weight += q.weight;
    weights.push_back(q.weight);
    auto d = demand_shares.find(name);
    demands.push_back(d == demand_shares.end() ? 0 : d->second);
  }
  const std::vector<double> adjusted = WaterFill(weights, demands);
  size_t i = 0;
  for (auto& [name, q] : queues_) {
    q.fair_share = q.weight / total_weight;
    q.adjusted_fair_share = adjusted[i++];
  }
}

double FairnessLedger::Share(const model::ResourceList& amounts) const {
  return DominantShare(amounts, total_, resources_);
}

const model::ResourceList& FairnessLedger::Allocation(const std::string& queue) const {
  auto it = queues_.find(queue);
  return it == queues_.end() ? kNothing : it->second.allocation;
}

const model::ResourceList& FairnessLedger::InClass(const std::string& queue,
                                                   const std::string& pc) const {
  auto it = queues_.find(queue);
  if (it == queues_.end()) return kNothing;
  auto c = it->second.by_class.find(pc);
  return c == it->second.by_class.end() ? kNothing : c->second;
}

double FairnessLedger::EntitledShare(const std::string& queue) const {
  const Queue& q = queues_.at(queue);
  return std::max(q.fair_share, q.adjusted_fair_share);
}

double FairnessLedger::Cost(const std::string& queue) const {
  const Queue& q = queues_.at(queue);
  return (Share(q.allocation) + q.usage) / q.weight;
}

double FairnessLedger::CostWith(const std::string& queue, const model::ResourceList& extra) const {
  const Queue& q = queues_.at(queue);
  model::ResourceList amounts = q.allocation;
  amounts.Add(extra);
  return (Share(amounts) + q.usage) / q.weight;
}

std::vector<std::string> FairnessLedger::Queues() const {
  std::vector<std::string> names;
  for (const auto& [name, q] : queues_) names.push_back(name);
  return names;
}

}  // namespace armada::scheduling::internal
