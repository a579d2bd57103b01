#include "lib/scheduling/internal/round_limits.h"

#include <cassert>
#include <set>

namespace armada::scheduling::internal {
namespace {

TokenBucket Bucket(double rate, int64_t burst, const std::optional<TokenBucketState>& state,
                   absl::Time now) {
  const double capacity = static_cast<double>(burst);
  return state ? TokenBucket(rate, capacity, *state) : TokenBucket::Full(rate, capacity, now);
}

}  // namespace

RoundLimits::RoundLimits(const FairShareConfig& config, const SchedulingSnapshot& snapshot)
    : config_(config), snapshot_(snapshot) {
  if (config.maximum_scheduling_rate > 0) {
    global_ = Bucket(config.maximum_scheduling_rate, config.maximum_scheduling_burst,
                     snapshot.rate_limits.global, snapshot.now);
  }
  if (config.maximum_fair_share_preemption_rate > 0) {
    preemption_ = Bucket(config.maximum_fair_share_preemption_rate,
                         config.maximum_fair_share_preemption_burst,
                         snapshot.rate_limits.fair_share_preemption, snapshot.now);
  }
  if (snapshot.clock != nullptr && snapshot.max_cycle_time > absl::ZeroDuration()) {
    deadline_ = snapshot.clock->Now() + snapshot.max_cycle_time;
  }
}

std::optional<std::string> RoundLimits::RoundStop() {
  if (stopped_) return stopped_;
  if (deadline_ && ++calls_ % kCheckEvery == 0 && snapshot_.clock->Now() > *deadline_) {
    stopped_ = kCycleTimeReason;
  } else if (snapshot_.max_leases > 0 && leases_ >= snapshot_.max_leases) {
    stopped_ = kMaxLeasesReason;
  } else if (global_ && global_->Available(snapshot_.now) < 1) {
    stopped_ = kGlobalRateLimitReason;
  }
  return stopped_;
}

TokenBucket& RoundLimits::QueueBucket(const std::string& queue) {
  auto it = queues_.find(queue);
  if (it != queues_.end()) return it->second;
  auto prev = snapshot_.rate_limits.queues.find(queue);
  std::optional<TokenBucketState> state;
  if (prev != snapshot_.rate_limits.queues.end()) state = prev->second;
  return queues_
      .emplace(queue, Bucket(config_.maximum_per_queue_scheduling_rate,
                             config_.maximum_per_queue_scheduling_burst, state, snapshot_.now))
      .first->second;
}

bool RoundLimits::QueueAllows(const std::string& queue) {
  if (config_.maximum_per_queue_scheduling_rate <= 0) return true;
  return QueueBucket(queue).Available(snapshot_.now) >= 1;
}

bool RoundLimits::Allows(const std::string& queue, int n) {
  if (snapshot_.max_leases > 0 && leases_ + n > snapshot_.max_leases) return false;
  if (global_ && global_->Available(snapshot_.now) < n) return false;
  if (config_.maximum_per_queue_scheduling_rate <= 0) return true;
  return QueueBucket(queue).Available(snapshot_.now) >= n;
}

void RoundLimits::OnLease(const std::string& queue) {
  ++leases_;
  if (global_) {
    [[maybe_unused]] bool ok = global_->Consume(1, snapshot_.now);
    assert(ok);
  }
  if (config_.maximum_per_queue_scheduling_rate > 0) {
    [[maybe_unused]] bool ok = QueueBucket(queue).Consume(1, snapshot_.now);
    assert(ok);
  }
}

bool RoundLimits::FairSharePreemptionAllows(int n) const {
  return !preemption_ || preemption_->Available(snapshot_.now) >= n;
}

void RoundLimits::OnFairSharePreemption(int n) {
  if (!preemption_) return;
  // Preemptions are counted after the fact (as Armada does): a gang may take more than is left,
  // which empties the bucket.
  if (!preemption_->Consume(n, snapshot_.now)) {
    preemption_->Consume(static_cast<int>(preemption_->Available(snapshot_.now)), snapshot_.now);
  }
}

RateLimitState RoundLimits::State() const {
  RateLimitState out;
  const absl::Time now = snapshot_.now;
  auto keep = [now](TokenBucket bucket) -> std::optional<TokenBucketState> {
    if (bucket.Available(now) >= bucket.capacity()) return std::nullopt;  // full = missing
    bucket.Consume(0, now);  // bring the state up to `now`
    return bucket.state();
  };
  if (global_) out.global = keep(*global_);
  if (preemption_) out.fair_share_preemption = keep(*preemption_);
  if (config_.maximum_per_queue_scheduling_rate <= 0) return out;
  std::set<std::string> names;
  for (const auto& [name, state] : snapshot_.rate_limits.queues) names.insert(name);
  for (const auto& [name, bucket] : queues_) names.insert(name);
  for (const std::string& name : names) {
    auto it = queues_.find(name);
    std::optional<TokenBucketState> state =
        it != queues_.end() ? keep(it->second)
                            : keep(Bucket(config_.maximum_per_queue_scheduling_rate,
                                          config_.maximum_per_queue_scheduling_burst,
                                          snapshot_.rate_limits.queues.at(name), now));
    if (state) out.queues.emplace(name, *state);
  }
  return out;
}

}  // namespace armada::scheduling::internal
