#include "server/executor_service.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "lib/store/executor_store.h"
#include "lib/store/job_store.h"
#include "server/grpc_status.h"
#include "server/job_events.h"
#include "server/job_lifecycle.h"
#include "server/scheduling_conversion.h"
#include "spdlog/spdlog.h"

namespace armada::server {
namespace {

using model::JobState;
using model::RunState;

// The job-level consequence of a run event: the job's new state and the
// public event announcing it.
struct Transition {
  RunState run_state;
  JobState job_state;
  api::EventMessage message;
  std::optional<int> exit_code;
  std::string error;
};

// Kubernetes' container termination reasons, as Armada's failure causes.
api::Cause CauseOf(const std::string& reason) {
  if (reason == "OOMKilled") return api::OOM;
  if (reason == "Evicted") return api::Evicted;
  if (reason == "DeadlineExceeded") return api::DeadlineExceeded;
  return api::Error;
}

template <typename Event, typename Report>
void FillPod(Event* event, const std::string& executor, const Report& report) {
  event->set_cluster_id(executor);
  event->set_kubernetes_id(report.pod_name());
  event->set_pod_name(report.pod_name());
  event->set_pod_namespace(report.pod_namespace());
}

std::optional<Transition> TransitionFor(const executorapi::RunEvent& report,
                                        const store::RunRecord& run, const EventSubject& subject,
                                        absl::Time at) {
  Transition t;
  switch (report.event_case()) {
    case executorapi::RunEvent::kPending: {
      t.run_state = RunState::kPending;
      t.job_state = JobState::kPending;
      auto* e = InitEvent(t.message.mutable_pending(), subject, at);
      FillPod(e, run.executor, report.pending());
      e->set_pool(run.pool);
      return t;
    }
    case executorapi::RunEvent::kRunning: {
      t.run_state = RunState::kRunning;
      t.job_state = JobState::kRunning;
      auto* e = InitEvent(t.message.mutable_running(), subject, at);
      FillPod(e, run.executor, report.running());
      e->set_node_name(run.node);
      e->set_pool(run.pool);
      return t;
    }
    case executorapi::RunEvent::kSucceeded: {
      t.run_state = RunState::kSucceeded;
      t.job_state = JobState::kSucceeded;
      t.exit_code = 0;
      auto* e = InitEvent(t.message.mutable_succeeded(), subject, at);
      FillPod(e, run.executor, report.succeeded());
      e->set_node_name(run.node);
      return t;
    }
    case executorapi::RunEvent::kFailed: {
      const auto& failed = report.failed();
      t.run_state = RunState::kFailed;
      t.job_state = JobState::kFailed;
      t.error = failed.reason();
      auto* e = InitEvent(t.message.mutable_failed(), subject, at);
      FillPod(e, run.executor, failed);
      e->set_node_name(run.node);
      e->set_reason(failed.reason());
      e->set_cause(failed.containers().empty() ? api::Error
                                               : CauseOf(failed.containers(0).reason()));
      e->set_failure_category(e->cause() == api::Error ? "application"
                                                       : api::Cause_Name(e->cause()));
      for (const auto& container : failed.containers()) {
        auto* status = e->add_container_statuses();
        status->set_name(container.name());
        status->set_exitcode(container.exit_code());
        status->set_message(container.message());
        status->set_reason(container.reason());
        status->set_cause(CauseOf(container.reason()));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
        // Deprecated in Armada's API but still filled there, and read by old clients.
        (*e->mutable_exit_codes())[container.name()] = container.exit_code();
#pragma GCC diagnostic pop
        if (!t.exit_code) t.exit_code = container.exit_code();
      }
      return t;
    }
    case executorapi::RunEvent::kLeaseReturned: {
      t.run_state = RunState::kLeaseReturned;
      t.job_state = JobState::kQueued;
      t.error = report.lease_returned().reason();
      auto* e = InitEvent(t.message.mutable_lease_returned(), subject, at);
      e->set_cluster_id(run.executor);
      e->set_reason(report.lease_returned().reason());
      e->set_run_attempted(report.lease_returned().run_attempted());
      return t;
    }
    default:
      return std::nullopt;
  }
}

// Gang members learn their gang (and the node uniformity label value their
// gang was placed under) from their environment, as in Armada.
void AddGangEnvironment(api::Job& job, const std::string& uniformity_value) {
  const GangOf gang = GangOfJob(job);
  if (gang.id.empty()) return;
  std::vector<std::pair<std::string, std::string>> env = {
      {"ARMADA_GANG_ID", gang.id}, {"ARMADA_GANG_CARDINALITY", absl::StrCat(gang.cardinality)}};
  if (!gang.uniformity_label.empty()) {
    env.emplace_back("ARMADA_GANG_NODE_UNIFORMITY_LABEL_NAME", gang.uniformity_label);
    env.emplace_back("ARMADA_GANG_NODE_UNIFORMITY_LABEL_VALUE", uniformity_value);
  }
  for (auto& pod : *job.mutable_pod_specs()) {
    for (auto& container : *pod.mutable_containers()) {
      for (const auto& [name, value] : env) {
        auto* var = container.add_env();
        var->set_name(name);
        var->set_value(value);
      }
    }
  }
}

}  // namespace

grpc::Status ExecutorService::LeaseJobRuns(
    grpc::ServerContext*,
    grpc::ServerReaderWriter<executorapi::LeaseStreamMessage, executorapi::LeaseRequest>* stream) {
  executorapi::LeaseRequest request;
  if (!stream->Read(&request)) return grpc::Status::OK;
  if (request.executor_id().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError("executor_id must be set"));
  }
  std::set<std::string> held(request.unassigned_job_run_ids().begin(),
                             request.unassigned_job_run_ids().end());
  for (const auto& node : request.nodes()) {
    for (const auto& [run_id, state] : node.run_ids_by_state()) held.insert(run_id);
  }

  std::vector<std::string> to_cancel;
  std::vector<store::LeasedRun> to_start;
  absl::Status status = db_.Run([&](pqxx::work& tx) {
    store::UpsertExecutor(tx, store::ExecutorRecord{request.executor_id(), request.pool(),
                                                    clock_.Now(), request.SerializeAsString()});
    to_cancel = store::InactiveOrUnknownRuns(tx, {held.begin(), held.end()});
    to_start.clear();
    JobTransitions transitions(tx, clock_.Now());
    for (auto& run : store::ActiveRunsOfExecutor(tx, request.executor_id())) {
      const bool is_held = held.count(run.run.run_id) > 0;
      if (run.job.cancel_requested) {
        if (is_held) {
          to_cancel.push_back(run.run.run_id);  // the cancel ends when it reports the run ended
        } else {
          transitions.CompleteCancel(run.job, run.run.run_id);  // it never had it
        }
        continue;
      }
      if (is_held) continue;
      if (run.run.state != RunState::kLeased) {
        // It started, but the executor no longer has it (it restarted, and
        // its processes went with it): the run is lost.
        transitions.LoseRun(run);
        continue;
      }
      // An executor at its own limit asks for nothing more (max 0 would mean "no limit").
      if (request.at_lease_limit() ||
          (request.max_jobs_to_lease() > 0 && to_start.size() >= request.max_jobs_to_lease())) {
        continue;
      }
      to_start.push_back(std::move(run));
    }
    transitions.Commit();
    return absl::OkStatus();
  });
  if (!status.ok()) return ToGrpcStatus(status);

  if (!to_cancel.empty()) {
    executorapi::LeaseStreamMessage message;
    for (const auto& id : to_cancel) message.mutable_cancel_runs()->add_job_run_ids_to_cancel(id);
    stream->Write(message);
  }
  for (const store::LeasedRun& run : to_start) {
    executorapi::LeaseStreamMessage message;
    auto* lease = message.mutable_lease();
    lease->set_job_run_id(run.run.run_id);
    lease->set_queue(run.job.queue);
    lease->set_jobset(run.job.job_set);
    lease->set_user(run.job.owner);
    lease->set_node_name(run.run.node);
    if (!lease->mutable_job()->ParseFromString(run.job.spec)) {
      spdlog::error("job={} run={} stored spec is unreadable; not leasing it", run.job.job_id,
                    run.run.run_id);
      continue;
    }
    AddGangEnvironment(*lease->mutable_job(), run.gang_uniformity_value);
    if (!stream->Write(message)) return grpc::Status::CANCELLED;
  }
  executorapi::LeaseStreamMessage end;
  end.mutable_end();
  stream->Write(end);
  if (!to_start.empty() || !to_cancel.empty()) {
    spdlog::info("lease exchange executor={} leases={} cancels={}", request.executor_id(),
                 to_start.size(), to_cancel.size());
  }
  return grpc::Status::OK;
}

grpc::Status ExecutorService::ReportEvents(grpc::ServerContext*,
                                           const executorapi::EventList* request,
                                           google::protobuf::Empty*) {
  absl::Status status = db_.Run([&](pqxx::work& tx) -> absl::Status {
    JobTransitions transitions(tx, clock_.Now());
    std::vector<store::EventRecord>& events = transitions.events();
    for (const auto& report : request->events()) {
      auto run = store::LockRun(tx, report.run_id());
      if (!run) {
        spdlog::warn("executor={} run={} reported an event for an unknown run",
                     request->executor_id(), report.run_id());
        continue;
      }
      auto jobs = store::GetJobs(tx, {run->job_id}, /*lock=*/true);
      if (jobs.empty()) continue;
      const store::JobRecord& job = jobs[0];
      const absl::Time at = report.has_created() ? FromTimestamp(report.created()) : clock_.Now();
      EventSubject subject{job.job_id, job.queue, job.job_set};
      auto t = TransitionFor(report, *run, subject, at);
      if (!t) continue;
      // Repeats, and reports about runs already finished (e.g. cancelled), are
      // no-ops: that is what makes re-sending a batch safe.
      if (!model::CheckRunTransition(run->state, t->run_state).ok()) continue;
      if (job.cancel_requested && model::IsTerminal(t->run_state) &&
          t->run_state != RunState::kSucceeded) {
        // The run stopped because (or while) its job was being cancelled.
        transitions.CompleteCancel(job, run->run_id);
        continue;
      }
      store::SetRunState(tx, run->run_id, t->run_state, at, t->exit_code, t->error);
      events.push_back(ToRecord(subject, t->message));
      const bool attempted =
          t->run_state == RunState::kRunning ||
          (report.has_lease_returned() && report.lease_returned().run_attempted());
      if (attempted) store::MarkRunAttempted(tx, run->run_id);
      if (t->run_state == RunState::kLeaseReturned) {
        const int attempts = store::CountAttemptedRuns(tx, job.job_id);
        if (attempts > max_retries_) {
          const std::string reason =
              absl::StrCat("lease returned after ", attempts, " attempted runs (maxRetries ",
                           max_retries_, "): ", t->error);
          store::SetJobState(tx, job.job_id, JobState::kFailed, reason);
          api::EventMessage failed;
          auto* e = InitEvent(failed.mutable_failed(), subject, at);
          e->set_cluster_id(run->executor);
          e->set_node_name(run->node);
          e->set_reason(reason);
          e->set_failure_category("retries_exhausted");
          events.push_back(ToRecord(subject, failed));
          continue;
        }
      }
      if (model::CheckJobTransition(job.state, t->job_state).ok()) {
        store::SetJobState(tx, job.job_id, t->job_state, t->error);
        if (t->job_state == JobState::kQueued) {
          events.push_back(ToRecord(subject, QueuedEvent(subject, at)));
        }
      }
      spdlog::debug("job={} run={} executor={} now {}", job.job_id, run->run_id,
                    request->executor_id(), model::RunStateName(t->run_state));
    }
    transitions.Commit();
    return absl::OkStatus();
  });
  return ToGrpcStatus(status);
}

}  // namespace armada::server
