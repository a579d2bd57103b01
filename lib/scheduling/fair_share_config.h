#pragma once

// FairShareConfig: the settings of the fair-share scheduler, with Armada's defaults.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace armada::scheduling {

// A resource that counts for dominant resource fairness. Its share of the pool is multiplied by
// `multiplier` (e.g. 2 makes a GPU-heavy queue's share count double).
struct FairnessResource {
  std::string name;
  double multiplier = 1.0;  // REQUIRES: finite and > 0
};

struct PriorityClass {
  // REQUIRES: >= 0. A job that fits nowhere may evict jobs of lower priority
  // (urgency preemption).
  int32_t priority = 0;
  // Eligible for fair-share preemption: evicted when its queue is above its
  // fair share and a queue below its share needs the room.
  bool preemptible = false;
  // Resource name -> the largest fraction of the pool total one queue may hold in this class.
  // Resources not listed are unlimited. A queue's own QueueInfo.resource_limits_by_priority_class
  // entry for this class replaces this map. REQUIRES: each fraction in [0, 1].
  std::map<std::string, double> maximum_resource_fraction_per_queue;
};

struct FairShareConfig {
  // Resources whose shares make a queue's dominant share. Default: cpu, memory,
  // nvidia.com/gpu, ephemeral-storage, multiplier 1. REQUIRES: non-empty, unique names.
  std::vector<FairnessResource> fairness_resources = {
      {"cpu", 1.0}, {"memory", 1.0}, {"nvidia.com/gpu", 1.0}, {"ephemeral-storage", 1.0}};

  // Half-life of the decayed usage that a queue's cost adds. 0 (the default) ignores history:
  // plain instantaneous DRF. docs/scheduling.md recommends 1h for the server.
  // REQUIRES: finite and >= 0.
  absl::Duration half_life = absl::ZeroDuration();

  // Pool name -> that pool's half-life, replacing `half_life` there (pools of
  // short jobs may want a shorter memory than pools of long ones).
  // REQUIRES: each finite and >= 0.
  std::map<std::string, absl::Duration> half_life_by_pool;

  // HalfLifeOf(pool): the half-life that applies in `pool`.
  absl::Duration HalfLifeOf(const std::string& pool) const {
    auto it = half_life_by_pool.find(pool);
    return it == half_life_by_pool.end() ? half_life : it->second;
  }

  // Priority classes by name. Default: Armada's armada-default (1000, non-preemptible, at most
  // all of the pool's cpu and memory per queue) and armada-preemptible (1000, preemptible).
  // REQUIRES: non-empty names.
  std::map<std::string, PriorityClass> priority_classes = {
      {"armada-default", {1000, false, {{"cpu", 1.0}, {"memory", 1.0}}}},
      {"armada-preemptible", {1000, true, {}}},
  };

  // The class of a job whose priority_class is "". REQUIRES: a key of priority_classes.
  std::string default_priority_class = "armada-default";

  // Resource name -> fraction of the pool total: once the leases of one round exceed it for
  // any listed resource, the round stops leasing in that pool. Default: no limit.
  // REQUIRES: each fraction finite and > 0.
  std::map<std::string, double> maximum_resource_fraction_to_schedule;

  // Global token bucket: leases per second over all pools, and the bucket size (the most leases
  // one cycle can make after a quiet spell). Each lease takes one token; once the bucket is empty
  // the cycle stops leasing ("global scheduling rate limit exceeded"). 0 = unlimited (the
  // default; Armada defaults to 100/s, burst 1000). REQUIRES: rate finite and >= 0; burst >= 0,
  // and >= 1 when rate > 0.
  double maximum_scheduling_rate = 0;
  int64_t maximum_scheduling_burst = 0;

  // The same per queue (one bucket per queue, shared by its pools): a queue whose bucket is empty
  // gets no more leases this cycle ("queue scheduling rate limit exceeded"); others go on.
  // 0 = unlimited (the default; Armada: 50/s, burst 1000). REQUIRES: as for the global bucket.
  double maximum_per_queue_scheduling_rate = 0;
  int64_t maximum_per_queue_scheduling_burst = 0;

  // Fair-share preemption (Armada's evict and reschedule, docs/scheduling.md): preemptible jobs
  // of queues above their protected share are evicted and put back in fair order, and what does
  // not come back is preempted. Off: nothing is evicted for balance; only urgency preempts.
  bool enable_fair_share_preemption = true;

  // A queue whose actual share is at most this fraction of max(fair share, adjusted fair share)
  // keeps its jobs (Armada's protectedFractionOfFairShare): 0 protects nobody, 1 (the default)
  // queues at or below their share. REQUIRES: finite and >= 0.
  double protected_fraction_of_fair_share = 1.0;

  // Token bucket on fair-share preemptions (jobs evicted per second, bucket
  // size), so that convergence to fair shares can be gentle. 0 = unlimited.
  // REQUIRES: rate finite and >= 0; burst >= 0, and >= 1 when rate > 0.
  double maximum_fair_share_preemption_rate = 0;
  int64_t maximum_fair_share_preemption_burst = 0;

  // Gang reservations (docs/scheduling.md, "Gang reservations"): the queued gang that has waited
  // longest in a pool gets the nodes it will fit on soonest (from the running jobs' runtime
  // bounds); other new jobs may use those nodes only if their own runtime bound ends them before
  // the gang's projected start (backfill). Off by default: on the KTH-SP2 replay it ends the
  // starvation of the widest gangs and raises utilisation, but lengthens most other waits
  // several times (docs/benchmarks.md, "Gang reservations").
  bool gang_reservations = false;
  // Pool name -> whether reservations are on there, replacing `gang_reservations`.
  std::map<std::string, bool> gang_reservations_by_pool;
  bool GangReservationsIn(const std::string& pool) const {
    auto it = gang_reservations_by_pool.find(pool);
    return it == gang_reservations_by_pool.end() ? gang_reservations : it->second;
  }

  // Validate(): OK iff every REQUIRES above holds. Otherwise kInvalidArgument naming the field,
  // e.g. `fair share config: half_life: must be >= 0, got -1s`. Cost: O(size of the config).
  absl::Status Validate() const;
};

}  // namespace armada::scheduling
