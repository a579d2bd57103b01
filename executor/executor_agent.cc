#include "executor/executor_agent.h"

#include <thread>

#include "lib/model/resource_quantity.h"
#include "spdlog/spdlog.h"

namespace armada::executor {
namespace {

constexpr auto kCallTimeout = std::chrono::seconds(10);

void SetNow(google::protobuf::Timestamp* ts, absl::Time t) {
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

}  // namespace

ExecutorAgent::ExecutorAgent(const ExecutorConfig& config, Backend& backend,
                             std::shared_ptr<grpc::Channel> channel)
    : config_(config), backend_(backend), stub_(executorapi::ExecutorApi::NewStub(channel)) {}

void ExecutorAgent::CollectUpdates() {
  for (const RunUpdate& update : backend_.Poll()) {
    auto it = runs_.find(update.run_id);
    if (it == runs_.end()) continue;
    TrackedRun& run = it->second;
    executorapi::RunEvent event;
    event.set_run_id(update.run_id);
    event.set_job_id(run.job_id);
    SetNow(event.mutable_created(), update.time);
    const std::string pod = "armada-" + run.job_id + "-0";
    switch (update.phase) {
      case RunPhase::kPending:
        run.state = api::PENDING;
        event.mutable_pending()->set_node_name(config_.node_name);
        event.mutable_pending()->set_pod_name(pod);
        break;
      case RunPhase::kRunning:
        run.state = api::RUNNING;
        event.mutable_running()->set_node_name(config_.node_name);
        event.mutable_running()->set_pod_name(pod);
        break;
      case RunPhase::kSucceeded:
        run.state = api::SUCCEEDED;
        run.finished = true;
        event.mutable_succeeded()->set_node_name(config_.node_name);
        event.mutable_succeeded()->set_pod_name(pod);
        break;
      case RunPhase::kFailed: {
        run.state = api::FAILED;
        run.finished = true;
        auto* failed = event.mutable_failed();
        failed->set_node_name(config_.node_name);
        failed->set_pod_name(pod);
        failed->set_reason(update.reason);
        failed->set_cancelled(update.reason == "cancelled");
        auto* container = failed->add_containers();
        container->set_name(run.container);
        container->set_exit_code(update.exit_code);
        container->set_reason(update.reason);
        break;
      }
    }
    spdlog::info("job={} run={} {} {}", run.job_id, update.run_id, RunPhaseName(update.phase),
                 update.reason);
    unacknowledged_.push_back(std::move(event));
  }
}

absl::Status ExecutorAgent::ReportEvents() {
  if (unacknowledged_.empty()) return absl::OkStatus();
  executorapi::EventList list;
  list.set_executor_id(config_.executor_id);
  for (const auto& event : unacknowledged_) *list.add_events() = event;
  google::protobuf::Empty empty;
  auto context = ContextWithDeadline();
  absl::Status status = FromGrpc(stub_->ReportEvents(context.get(), list, &empty), "report events");
  if (!status.ok()) return status;
  unacknowledged_.clear();
  std::erase_if(runs_, [](const auto& entry) { return entry.second.finished; });
  return absl::OkStatus();
}

executorapi::LeaseRequest ExecutorAgent::BuildLeaseRequest() const {
  executorapi::LeaseRequest request;
  request.set_executor_id(config_.executor_id);
  request.set_pool(config_.pool);
  auto* node = request.add_nodes();
  node->set_name(config_.node_name);
  node->set_pool(config_.pool);
  node->mutable_labels()->insert(config_.node_labels.begin(), config_.node_labels.end());
  for (const auto& [name, milli] : config_.capacity.entries()) {
    (*node->mutable_allocatable_resources())[name].set_string(model::FormatQuantity(milli));
  }
  for (const auto& [run_id, run] : runs_) (*node->mutable_run_ids_by_state())[run_id] = run.state;
  return request;
}

absl::Status ExecutorAgent::LeaseExchange() {
  auto context = ContextWithDeadline();
  auto stream = stub_->LeaseJobRuns(context.get());
  stream->Write(BuildLeaseRequest());
  stream->WritesDone();
  executorapi::LeaseStreamMessage message;
  while (stream->Read(&message)) {
    switch (message.event_case()) {
      case executorapi::LeaseStreamMessage::kCancelRuns:
        for (const auto& run_id : message.cancel_runs().job_run_ids_to_cancel()) {
          if (runs_.count(run_id)) {
            spdlog::info("run={} cancelled by the server", run_id);
            backend_.Cancel(run_id);
          }
        }
        break;
      case executorapi::LeaseStreamMessage::kLease:
        StartLease(message.lease());
        break;
      default:
        break;
    }
  }
  return FromGrpc(stream->Finish(), "lease exchange");
}

void ExecutorAgent::StartLease(const executorapi::JobRunLease& lease) {
  const api::Job& job = lease.job();
  TrackedRun& run = runs_[lease.job_run_id()];
  run.job_id = job.id();

  RunSpec spec;
  spec.run_id = lease.job_run_id();
  spec.job_id = job.id();
  spec.queue = lease.queue();
  spec.job_set = lease.jobset();
  absl::Status status = absl::OkStatus();
  if (job.pod_specs_size() == 0 || job.pod_specs(0).containers_size() == 0) {
    status = absl::InvalidArgumentError("the job has no container");
  } else {
    const auto& pod = job.pod_specs(0);
    const auto& container = pod.containers(0);
    run.container = container.name();
    spec.command.assign(container.command().begin(), container.command().end());
    spec.command.insert(spec.command.end(), container.args().begin(), container.args().end());
    for (const auto& env : container.env()) {
      if (env.has_valuefrom()) {
        spdlog::warn("job={} env {} uses valueFrom, which the local backend cannot resolve",
                     job.id(), env.name());
        continue;
      }
      spec.env.emplace_back(env.name(), env.value());
    }
    spec.working_dir = container.workingdir();
    spec.termination_grace_seconds = pod.terminationgraceperiodseconds();
    spec.active_deadline_seconds = pod.activedeadlineseconds();
    status = backend_.Start(spec);
  }
  if (status.ok()) {
    spdlog::info("job={} run={} queue={} jobset={} started", job.id(), spec.run_id, spec.queue,
                 spec.job_set);
    return;
  }
  // The run never started: hand it back so the server can requeue the job.
  spdlog::warn("job={} run={} cannot start: {}", job.id(), spec.run_id,
               std::string(status.message()));
  run.finished = true;
  executorapi::RunEvent event;
  event.set_run_id(spec.run_id);
  event.set_job_id(job.id());
  SetNow(event.mutable_created(), absl::Now());
  event.mutable_lease_returned()->set_reason(std::string(status.message()));
  unacknowledged_.push_back(std::move(event));
}

absl::Status ExecutorAgent::RunOnce() {
  CollectUpdates();
  if (absl::Status status = ReportEvents(); !status.ok()) return status;
  return LeaseExchange();
}

void ExecutorAgent::Run(const std::atomic<bool>& stop) {
  const auto period = absl::ToChronoMilliseconds(config_.lease_period);
  while (!stop.load()) {
    if (absl::Status status = RunOnce(); !status.ok()) {
      spdlog::warn("executor={} {}", config_.executor_id, std::string(status.message()));
    }
    std::this_thread::sleep_for(period);
  }
}

}  // namespace armada::executor
