#pragma once

// armada-server's Prometheus metrics and the gRPC interceptor that feeds the
// per-rpc ones. Names follow STYLE.md convention 20: the rpc metrics reuse
// go-grpc-prometheus' names (what Armada's server exports), the queue size and
// the scheduler's cycle time, outcome, shares and demand reuse Armada's names
// (armada_queue_size, armada_scheduler_*), the rest are armada_server_*. The
// catalogue with labels is in docs/api.md ("Metrics").

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/support/server_interceptor.h>
#include <grpcpp/support/status.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "absl/base/thread_annotations.h"
#include "server/http/storage_metrics.h"
#include "server/scheduler/scheduler_loop.h"

namespace armada::server {

class ServerMetrics {
 public:
  struct JobCount {
    std::string queue;
    std::string state;  // jobs.state: "queued", "running", ...
    int64_t count = 0;
  };

  // Registers every metric; the build info gauge is set at once.
  ServerMetrics();

  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;

  // Interceptor factories for ServerBuilder::experimental()
  // .SetInterceptorCreators: every rpc the server finishes (including calls
  // through the in-process channel) is counted by method and status code and
  // its duration observed. The factories borrow this object, which must
  // outlive the server.
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
  InterceptorFactories();

  // Counts one finished rpc. `full_method` is "/api.Submit/SubmitJobs".
  void RecordRpc(const std::string& full_method, grpc::experimental::ServerRpcInfo::Type type,
                 grpc::StatusCode code, double seconds);

  // Replaces the jobs-by-queue-and-state gauges with `counts`; pairs absent
  // from `counts` disappear from the exposition.
  void SetJobCounts(const std::vector<JobCount>& counts);

  // The event log's last sequence number, and the relay's cursor when known
  // (nullopt: Redis did not answer, the lag keeps its last value).
  void SetEventLog(int64_t last_seq, std::optional<int64_t> relay_cursor);

  // One scheduling cycle of this replica as leader: cycle and phase times, outcome, jobs
  // considered, leased, preempted and left queued by reason, and each active queue's shares
  // per pool.
  void RecordCycle(const CycleStats& stats);

  // Whether this replica is the scheduling leader; a replica that is not drops its share
  // gauges (the leader's are the current ones).
  void SetLeader(bool leader);

  // When each executor last called (executors.last_seen), as Unix seconds; executors absent
  // from `last_seen` disappear from the exposition.
  void SetExecutorsLastSeen(const std::map<std::string, double>& last_seen);

  // Retention, the database pool and the refresher's cost, in this registry.
  StorageMetrics& storage() { return storage_; }

  // The text exposition format (version 0.0.4) of every metric. Thread-safe,
  // like every method here.
  std::string Serialize() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& rpcs_handled_;
  prometheus::Family<prometheus::Histogram>& rpc_seconds_;
  prometheus::Family<prometheus::Gauge>& jobs_;
  prometheus::Family<prometheus::Gauge>& queue_size_;
  prometheus::Counter& events_logged_;
  prometheus::Gauge& relay_lag_;
  prometheus::Histogram& cycle_ms_;
  prometheus::Family<prometheus::Histogram>& cycle_phase_seconds_;
  prometheus::Family<prometheus::Counter>& cycle_outcome_;
  prometheus::Counter& leased_jobs_;
  prometheus::Counter& preempted_jobs_;
  prometheus::Gauge& considered_jobs_;
  prometheus::Family<prometheus::Gauge>& unschedulable_jobs_;
  prometheus::Gauge& is_leader_;
  prometheus::Family<prometheus::Histogram>& submit_to_lease_seconds_;
  prometheus::Family<prometheus::Gauge>& executor_last_seen_;
  // The per-(pool, queue) gauges of QueueShare: fair share, adjusted fair share, actual share,
  // decayed usage, demand, constrained demand.
  static constexpr size_t kShareGauges = 6;
  std::array<prometheus::Family<prometheus::Gauge>*, kShareGauges> share_families_{};
  StorageMetrics storage_;

  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, prometheus::Gauge*> job_gauges_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, prometheus::Gauge*> queue_gauges_ ABSL_GUARDED_BY(mu_);
  std::optional<int64_t> last_seq_ ABSL_GUARDED_BY(mu_);
  // The share gauges of the last cycle, by (pool, queue), to remove queues that went idle.
  using ShareGauges = std::array<prometheus::Gauge*, kShareGauges>;
  std::map<std::pair<std::string, std::string>, ShareGauges> share_gauges_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, prometheus::Gauge*> executor_gauges_ ABSL_GUARDED_BY(mu_);
  // Observes each lease's submit-to-lease time.
  void RecordLeaseWaits(const std::vector<CycleStats::LeaseWait>& waits);
  // Removes every share gauge.
  void ClearShares() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
};

}  // namespace armada::server
