#pragma once

// PoolRound: one pool's part of a FairShareScheduler cycle, Armada's evict-and-reschedule
// (PreemptingQueueScheduler). Module-private; docs/scheduling.md explains the algorithm.
//
//   0. (With gang reservations) the queued gang that has waited longest gets the nodes it will fit
//      on soonest; other new jobs use them only if their runtime bound ends them before that.
//   1. Balancing eviction: every running preemptible job whose queue holds more than
//      protected_fraction_of_fair_share x max(fair share, adjusted fair share) is evicted
//      tentatively; a gang with an evicted member is evicted whole.
//   2. Evicted jobs (first within their queue, back onto their own node only) and queued jobs are
//      tried in the fair order (CandidateGangs); each new job's node comes from SelectNode (fits,
//      fair-share preemption, urgency preemption), gangs whole (PlaceGang).
//   3. Nodes left oversubscribed at some priority (by urgency preemption) have their preemptible
//      jobs at that priority evicted, gangs whole, and only those are tried again.
//   4. Evicted and not placed again = preempted (a job leased in this cycle is simply not
//      leased); a job preempted by fair share is not tried again in the same cycle.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "lib/scheduling/fair_share_config.h"
#include "lib/scheduling/internal/candidate_gangs.h"
#include "lib/scheduling/internal/fairness_ledger.h"
#include "lib/scheduling/internal/node_db.h"
#include "lib/scheduling/internal/round_limits.h"
#include "lib/scheduling/scheduler.h"

namespace armada::scheduling::internal {

// The snapshot, sorted so that nothing depends on input order.
struct SortedSnapshot {
  std::map<std::string, const model::QueueInfo*> queues;
  // By (queue, higher class priority, priority, submit_seq, id).
  std::vector<const model::QueuedJob*> jobs;
  std::map<std::string, std::vector<int>> candidates;                // queue -> indices into jobs
  std::map<std::string, std::vector<const model::NodeInfo*>> pools;  // pool -> nodes
  std::map<std::string, std::vector<const model::RunningJob*>> running;  // pool -> jobs
  std::set<std::string> indexed_labels;  // label keys some job selects on
};

struct Reason {
  UnscheduledKind kind = UnscheduledKind::kNoFit;
  std::string text;
};

// What the pools of one cycle share.
struct CycleState {
  std::vector<bool> leased;                    // by index into SortedSnapshot::jobs
  std::map<int, std::vector<Reason>> reasons;  // job index -> one reason per pool
  RoundLimits limits;
  // Gang id -> why it can never be scheduled, per pool with nodes that said so.
  std::map<std::string, std::vector<std::string>> never_fits;
  int pools_with_nodes = 0;
};

class PoolRound {
 public:
  PoolRound(const FairShareConfig& config, const SchedulingSnapshot& snapshot,
            const SortedSnapshot& sorted, std::string pool, CycleState& cycle, Decision& decision);

  void Run();

 private:
  enum class State { kQueued, kBound, kEvicted, kPreempted };
  struct Job {
    const model::QueuedJob* spec = nullptr;  // a queued job
    const model::RunningJob* run = nullptr;  // a running job
    int sorted_index = -1;                   // queued jobs: index into SortedSnapshot::jobs
    std::string pc;                          // resolved priority class
    int32_t priority = 0;
    bool preemptible = false;
    State state = State::kQueued;
    const model::NodeInfo* node = nullptr;  // where it runs (running jobs: if schedulable)
    int preempted_by = -1;                  // fair share: the job that took its place
    std::string uniformity_label, uniformity_value;
    const std::string& id() const { return spec ? spec->id : run->id; }
    const std::string& queue() const { return spec ? spec->queue : run->queue; }
    const std::string& gang_id() const { return spec ? spec->gang_id : run->gang_id; }
    const model::ResourceList& requests() const { return spec ? spec->requests : run->requests; }
  };

  // Setup.
  void AddRunningJobs(const std::vector<const model::NodeInfo*>& nodes);
  void UpdateUsage();
  void SetUpQueues();
  // A queue's demand as shares of the pool: everything it runs and queues, and that capped by its
  // class limits (what the adjusted fair share water-fills).
  struct Demand {
    double all = 0;
    double constrained = 0;
  };
  // by_class: the queue's running allocation per priority class, to which the queued jobs add.
  Demand DemandShare(const std::string& queue, const std::vector<int>& queued,
                     std::map<std::string, model::ResourceList> by_class) const;
  std::vector<Gang> QueuedGangs(const std::vector<int>& queued);
  void PlanReservation(const std::map<std::string, std::vector<Gang>>& queued_gangs);
  const std::set<const model::NodeInfo*>* HeldFrom(int job) const;
  bool WithinLimits(const Gang& gang);
  bool WithinFairShare(const Gang& gang) const;

  // Eviction.
  std::vector<int> BalancingEvictions() const;
  std::vector<int> OversubscribedEvictions() const;
  std::vector<int> Evict(const std::vector<int>& jobs);
  std::map<std::string, std::vector<Gang>> EvictedGangs(const std::vector<int>& jobs) const;
  void OrderEvicted(const std::vector<int>& evicted);

  // Scheduling passes.
  void SchedulePass(CandidateGangs& candidates);
  // Tries one gang; returns the reason the whole round (kRoundLimit) or its queue (kRateLimit)
  // must stop taking new gangs, if any.
  std::optional<Reason> TryGang(const Gang& gang);
  std::optional<Reason> CheckNewGang(const Gang& gang);
  std::vector<int> EvictedSiblings(int job) const;
  std::optional<std::string> NeverFits(const Gang& gang) const;

  // Results.
  void Finish();
  std::string PreemptionReason(const Job& victim) const;
  void AddReason(int job, Reason reason);
  void ReportShares();

  const FairShareConfig& config_;
  const SchedulingSnapshot& snapshot_;
  const SortedSnapshot& s_;
  std::string pool_;
  CycleState& cycle_;
  Decision& decision_;

  std::vector<Job> jobs_;
  std::vector<int> placed_;                               // queued jobs placed, in placement order
  std::map<std::string, std::vector<int>> gang_members_;  // gang id -> its jobs here
  std::map<std::string, std::vector<int>> queued_;        // queue -> its queued jobs
  std::map<std::string, double> usage_;                   // queue -> decayed usage in costs
  std::map<std::string, Demand> demands_;                 // queue -> its demand
  std::optional<FairnessLedger> ledger_;
  std::optional<NodeDb> db_;
  std::vector<const model::NodeInfo*> nodes_;
  model::ResourceList scheduled_;                         // new leases of this round
  std::map<std::string, Reason> infeasible_;              // scheduling key -> why
  std::optional<Reason> stopped_;                         // the round takes no new gang
  std::map<std::string, Reason> queue_stopped_;           // queue -> why it takes none
  std::map<const model::NodeInfo*, int> urgent_on_node_;  // node -> urgency-placed job
  struct Held {
    std::set<int> members;  // the reserved gang's jobs
    std::string gang_id;
    std::set<const model::NodeInfo*> nodes;
    absl::Time start;
  };
  std::optional<Held> reservation_;
};

}  // namespace armada::scheduling::internal
