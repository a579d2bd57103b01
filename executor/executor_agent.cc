#include "executor/executor_agent.h"

#include <algorithm>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "executor/lease_conversion.h"
#include "lib/common/status_macros.h"
#include "lib/common/utf8.h"
#include "lib/model/resource_quantity.h"
#include "spdlog/spdlog.h"

namespace armada::executor {
namespace {

constexpr auto kCallTimeout = std::chrono::seconds(10);

void SetTime(google::protobuf::Timestamp* ts, absl::Time t) {
  if (t == absl::UnixEpoch() || t == absl::InfinitePast()) t = absl::Now();
  const int64_t micros = absl::ToUnixMicros(t);
  ts->set_seconds(micros / 1000000);
  ts->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
}

std::unique_ptr<grpc::ClientContext> ContextWithDeadline() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + kCallTimeout);
  return context;
}

absl::Status FromGrpc(const grpc::Status& status, const std::string& what) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      what + ": " + status.error_message());
}

// Kubernetes' container termination reason for a cause, as the server reads it.
const char* ContainerReason(FailureCause cause) {
  switch (cause) {
    case FailureCause::kOom:
      return "OOMKilled";
    case FailureCause::kEvicted:
      return "Evicted";
    case FailureCause::kDeadlineExceeded:
      return "DeadlineExceeded";
    default:
      return "Error";
  }
}

// Every string of a report is made valid UTF-8: the report is proto3, whose
// strings the server refuses to parse otherwise, and a reason is whatever a
// backend saw (a path from the job's spec, a process's output, an API error).
// One unparsable event would fail its whole batch on every retry.
using common::SanitizeUtf8;

// `bare`: the reason is left out (for an event the server refused as it was).
executorapi::RunEvent ToProto(const ReportEvent& raw, bool bare = false) {
  ReportEvent e = raw;
  if (bare) e.update.reason = "(reason withheld: the server refused the full report)";
  e.run_id = SanitizeUtf8(e.run_id);
  e.job_id = SanitizeUtf8(e.job_id);
  e.node_name = SanitizeUtf8(e.node_name);
  e.container_name = SanitizeUtf8(e.container_name);
  e.update.reason = SanitizeUtf8(e.update.reason);
  executorapi::RunEvent event;
  event.set_run_id(e.run_id);
  event.set_job_id(e.job_id);
  SetTime(event.mutable_created(), e.update.time);
  const std::string pod = absl::StrCat("armada-", e.job_id, "-0");
  switch (e.update.phase) {
    case RunPhase::kPending:
      event.mutable_pending()->set_node_name(e.node_name);
      event.mutable_pending()->set_pod_name(pod);
      break;
    case RunPhase::kRunning:
      event.mutable_running()->set_node_name(e.node_name);
      event.mutable_running()->set_pod_name(pod);
      break;
    case RunPhase::kSucceeded:
      event.mutable_succeeded()->set_node_name(e.node_name);
      event.mutable_succeeded()->set_pod_name(pod);
      break;
    case RunPhase::kReturned:
      event.mutable_lease_returned()->set_reason(e.update.reason);
      event.mutable_lease_returned()->set_run_attempted(e.update.run_attempted);
      break;
    case RunPhase::kFailed:
    default: {
      auto* failed = event.mutable_failed();
      failed->set_node_name(e.node_name);
      failed->set_pod_name(pod);
      failed->set_reason(e.update.reason);
      failed->set_cancelled(e.update.cancelled);
      auto* container = failed->add_containers();
      container->set_name(e.container_name);
      container->set_exit_code(e.update.exit_code);
      container->set_reason(ContainerReason(e.update.cause));
      container->set_message(e.update.reason);
      break;
    }
  }
  return event;
}

api::JobState ToJobState(RunTracker::State state) {
  switch (state) {
    case RunTracker::State::kPending:
      return api::PENDING;
    case RunTracker::State::kRunning:
      return api::RUNNING;
    case RunTracker::State::kSucceeded:
      return api::SUCCEEDED;
    case RunTracker::State::kFailed:
      return api::FAILED;
    default:
      return api::LEASED;
  }
}

void SetQuantities(
    const model::ResourceList& resources,
    google::protobuf::Map<std::string, k8s::io::apimachinery::pkg::api::resource::Quantity>* out) {
  for (const auto& [name, milli] : resources.entries()) {
    (*out)[name].set_string(model::FormatQuantity(milli));
  }
}

}  // namespace

ExecutorAgent::ExecutorAgent(const ExecutorConfig& config, Backend& backend,
                             std::shared_ptr<grpc::Channel> channel)
    : config_(config), backend_(backend), stub_(executorapi::ExecutorApi::NewStub(channel)) {}

bool ExecutorAgent::OwnsNode(const std::string& node) const {
  return config_.mode != "node" || node == config_.node_name;
}

absl::Status ExecutorAgent::PollBackend() {
  if (!recovered_) {
    absl::StatusOr<std::vector<ExistingRun>> existing = backend_.Recover();
    if (!existing.ok()) {
      return absl::Status(existing.status().code(),
                          absl::StrCat("recover runs: ", existing.status().message()));
    }
    std::vector<ExistingRun> ours;
    for (ExistingRun& run : *existing) {
      if (OwnsNode(run.node_name)) {
        spdlog::info("executor={} job={} run={} adopted node={} phase={} {}", config_.executor_id,
                     run.job_id, run.run_id, run.node_name, RunPhaseName(run.last.phase),
                     run.last.reason);
        ours.push_back(std::move(run));
      } else {
        foreign_runs_.insert(run.run_id);
      }
    }
    tracker_.Adopt(ours);
    recovered_ = true;
  }
  CollectUpdates();
  StopUnknownRuns();
  return absl::OkStatus();
}

void ExecutorAgent::CollectUpdates() {
  for (const RunUpdate& update : backend_.Poll()) {
    if (!tracker_.Tracks(update.run_id)) continue;
    spdlog::info("executor={} run={} {} {}", config_.executor_id, update.run_id,
                 RunPhaseName(update.phase), update.reason);
    tracker_.Update(update);
  }
}

void ExecutorAgent::StopUnknownRuns() {
  for (const std::string& run_id : backend_.ActiveRunIds()) {
    if (tracker_.Tracks(run_id) || foreign_runs_.count(run_id) > 0) continue;
    spdlog::warn("executor={} run={} runs in the backend but is not tracked; stopping it",
                 config_.executor_id, run_id);
    backend_.Cancel(run_id);
  }
}

grpc::Status ExecutorAgent::SendEvents(size_t count, bool bare) {
  const auto& queued = tracker_.Unacknowledged();
  executorapi::EventList list;
  list.set_executor_id(SanitizeUtf8(config_.executor_id));
  for (size_t i = 0; i < count; ++i) *list.add_events() = ToProto(queued[i], bare);
  google::protobuf::Empty empty;
  auto context = ContextWithDeadline();
  return stub_->ReportEvents(context.get(), list, &empty);
}

void ExecutorAgent::Acknowledge(size_t count) {
  for (const std::string& run_id : tracker_.Acknowledge(count)) backend_.Forget(run_id);
}

absl::Status ExecutorAgent::ReportEvents() {
  while (!tracker_.Unacknowledged().empty()) {
    const size_t count = std::min(tracker_.Unacknowledged().size(),
                                  static_cast<size_t>(config_.max_events_per_report));
    grpc::Status status = SendEvents(count);
    if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      // The server refuses the batch for something in it, and would refuse it
      // again on every retry, holding back every later event of this
      // executor. Find the refused events one at a time and drop only those.
      spdlog::warn(
          "executor={} the server refused a batch of {} events ({}); sending them one "
          "at a time",
          config_.executor_id, count, status.error_message());
      RETURN_IF_ERROR(ReportOneByOne(count));
      continue;
    }
    RETURN_IF_ERROR(FromGrpc(status, absl::StrCat("report ", count, " events")));
    Acknowledge(count);
  }
  return absl::OkStatus();
}

absl::Status ExecutorAgent::ReportOneByOne(size_t count) {
  for (size_t i = 0; i < count && !tracker_.Unacknowledged().empty(); ++i) {
    grpc::Status status = SendEvents(1);
    if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      // Its phase matters more than its text (a final event that never
      // arrives leaves the job leased): try once more without the reason.
      status = SendEvents(1, /*bare=*/true);
    }
    if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      const ReportEvent& event = tracker_.Unacknowledged().front();
      spdlog::error("executor={} job={} run={} the server refused its {} event, dropping it: {}",
                    config_.executor_id, event.job_id, event.run_id,
                    RunPhaseName(event.update.phase), status.error_message());
    } else {
      // Anything else (the server is away): keep the rest for the next try.
      RETURN_IF_ERROR(FromGrpc(status, "report 1 event"));
    }
    Acknowledge(1);
  }
  return absl::OkStatus();
}

absl::StatusOr<executorapi::LeaseRequest> ExecutorAgent::BuildLeaseRequest() const {
  absl::StatusOr<std::vector<BackendNode>> nodes = backend_.Nodes();
  if (!nodes.ok()) {
    return absl::Status(nodes.status().code(),
                        absl::StrCat("list nodes: ", nodes.status().message()));
  }
  executorapi::LeaseRequest request;
  request.set_executor_id(SanitizeUtf8(config_.executor_id));
  request.set_pool(SanitizeUtf8(config_.pool));
  std::map<std::string, executorapi::NodeInfo*> by_name;
  for (const BackendNode& node : *nodes) {
    if (!OwnsNode(node.name)) continue;
    // Node facts come from the backend (a Kubernetes API, a config file):
    // valid UTF-8 or the whole request would be unparsable.
    auto* info = request.add_nodes();
    info->set_name(SanitizeUtf8(node.name));
    info->set_pool(SanitizeUtf8(node.pool.empty() ? config_.pool : node.pool));
    for (const auto& [key, value] : node.labels) {
      (*info->mutable_labels())[SanitizeUtf8(key)] = SanitizeUtf8(value);
    }
    for (const model::Taint& taint : node.taints) {
      auto* t = info->add_taints();
      t->set_key(SanitizeUtf8(taint.key));
      t->set_value(SanitizeUtf8(taint.value));
      t->set_effect(SanitizeUtf8(taint.effect));
    }
    SetQuantities(node.allocatable, info->mutable_allocatable_resources());
    SetQuantities(node.allocated_by_others, info->mutable_non_armada_allocated_resources());
    info->set_unschedulable(node.unschedulable);
    by_name[info->name()] = info;
  }
  for (const auto& [run_id, run] : tracker_.runs()) {
    const auto node = by_name.find(SanitizeUtf8(run.node_name));
    if (node == by_name.end() || run.state == RunTracker::State::kLeased ||
        run.state == RunTracker::State::kReturned) {
      request.add_unassigned_job_run_ids(run_id);
    } else {
      (*node->second->mutable_run_ids_by_state())[run_id] = ToJobState(run.state);
    }
  }
  const size_t not_started = tracker_.NotStartedCount();
  const size_t limit = static_cast<size_t>(config_.max_leased_runs);
  request.set_at_lease_limit(not_started >= limit);
  request.set_max_jobs_to_lease(not_started >= limit ? 1 : limit - not_started);
  return request;
}

absl::Status ExecutorAgent::LeaseExchange() {
  absl::StatusOr<executorapi::LeaseRequest> request = BuildLeaseRequest();
  if (!request.ok()) return request.status();
  auto context = ContextWithDeadline();
  auto stream = stub_->LeaseJobRuns(context.get());
  stream->Write(*request);
  stream->WritesDone();
  executorapi::LeaseStreamMessage message;
  int leases = 0;
  while (stream->Read(&message)) {
    switch (message.event_case()) {
      case executorapi::LeaseStreamMessage::kCancelRuns: {
        const auto& ids = message.cancel_runs().job_run_ids_to_cancel();
        for (const std::string& run_id : tracker_.RequestCancel({ids.begin(), ids.end()})) {
          spdlog::info("executor={} run={} cancelled by the server", config_.executor_id, run_id);
          backend_.Cancel(run_id);
        }
        break;
      }
      case executorapi::LeaseStreamMessage::kLease:
        if (request->at_lease_limit()) {
          // Not held, so the server sends it again once there is room.
          spdlog::debug("executor={} run={} over the lease limit; not taken now",
                        config_.executor_id, message.lease().job_run_id());
          break;
        }
        ++leases;
        StartLease(message.lease());
        break;
      default:
        break;
    }
  }
  return FromGrpc(stream->Finish(), "lease exchange");
}

void ExecutorAgent::StartLease(const executorapi::JobRunLease& lease) {
  const std::string& run_id = lease.job_run_id();
  const std::string& job_id = lease.job().id();
  absl::StatusOr<RunSpec> spec = RunSpecFromLease(lease);
  const std::string container = spec.ok() ? spec->container_name : "";
  if (!tracker_.Lease(run_id, job_id, lease.node_name(), container)) return;  // a repeat
  absl::Status status = spec.status();
  if (status.ok() && !OwnsNode(lease.node_name())) {
    status = absl::FailedPreconditionError(
        absl::StrCat("node ", lease.node_name(), " is not this executor's node"));
  }
  if (status.ok()) status = backend_.Start(*spec);
  if (status.ok()) {
    tracker_.Submitted(run_id);
    spdlog::info("executor={} queue={} jobset={} job={} run={} node={} started",
                 config_.executor_id, lease.queue(), lease.jobset(), job_id, run_id,
                 lease.node_name());
    return;
  }
  // Invalid specs fail the job; anything else hands the lease back for another try.
  const bool retryable = status.code() != absl::StatusCode::kInvalidArgument;
  spdlog::warn("executor={} job={} run={} cannot start ({}): {}", config_.executor_id, job_id,
               run_id, retryable ? "returning the lease" : "failing the run",
               std::string(status.message()));
  tracker_.StartFailed(run_id, std::string(status.message()), retryable, absl::Now());
}

absl::Status ExecutorAgent::TalkToServer() {
  if (!recovered_) return absl::FailedPreconditionError("the backend's runs are not recovered yet");
  RETURN_IF_ERROR(ReportEvents());
  return LeaseExchange();
}

absl::Status ExecutorAgent::RunOnce() {
  RETURN_IF_ERROR(PollBackend());
  return TalkToServer();
}

void ExecutorAgent::Run(const std::atomic<bool>& stop) {
  int failures = 0;
  absl::Time next_server_call = absl::InfinitePast();
  while (!stop.load()) {
    absl::Status status = PollBackend();
    if (!status.ok()) {
      spdlog::warn("executor={} {}", config_.executor_id, std::string(status.message()));
    } else if (absl::Now() >= next_server_call) {
      status = TalkToServer();
      if (status.ok()) {
        if (failures > 0) spdlog::info("executor={} server reachable again", config_.executor_id);
        failures = 0;
        next_server_call = absl::InfinitePast();
      } else {
        ++failures;
        const absl::Duration backoff =
            std::min(config_.lease_period * (int64_t{1} << std::min(failures - 1, 20)),
                     std::max(config_.max_reconnect_backoff, config_.lease_period));
        next_server_call = absl::Now() + backoff;
        spdlog::warn("executor={} {}; {} events buffered; retrying in {}", config_.executor_id,
                     std::string(status.message()), tracker_.Unacknowledged().size(),
                     absl::FormatDuration(backoff));
      }
    }
    std::this_thread::sleep_for(absl::ToChronoMilliseconds(config_.lease_period));
  }
}

}  // namespace armada::executor
