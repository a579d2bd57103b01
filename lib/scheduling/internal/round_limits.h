#pragma once

// RoundLimits: the limits that stop a FairShareScheduler cycle early, across all its pools: the
// global and per-queue token buckets, the cycle-time limit and the cap on leases per cycle.
// Module-private.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "lib/scheduling/fair_share_config.h"
#include "lib/scheduling/scheduler.h"
#include "lib/scheduling/token_bucket.h"

namespace armada::scheduling::internal {

inline constexpr char kGlobalRateLimitReason[] = "global scheduling rate limit exceeded";
inline constexpr char kQueueRateLimitReason[] = "queue scheduling rate limit exceeded";
inline constexpr char kCycleTimeReason[] = "maximum cycle time exceeded";
inline constexpr char kMaxLeasesReason[] = "maximum jobs to schedule per cycle reached";

// One cycle's limits. Buckets start from snapshot.rate_limits (missing = full) and are evaluated
// at snapshot.now, so they do not refill during the cycle. The cycle-time deadline is the clock's
// reading at construction plus snapshot.max_cycle_time; the clock is read once then and once
// every kCheckEvery calls of RoundStop. Borrows `config` and `snapshot` (and its clock). Not
// thread-safe.
class RoundLimits {
 public:
  static constexpr int kCheckEvery = 64;

  RoundLimits(const FairShareConfig& config, const SchedulingSnapshot& snapshot);

  // Why the cycle must stop leasing before the next job, or nullopt. Once it returns a reason it
  // returns that reason from then on. Call once per job considered.
  std::optional<std::string> RoundStop();

  // Whether `queue`'s bucket holds a token for one more lease.
  bool QueueAllows(const std::string& queue);

  // Whether the global and `queue`'s buckets both hold `n` tokens (a gang of n).
  bool Allows(const std::string& queue, int n);

  // Takes one global and one `queue` token for a lease. REQUIRES: RoundStop() and
  // QueueAllows(queue) allowed it.
  void OnLease(const std::string& queue);

  // Whether the fair-share preemption bucket holds `n` tokens. OnFairSharePreemption takes n
  // tokens for preemptions made (all that is left when fewer remain).
  bool FairSharePreemptionAllows(int n) const;
  void OnFairSharePreemption(int n);

  // The buckets to carry to the next cycle, full ones left out.
  RateLimitState State() const;

 private:
  TokenBucket& QueueBucket(const std::string& queue);

  const FairShareConfig& config_;
  const SchedulingSnapshot& snapshot_;
  std::optional<TokenBucket> global_;          // nullopt = unlimited
  std::optional<TokenBucket> preemption_;      // nullopt = unlimited
  std::map<std::string, TokenBucket> queues_;  // buckets touched this cycle
  std::optional<absl::Time> deadline_;         // nullopt = no cycle-time limit
  int64_t calls_ = 0;
  int64_t leases_ = 0;
  std::optional<std::string> stopped_;
};

}  // namespace armada::scheduling::internal
