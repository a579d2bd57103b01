#pragma once

// FairnessLedger: one pool's fairness bookkeeping during a round: what each queue holds (in all
// and per priority class), its decayed usage, weight, fair share and demand-capped (adjusted)
// fair share, and the costs that order the queues. Module-private.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "lib/model/resource_list.h"
#include "lib/scheduling/fair_share_config.h"

namespace armada::scheduling::internal {

// Shares are dominant resource shares of the pool total (DominantShare); a queue's cost is
//   (share of its allocation + decayed usage) / weight.
// Queues must be added (AddQueue) before their allocation is touched. Not thread-safe.
class FairnessLedger {
 public:
  FairnessLedger(model::ResourceList total, const std::vector<FairnessResource>& resources)
      : total_(std::move(total)), resources_(resources) {}

  // AddQueue(name, weight, usage): a queue of the pool. REQUIRES: weight > 0.
  void AddQueue(const std::string& name, double weight, double usage);
  bool HasQueue(const std::string& name) const { return queues_.contains(name); }

  void Add(const std::string& queue, const std::string& pc, const model::ResourceList& amounts);
  void Subtract(const std::string& queue, const std::string& pc,
                const model::ResourceList& amounts);

  // SetFairShares(demands): fair share = weight / sum of weights; adjusted fair share by
  // water-filling the pool among the queues' demand shares (missing = 0).
  void SetFairShares(const std::map<std::string, double>& demand_shares);

  const model::ResourceList& total() const { return total_; }
  double Share(const model::ResourceList& amounts) const;
  const model::ResourceList& Allocation(const std::string& queue) const;
  const model::ResourceList& InClass(const std::string& queue, const std::string& pc) const;
  double ActualShare(const std::string& queue) const { return Share(Allocation(queue)); }
  double Weight(const std::string& queue) const { return queues_.at(queue).weight; }
  double Usage(const std::string& queue) const { return queues_.at(queue).usage; }
  double FairShare(const std::string& queue) const { return queues_.at(queue).fair_share; }
  double AdjustedFairShare(const std::string& queue) const {
    return queues_.at(queue).adjusted_fair_share;
  }
  // What the protected fraction is measured against: max(fair share, adjusted fair share).
  double EntitledShare(const std::string& queue) const;

  double Cost(const std::string& queue) const;
  // The cost `queue` would have holding `extra` more.
  double CostWith(const std::string& queue, const model::ResourceList& extra) const;

  // Queue names in order.
  std::vector<std::string> Queues() const;

 private:
  struct Queue {
    double weight = 1;
    double usage = 0;
    double fair_share = 0;
    double adjusted_fair_share = 0;
    model::ResourceList allocation;
    std::map<std::string, model::ResourceList> by_class;
  };

  model::ResourceList total_;
  const std::vector<FairnessResource>& resources_;
  std::map<std::string, Queue> queues_;
};

}  // namespace armada::scheduling::internal
