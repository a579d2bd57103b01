#pragma once

// CandidateGangs: the order in which a pool's round tries gangs, as Armada's
// CostBasedCandidateGangIterator gives it. Module-private.
//
// Each queue offers its gangs in its own order (evicted gangs first, then queued ones; the
// caller orders them). Across queues the next gang comes from the queue whose head gang has,
// in order: the higher priority; the lower cost counting that gang (FairnessLedger::CostWith,
// read when the queue's head changes, so call Next() after the ledger has been updated); the
// smaller name. A single job is a gang of one.
//
// Only-evicted mode (the whole round, or one queue) offers only evicted gangs; since they come
// first in each queue, the rest of the queue waits until ResumeNew(). Not thread-safe.

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "lib/model/resource_list.h"

namespace armada::scheduling::internal {

struct Gang {
  std::string queue;
  std::vector<int> members;  // the caller's job handles
  bool evicted = false;      // every member is an evicted running job
  int32_t priority = 0;      // the lowest priority among its members
  model::ResourceList total;
};

class CandidateGangs {
 public:
  using CostFn =
      std::function<double(const std::string& queue, const model::ResourceList& with_gang)>;

  // gangs: per queue, in the queue's order. Borrows nothing.
  CandidateGangs(std::map<std::string, std::vector<Gang>> gangs, CostFn cost);

  // The next gang, or nullptr when none is left. Stays the same until Next().
  const Gang* Peek() const;
  // Done with the peeked gang (scheduled or not): its queue's next gang is queued, costed now.
  void Next();

  void OnlyEvicted();
  void OnlyEvictedFor(const std::string& queue);
  void ResumeNew();  // undoes OnlyEvicted (not OnlyEvictedFor)
  bool only_evicted() const { return only_evicted_; }

  // The gangs of `queue` not offered yet (for reporting why they were not tried).
  std::vector<const Gang*> Remaining(const std::string& queue) const;

 private:
  struct Queue {
    std::vector<Gang> gangs;
    size_t next = 0;
    bool only_evicted = false;
  };
  using Key = std::tuple<int64_t, double, std::string>;  // (-priority, cost, queue)

  void Push(const std::string& queue);
  bool Offers(const Queue& q) const;

  std::map<std::string, Queue> queues_;
  CostFn cost_;
  std::set<Key> heap_;
  bool only_evicted_ = false;
};

}  // namespace armada::scheduling::internal
