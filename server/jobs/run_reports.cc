#include "server/jobs/run_reports.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/store/job_store.h"
#include "server/jobs/job_events.h"
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

}  // namespace

int RunReports::Apply(const std::string& executor,
                      const google::protobuf::RepeatedPtrField<executorapi::RunEvent>& reports) {
  std::vector<std::string> run_ids;
  run_ids.reserve(reports.size());
  for (const auto& report : reports) run_ids.push_back(report.run_id());
  for (store::LeasedRun& locked : store::LockRuns(tx_, run_ids)) Remember(std::move(locked));
  int refused = 0;
  for (const auto& report : reports) refused += ApplyOne(executor, report) ? 0 : 1;
  Flush();
  return refused;
}

void RunReports::Commit() {
  Flush();
  transitions_.Commit();
}

bool RunReports::ApplyOne(const std::string& executor, const executorapi::RunEvent& report) {
  auto found = runs_.find(report.run_id());
  if (found == runs_.end()) {
    spdlog::warn("executor={} run={} reported an event for an unknown run", executor,
                 report.run_id());
    return false;
  }
  store::RunRecord& run = found->second;
  if (run.executor != executor) {
    spdlog::warn("executor={} run={} job={} reported a run of executor {}; refused", executor,
                 run.run_id, run.job_id, run.executor);
    return false;
  }
  store::JobRecord& job = jobs_.at(run.job_id);
  const absl::Time at = report.has_created() ? FromTimestamp(report.created()) : now_;
  EventSubject subject{job.job_id, job.queue, job.job_set};
  auto t = TransitionFor(report, run, subject, at);
  if (!t) return true;
  if (model::IsTerminal(run.state)) {
    if (model::IsTerminal(t->run_state)) {
      // Rare paths read and write the store themselves: they see every
      // earlier report of the batch, and the cache is refreshed after them.
      Flush();
      for (const store::LeasedRun& stopping : store::StopPendingRunsOfExecutor(tx_, executor)) {
        if (stopping.run.run_id == run.run_id) transitions_.ConfirmStopped(stopping);
      }
      if (run.state == RunState::kLeaseExpired) ApplyLate(run, job, report, at);
      Reload(run.run_id);
    }
    return true;  // a repeat, or a run the server has ended already
  }
  if (!model::CheckRunTransition(run.state, t->run_state).ok()) return true;
  if (job.cancel_requested && model::IsTerminal(t->run_state) &&
      t->run_state != RunState::kSucceeded) {
    // The run stopped because (or while) its job was being cancelled.
    Flush();
    transitions_.CompleteCancel(job, run.run_id);
    Reload(run.run_id);
    return true;
  }
  const bool attempted = t->run_state == RunState::kRunning ||
                         (report.has_lease_returned() && report.lease_returned().run_attempted());
  RecordRun(run.run_id, t->run_state, at, t->exit_code, t->error, attempted);
  run.state = t->run_state;
  transitions_.events().push_back(ToRecord(subject, t->message));
  if (t->run_state == RunState::kLeaseReturned) {
    Flush();
    transitions_.RequeueOrFail(job, run, absl::StrCat("lease returned: ", t->error));
    Reload(run.run_id);
    return true;
  }
  if (model::CheckJobTransition(job.state, t->job_state).ok()) {
    RecordJob(job.job_id, t->job_state, t->error);
    job.state = t->job_state;
  }
  spdlog::debug("job={} run={} executor={} now {}", job.job_id, run.run_id, executor,
                model::RunStateName(t->run_state));
  return true;
}

bool RunReports::ApplyLate(const store::RunRecord& run, const store::JobRecord& job,
                           const executorapi::RunEvent& report, absl::Time at) {
  // Only while the job waits in its queue with this run as its last: once it
  // was leased again, the new run is the job's, and the old one was told to stop.
  if (job.state != JobState::kQueued || job.cancel_requested) return false;
  if (store::LatestRunOfJob(tx_, job.job_id) != run.run_id) return false;
  EventSubject subject{job.job_id, job.queue, job.job_set};
  auto t = TransitionFor(report, run, subject, at);
  spdlog::info("job={} run={} executor={} late report applied: {}", job.job_id, run.run_id,
               run.executor, model::RunStateName(t->run_state));
  store::SetRunState(tx_, run.run_id, t->run_state, at, t->exit_code, t->error);
  store::SetJobState(tx_, job.job_id, t->job_state, t->error);
  transitions_.events().push_back(ToRecord(subject, t->message));
  return true;
}

void RunReports::Remember(store::LeasedRun locked) {
  jobs_[locked.job.job_id] = std::move(locked.job);
  runs_[locked.run.run_id] = std::move(locked.run);
}

void RunReports::Reload(const std::string& run_id) {
  if (auto locked = store::LockRun(tx_, run_id)) Remember(std::move(*locked));
}

void RunReports::RecordRun(const std::string& run_id, RunState state, absl::Time at,
                           std::optional<int> exit_code, const std::string& error, bool attempted) {
  auto [slot, added] = run_update_of_.try_emplace(run_id, run_updates_.size());
  if (added) run_updates_.emplace_back().run_id = run_id;
  // Folded as SetRunState would have applied the reports one by one.
  store::RunUpdate& update = run_updates_[slot->second];
  update.state = state;
  if (state == RunState::kPending) {
    update.pending_at = at;
  } else if (state == RunState::kRunning) {
    update.running_at = at;
  } else {
    update.finished_at = at;
  }
  if (exit_code) update.exit_code = exit_code;
  if (!error.empty()) update.error = error;
  update.attempted = update.attempted || attempted;
}

void RunReports::RecordJob(const std::string& job_id, JobState state, const std::string& error) {
  auto [slot, added] = job_update_of_.try_emplace(job_id, job_updates_.size());
  if (added) job_updates_.emplace_back().job_id = job_id;
  store::JobStateUpdate& update = job_updates_[slot->second];
  update.state = state;
  if (!error.empty()) update.error = error;
}

void RunReports::Flush() {
  store::UpdateRuns(tx_, run_updates_);
  store::SetJobStates(tx_, job_updates_);
  run_updates_.clear();
  run_update_of_.clear();
  job_updates_.clear();
  job_update_of_.clear();
}

}  // namespace armada::server
