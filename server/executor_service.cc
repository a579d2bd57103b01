#include "server/executor_service.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "lib/store/executor_store.h"
#include "lib/store/job_store.h"
#include "server/grpc_status.h"
#include "server/job_events.h"
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
      for (const auto& container : failed.containers()) {
        auto* status = e->add_container_statuses();
        status->set_name(container.name());
        status->set_exitcode(container.exit_code());
        status->set_message(container.message());
        status->set_reason(container.reason());
        status->set_cause(api::Error);
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

void LoseRun(pqxx::work& tx, const store::LeasedRun& run, absl::Time now,
             std::vector<store::EventRecord>& events) {
  const std::string reason = "lost: executor " + run.run.executor + " no longer reports this run";
  spdlog::warn("job={} run={} executor={} {}", run.job.job_id, run.run.run_id, run.run.executor,
               reason);
  store::SetRunState(tx, run.run.run_id, RunState::kFailed, now, std::nullopt, reason);
  store::SetJobState(tx, run.job.job_id, JobState::kFailed, reason);
  EventSubject subject{run.job.job_id, run.job.queue, run.job.job_set};
  api::EventMessage message;
  auto* failed = InitEvent(message.mutable_failed(), subject, now);
  failed->set_cluster_id(run.run.executor);
  failed->set_node_name(run.run.node);
  failed->set_reason(reason);
  events.push_back(ToRecord(subject, message));
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
    std::vector<store::EventRecord> events;
    const absl::Time now = clock_.Now();
    for (auto& run : store::ActiveRunsOfExecutor(tx, request.executor_id())) {
      if (held.count(run.run.run_id)) continue;
      if (run.run.state != RunState::kLeased) {
        // It started, but the executor no longer has it (it restarted, and
        // its processes went with it): the run is lost.
        LoseRun(tx, run, now, events);
        continue;
      }
      if (request.max_jobs_to_lease() > 0 && to_start.size() >= request.max_jobs_to_lease()) {
        continue;
      }
      to_start.push_back(std::move(run));
    }
    store::AppendEvents(tx, events);
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
    std::vector<store::EventRecord> events;
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
      store::SetRunState(tx, run->run_id, t->run_state, at, t->exit_code, t->error);
      events.push_back(ToRecord(subject, t->message));
      if (model::CheckJobTransition(job.state, t->job_state).ok()) {
        store::SetJobState(tx, job.job_id, t->job_state, t->error);
        if (t->job_state == JobState::kQueued) {
          events.push_back(ToRecord(subject, QueuedEvent(subject, at)));
        }
      }
      spdlog::debug("job={} run={} executor={} now {}", job.job_id, run->run_id,
                    request->executor_id(), model::RunStateName(t->run_state));
    }
    store::AppendEvents(tx, events);
    return absl::OkStatus();
  });
  return ToGrpcStatus(status);
}

}  // namespace armada::server
