#pragma once

// The scheduling algorithm's contract. Implementations are pure and
// deterministic: the same snapshot gives the same decision, with no I/O,
// logging or clock of their own. The one exception is the cycle-time limit: a
// snapshot with a `clock` and a non-zero `max_cycle_time` reads that clock, so
// the same snapshot gives the same decision only without such a limit, or with
// one that is not reached.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "lib/common/clock.h"
#include "lib/model/scheduling_types.h"
#include "lib/scheduling/token_bucket.h"

namespace armada::scheduling {

// The token buckets of the scheduling rate limits (FairShareConfig::maximum_*scheduling_rate),
// carried from one cycle to the next like the decayed usage. A missing bucket is a full one, so
// an empty state (the first cycle, a new leader) allows a full burst.
struct RateLimitState {
  std::optional<TokenBucketState> global;                 // nullopt = full
  std::map<std::string, TokenBucketState> queues;         // queue -> bucket; missing = full
  std::optional<TokenBucketState> fair_share_preemption;  // nullopt = full
  friend bool operator==(const RateLimitState&, const RateLimitState&) = default;
};

struct SchedulingSnapshot {
  std::vector<model::QueueInfo> queues;
  std::vector<model::QueuedJob> jobs;  // any order; the scheduler orders them
  std::vector<model::NodeInfo> nodes;
  absl::Time now;
  // Jobs holding a lease; their requests count on their node and for their queue's share, in
  // every scheduler (FifoScheduler too). NodeInfo.allocated must not repeat them.
  std::vector<model::RunningJob> running;
  // Decayed usage per (pool, queue) from the previous decision; missing = no history.
  std::map<model::PoolQueue, model::QueueUsage> usage;
  // The rate-limit buckets from the previous decision; empty = all full.
  RateLimitState rate_limits;
  // Cycle-time limit: once `clock` reads later than its reading at the start of Schedule plus
  // `max_cycle_time`, the round stops leasing. nullptr or a zero duration = no limit. Borrowed:
  // must outlive the Schedule call. Set by the server only: with it, decisions depend on timing.
  // FifoScheduler ignores rate_limits, clock and max_cycle_time.
  const common::Clock* clock = nullptr;
  absl::Duration max_cycle_time = absl::ZeroDuration();
  // The cycle leases at most this many jobs (a gang counts whole; Armada's
  // maximumJobsToSchedule); 0 = no limit. FifoScheduler ignores it.
  int64_t max_leases = 0;
};

struct Lease {
  std::string job_id;
  std::string queue;
  std::string executor;
  std::string node;
  std::string pool;
  // For a member of a gang with a node uniformity label: the label and the
  // value all its members' nodes share.
  std::string gang_uniformity_label;
  std::string gang_uniformity_value;
};

// What kind of obstacle kept a job queued: reports pick what to add by it (a per-node
// breakdown helps with kNoFit only).
enum class UnscheduledKind {
  kNoFit,           // no node matches it, or none has room even with preemption
  kGang,            // its gang cannot be placed whole
  kIncompleteGang,  // fewer members of its gang are queued than its cardinality
  kQueueLimit,      // its queue's limit for its priority class
  kRateLimit,       // a scheduling rate limit (global, per queue, or not enough tokens for a gang)
  kRoundLimit,      // the cycle stopped: cycle time, jobs per cycle, fraction of the pool per cycle
  kQueue,           // its queue does not exist or is cordoned, or its priority class is unknown
  kDisplaced,       // placed, then displaced in the same cycle by a job of a higher priority
};

inline constexpr UnscheduledKind kUnscheduledKinds[] = {
    UnscheduledKind::kNoFit,      UnscheduledKind::kGang,      UnscheduledKind::kIncompleteGang,
    UnscheduledKind::kQueueLimit, UnscheduledKind::kRateLimit, UnscheduledKind::kRoundLimit,
    UnscheduledKind::kQueue,      UnscheduledKind::kDisplaced};

// The kind's name in metrics: "no_fit", "gang", "incomplete_gang", "queue_limit",
// "rate_limit", "round_limit", "queue", "displaced".
inline const char* UnscheduledKindName(UnscheduledKind kind) {
  switch (kind) {
    case UnscheduledKind::kNoFit:
      return "no_fit";
    case UnscheduledKind::kGang:
      return "gang";
    case UnscheduledKind::kIncompleteGang:
      return "incomplete_gang";
    case UnscheduledKind::kQueueLimit:
      return "queue_limit";
    case UnscheduledKind::kRateLimit:
      return "rate_limit";
    case UnscheduledKind::kRoundLimit:
      return "round_limit";
    case UnscheduledKind::kQueue:
      return "queue";
    case UnscheduledKind::kDisplaced:
      return "displaced";
  }
  return "unknown";
}

// Why a job stayed queued this cycle, for reports and "why is my job pending".
struct Unscheduled {
  std::string job_id;
  std::string reason;
  UnscheduledKind kind = UnscheduledKind::kNoFit;
};

// Whether a job kept queued for `kind` is explained by which nodes fit it.
inline bool NeedsNodeBreakdown(UnscheduledKind kind) {
  return kind == UnscheduledKind::kNoFit || kind == UnscheduledKind::kGang;
}

// A queue's standing in one pool, for reports and metrics. Shares are fractions of the pool
// (dominant resource share); cost = (actual_share + decayed usage) / weight.
struct QueueShare {
  std::string pool;
  std::string queue;
  double weight = 1;               // 1 / priority_factor
  double fair_share = 0;           // weight / sum of weights of active queues
  double adjusted_fair_share = 0;  // demand-capped, water-filled fair share
  double actual_share = 0;         // dominant share of its allocation after this round
  double decayed_usage = 0;        // the updated usage (0 when the half-life is 0)
  double cost = 0;                 // after this round
  double demand = 0;               // dominant share of all it runs and queues (may exceed 1)
  double constrained_demand = 0;   // that capped by its class limits, at most 1
};

// A running job evicted to make room: by a job of higher priority (urgency) or
// of a queue below its fair share (fair share), or whole with its gang.
struct Preemption {
  std::string job_id;
  std::string queue;
  std::string executor;
  std::string node;
  std::string pool;
  std::string preempting_job_id;  // the job it made room for
  std::string reason;             // e.g. "urgency: priority 2000 over 1000"
};

// The nodes held for a gang that has waited longest, until it can start.
struct GangReservation {
  std::string pool;
  std::string gang_id;
  std::string queue;
  std::vector<std::string> nodes;  // names, sorted
  absl::Time start;                // projected: when the nodes will have room for the gang
};

struct Decision {
  std::vector<Lease> leases;
  // Running jobs to evict; every one of them makes room for a lease of this decision.
  std::vector<Preemption> preemptions;
  std::vector<Unscheduled> unscheduled;
  // Jobs that can never be scheduled as they are (a gang larger than any pool
  // can hold): the server fails them with the reason instead of letting them
  // wait forever. Not repeated in `unscheduled`.
  std::vector<Unscheduled> rejected;
  // Active queues of every pool, sorted by (pool, queue). Empty for FifoScheduler.
  std::vector<QueueShare> shares;
  // The updated decayed usage: one entry per pool and queue (persist, feed back next cycle).
  std::map<model::PoolQueue, model::QueueUsage> usage;
  // The updated rate-limit buckets (feed back as the next snapshot's rate_limits). Buckets that
  // are full are left out. Empty for FifoScheduler.
  RateLimitState rate_limits;
  // Gang reservations made this cycle (informational: the next cycle plans its own).
  std::vector<GangReservation> reservations;
  // With the same snapshot contents apart from `now`, the decision may change once `now`
  // reaches this time (a reserved gang's projected start moves when a running job's runtime
  // bound passes). InfiniteFuture: only a change of the other inputs can change it. A simulator
  // may skip cycles until the next event or this time.
  absl::Time revisit_at = absl::InfiniteFuture();
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;

  // Decides which queued jobs to lease onto which nodes. Leases never exceed a
  // node's allocatable resources given what is already allocated there.
  virtual Decision Schedule(const SchedulingSnapshot& snapshot) const = 0;
};

}  // namespace armada::scheduling
