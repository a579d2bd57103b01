#pragma once

// armada-server's Prometheus metrics and the gRPC interceptor that feeds the
// per-rpc ones. Names follow STYLE.md convention 20: the rpc metrics reuse
// go-grpc-prometheus' names (what Armada's server exports), the queue size
// reuses Armada's armada_queue_size, the rest are armada_server_*. The
// catalogue with labels is in docs/api.md ("Metrics").

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

  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, prometheus::Gauge*> job_gauges_
      ABSL_GUARDED_BY(mu_);
  std::map<std::string, prometheus::Gauge*> queue_gauges_ ABSL_GUARDED_BY(mu_);
  std::optional<int64_t> last_seq_ ABSL_GUARDED_BY(mu_);
};

}  // namespace armada::server
