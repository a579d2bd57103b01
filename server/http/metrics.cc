#include "server/http/metrics.h"

#include <algorithm>
#include <chrono>

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/interceptor.h>
#include <prometheus/text_serializer.h>

#ifndef ARMADA_VERSION
#define ARMADA_VERSION "dev"
#endif

namespace armada::server {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::ServerRpcInfo;

// go-grpc-prometheus' label values.
const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "Canceled";
    case grpc::StatusCode::UNKNOWN:
      return "Unknown";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "InvalidArgument";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DeadlineExceeded";
    case grpc::StatusCode::NOT_FOUND:
      return "NotFound";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "AlreadyExists";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PermissionDenied";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "ResourceExhausted";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FailedPrecondition";
    case grpc::StatusCode::ABORTED:
      return "Aborted";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OutOfRange";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "Unimplemented";
    case grpc::StatusCode::INTERNAL:
      return "Internal";
    case grpc::StatusCode::UNAVAILABLE:
      return "Unavailable";
    case grpc::StatusCode::DATA_LOSS:
      return "DataLoss";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "Unauthenticated";
    default:
      return "Unknown";
  }
}

const char* TypeName(ServerRpcInfo::Type type) {
  switch (type) {
    case ServerRpcInfo::Type::UNARY:
      return "unary";
    case ServerRpcInfo::Type::CLIENT_STREAMING:
      return "client_stream";
    case ServerRpcInfo::Type::SERVER_STREAMING:
      return "server_stream";
    case ServerRpcInfo::Type::BIDI_STREAMING:
      return "bidi_stream";
    default:
      return "unknown";
  }
}

// Times one rpc from its creation to the status it sends; an rpc that ends
// without sending one (the client went away) counts as Canceled.
class RpcInterceptor final : public grpc::experimental::Interceptor {
 public:
  RpcInterceptor(ServerMetrics& metrics, ServerRpcInfo& info)
      : metrics_(metrics),
        method_(info.method()),
        type_(info.type()),
        start_(std::chrono::steady_clock::now()) {}

  ~RpcInterceptor() override {
    if (!recorded_) Record(grpc::StatusCode::CANCELLED);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (!recorded_ &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      Record(methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  void Record(grpc::StatusCode code) {
    recorded_ = true;
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
    metrics_.RecordRpc(method_, type_, code, elapsed.count());
  }

  ServerMetrics& metrics_;
  const std::string method_;
  const ServerRpcInfo::Type type_;
  const std::chrono::steady_clock::time_point start_;
  bool recorded_ = false;
};

class RpcInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RpcInterceptorFactory(ServerMetrics& metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(ServerRpcInfo* info) override {
    return new RpcInterceptor(metrics_, *info);
  }

 private:
  ServerMetrics& metrics_;
};

// `count` bounds from `start`, each `factor` times the last (Prometheus' ExponentialBuckets).
prometheus::Histogram::BucketBoundaries ExponentialBuckets(double start, double factor, int count) {
  prometheus::Histogram::BucketBoundaries bounds;
  for (double bound = start; static_cast<int>(bounds.size()) < count; bound *= factor) {
    bounds.push_back(bound);
  }
  return bounds;
}

}  // namespace

ServerMetrics::ServerMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      rpcs_handled_(prometheus::BuildCounter()
                        .Name("grpc_server_handled_total")
                        .Help("RPCs completed on the server, by method and status code.")
                        .Register(*registry_)),
      rpc_seconds_(prometheus::BuildHistogram()
                       .Name("grpc_server_handling_seconds")
                       .Help("Time from an RPC's start to its status, in seconds.")
                       .Register(*registry_)),
      jobs_(prometheus::BuildGauge()
                .Name("armada_server_jobs")
                .Help("Unfinished jobs by queue and state (refreshed from the database every few "
                      "seconds).")
                .Register(*registry_)),
      queue_size_(prometheus::BuildGauge()
                      .Name("armada_queue_size")
                      .Help("Queued jobs per queue (as Armada's metric of the same name).")
                      .Register(*registry_)),
      events_logged_(prometheus::BuildCounter()
                         .Name("armada_server_events_logged_total")
                         .Help("Job events written to the event log (event_seq.last).")
                         .Register(*registry_)
                         .Add({})),
      relay_lag_(prometheus::BuildGauge()
                     .Name("armada_server_event_relay_lag_events")
                     .Help("Logged events the relay has not yet published to Redis.")
                     .Register(*registry_)
                     .Add({})),
      cycle_ms_(prometheus::BuildHistogram()
                    .Name("armada_scheduler_schedule_cycle_times")
                    .Help("Wall time of the leader's scheduling cycles, in milliseconds "
                          "(Armada's metric of the same name).")
                    .Register(*registry_)
                    .Add({}, ExponentialBuckets(10, 1.1, 110))),
      cycle_phase_seconds_(prometheus::BuildHistogram()
                               .Name("armada_server_scheduler_cycle_phase_seconds")
                               .Help("Wall time of each phase of the leader's scheduling cycles.")
                               .Register(*registry_)),
      cycle_outcome_(prometheus::BuildCounter()
                         .Name("armada_scheduler_schedule_outcome")
                         .Help("Scheduling cycles by outcome (success or failure).")
                         .Register(*registry_)),
      leased_jobs_(prometheus::BuildCounter()
                       .Name("armada_server_scheduler_leased_jobs_total")
                       .Help("Leases the scheduler wrote.")
                       .Register(*registry_)
                       .Add({})),
      preempted_jobs_(prometheus::BuildCounter()
                          .Name("armada_server_scheduler_preempted_jobs_total")
                          .Help("Preemptions the scheduler decided.")
                          .Register(*registry_)
                          .Add({})),
      considered_jobs_(prometheus::BuildGauge()
                           .Name("armada_server_scheduler_considered_jobs")
                           .Help("Queued jobs the last scheduling cycle considered.")
                           .Register(*registry_)
                           .Add({})),
      unschedulable_jobs_(prometheus::BuildGauge()
                              .Name("armada_server_scheduler_unschedulable_jobs")
                              .Help("Jobs the last scheduling cycle left queued, by reason.")
                              .Register(*registry_)),
      is_leader_(prometheus::BuildGauge()
                     .Name("armada_server_is_leader")
                     .Help("1 on the replica that holds the scheduling leader lock, else 0.")
                     .Register(*registry_)
                     .Add({})),
      submit_to_lease_seconds_(
          prometheus::BuildHistogram()
              .Name("armada_server_scheduler_submit_to_lease_seconds")
              .Help("Time from a job's submission to each lease the scheduler wrote for it, by "
                    "queue and pool.")
              .Register(*registry_)),
      executor_last_seen_(prometheus::BuildGauge()
                              .Name("armada_server_executor_last_seen_timestamp_seconds")
                              .Help("When each executor last called the server (Unix time).")
                              .Register(*registry_)),
      storage_(*registry_) {
  // Armada's per-cycle share metrics, same names and labels (pool, queue).
  const std::pair<const char*, const char*> shares[kShareGauges] = {
      {"armada_scheduler_fair_share", "Fair share of each active queue per pool, last cycle."},
      {"armada_scheduler_adjusted_fair_share",
       "Demand-capped fair share of each active queue per pool."},
      {"armada_scheduler_actual_share", "Dominant share each active queue holds per pool."},
      {"armada_server_scheduler_decayed_usage",
       "Each active queue's decayed usage per pool (fair share over time)."},
      {"armada_scheduler_demand",
       "Dominant share of all each active queue runs and queues per pool (may exceed 1)."},
      {"armada_scheduler_constrained_demand",
       "Demand capped by the queue's priority-class limits, what the adjusted fair share "
       "divides."},
  };
  for (size_t i = 0; i < kShareGauges; ++i) {
    share_families_[i] =
        &prometheus::BuildGauge().Name(shares[i].first).Help(shares[i].second).Register(*registry_);
  }
  prometheus::BuildGauge()
      .Name("armada_server_build_info")
      .Help("Always 1; the labels describe the running build.")
      .Register(*registry_)
      .Add({{"version", ARMADA_VERSION}, {"grpc_version", grpc::Version()}})
      .Set(1);
}

std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
ServerMetrics::InterceptorFactories() {
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<RpcInterceptorFactory>(*this));
  return factories;
}

void ServerMetrics::RecordRpc(const std::string& full_method, ServerRpcInfo::Type type,
                              grpc::StatusCode code, double seconds) {
  // "/api.Submit/SubmitJobs" -> service "api.Submit", method "SubmitJobs".
  const size_t slash = full_method.rfind('/');
  std::string service = slash == std::string::npos ? "" : full_method.substr(1, slash - 1);
  std::string method = slash == std::string::npos ? full_method : full_method.substr(slash + 1);
  prometheus::Labels labels = {
      {"grpc_service", service}, {"grpc_method", method}, {"grpc_type", TypeName(type)}};
  rpc_seconds_
      .Add(labels, prometheus::Histogram::BucketBoundaries{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                           1, 2.5, 5, 10})
      .Observe(seconds);
  labels["grpc_code"] = CodeName(code);
  rpcs_handled_.Add(labels).Increment();
}

void ServerMetrics::SetJobCounts(const std::vector<JobCount>& counts) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::pair<std::string, std::string>, prometheus::Gauge*> jobs;
  std::map<std::string, prometheus::Gauge*> queued;
  for (const JobCount& count : counts) {
    auto key = std::make_pair(count.queue, count.state);
    auto it = job_gauges_.find(key);
    prometheus::Gauge* gauge = it != job_gauges_.end()
                                   ? it->second
                                   : &jobs_.Add({{"queue", count.queue}, {"state", count.state}});
    gauge->Set(static_cast<double>(count.count));
    jobs[key] = gauge;
    if (count.state != "queued") continue;
    auto q = queue_gauges_.find(count.queue);
    prometheus::Gauge* size =
        q != queue_gauges_.end() ? q->second : &queue_size_.Add({{"queueName", count.queue}});
    size->Set(static_cast<double>(count.count));
    queued[count.queue] = size;
  }
  for (auto& [key, gauge] : job_gauges_) {
    if (!jobs.count(key)) jobs_.Remove(gauge);
  }
  for (auto& [queue, gauge] : queue_gauges_) {
    if (!queued.count(queue)) queue_size_.Remove(gauge);
  }
  job_gauges_ = std::move(jobs);
  queue_gauges_ = std::move(queued);
}

void ServerMetrics::SetEventLog(int64_t last_seq, std::optional<int64_t> relay_cursor) {
  std::lock_guard<std::mutex> lock(mu_);
  // The counter starts at the log's size and then follows it; a log that
  // shrank (database replaced) is not an increase.
  const int64_t increase = last_seq - last_seq_.value_or(0);
  if (increase > 0) events_logged_.Increment(static_cast<double>(increase));
  last_seq_ = last_seq;
  if (relay_cursor)
    relay_lag_.Set(static_cast<double>(std::max<int64_t>(0, last_seq - *relay_cursor)));
}

void ServerMetrics::RecordCycle(const CycleStats& stats) {
  cycle_ms_.Observe(stats.total_seconds * 1e3);
  const prometheus::Histogram::BucketBoundaries phase_buckets{0.001, 0.005, 0.01, 0.05, 0.1, 0.25,
                                                              0.5,   1,     2.5,  5,    10};
  for (const auto& [phase, seconds] :
       {std::pair{"expire", stats.expire_seconds}, std::pair{"sync", stats.sync_seconds},
        std::pair{"tables", stats.tables_seconds}, std::pair{"schedule", stats.schedule_seconds},
        std::pair{"report", stats.report_seconds}, std::pair{"write", stats.write_seconds}}) {
    cycle_phase_seconds_.Add({{"phase", phase}}, phase_buckets).Observe(seconds);
  }
  cycle_outcome_.Add({{"outcome", stats.ok ? "success" : "failure"}}).Increment();
  leased_jobs_.Increment(static_cast<double>(stats.leased));
  preempted_jobs_.Increment(static_cast<double>(stats.preempted));
  RecordLeaseWaits(stats.lease_waits);
  if (!stats.ok && stats.shares.empty()) return;  // failed before scheduling: keep the last
  considered_jobs_.Set(static_cast<double>(stats.queued));
  for (const auto& [reason, count] : stats.unscheduled) {
    unschedulable_jobs_.Add({{"reason", reason}}).Set(static_cast<double>(count));
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::pair<std::string, std::string>, ShareGauges> current;
  for (const scheduling::QueueShare& share : stats.shares) {
    auto key = std::make_pair(share.pool, share.queue);
    auto it = share_gauges_.find(key);
    ShareGauges gauges{};
    if (it != share_gauges_.end()) {
      gauges = it->second;
      share_gauges_.erase(it);
    } else {
      const prometheus::Labels labels{{"pool", share.pool}, {"queue", share.queue}};
      for (size_t i = 0; i < kShareGauges; ++i) gauges[i] = &share_families_[i]->Add(labels);
    }
    const double values[kShareGauges] = {share.fair_share,   share.adjusted_fair_share,
                                         share.actual_share, share.decayed_usage,
                                         share.demand,       share.constrained_demand};
    for (size_t i = 0; i < kShareGauges; ++i) gauges[i]->Set(values[i]);
    current[key] = gauges;
  }
  ClearShares();  // what is left went idle
  share_gauges_ = std::move(current);
}

void ServerMetrics::RecordLeaseWaits(const std::vector<CycleStats::LeaseWait>& waits) {
  // 50 ms to 30 hours, each bucket half again the last: quantiles to within a quarter.
  static const prometheus::Histogram::BucketBoundaries kBuckets = ExponentialBuckets(0.05, 1.5, 37);
  std::map<std::pair<std::string, std::string>, prometheus::Histogram*> histograms;
  for (const CycleStats::LeaseWait& wait : waits) {
    prometheus::Histogram*& histogram = histograms[{wait.queue, wait.pool}];
    if (histogram == nullptr) {
      histogram =
          &submit_to_lease_seconds_.Add({{"queue", wait.queue}, {"pool", wait.pool}}, kBuckets);
    }
    histogram->Observe(wait.seconds);
  }
}

void ServerMetrics::ClearShares() {
  for (auto& [key, gauges] : share_gauges_) {
    for (size_t i = 0; i < kShareGauges; ++i) share_families_[i]->Remove(gauges[i]);
  }
  share_gauges_.clear();
}

void ServerMetrics::SetLeader(bool leader) {
  is_leader_.Set(leader ? 1 : 0);
  if (leader) return;
  std::lock_guard<std::mutex> lock(mu_);
  ClearShares();
}

void ServerMetrics::SetExecutorsLastSeen(const std::map<std::string, double>& last_seen) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, prometheus::Gauge*> current;
  for (const auto& [executor, seconds] : last_seen) {
    auto it = executor_gauges_.find(executor);
    prometheus::Gauge* gauge = nullptr;
    if (it != executor_gauges_.end()) {
      gauge = it->second;
      executor_gauges_.erase(it);
    } else {
      gauge = &executor_last_seen_.Add({{"executor", executor}});
    }
    gauge->Set(seconds);
    current[executor] = gauge;
  }
  for (auto& [executor, gauge] : executor_gauges_) executor_last_seen_.Remove(gauge);
  executor_gauges_ = std::move(current);
}

std::string ServerMetrics::Serialize() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace armada::server
