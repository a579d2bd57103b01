#include "server/jobs/job_transitions.h"

#include "absl/strings/str_cat.h"
#include "api/submit.pb.h"
#include "server/jobs/job_events.h"
#include "spdlog/spdlog.h"

namespace armada::server {
namespace {

// A job's own say on whether it is requeued after preemption ("true"/"false").
constexpr char kRequeueOnPreemptionAnnotation[] = "armadaproject.io/requeueOnPreemption";

using model::JobState;
using model::RunState;

EventSubject SubjectOf(const store::JobRecord& job) {
  return EventSubject{job.job_id, job.queue, job.job_set};
}

api::EventMessage FailedEvent(const EventSubject& subject, absl::Time at,
                              const store::RunRecord& run, const std::string& reason,
                              const std::string& category) {
  api::EventMessage message;
  auto* failed = InitEvent(message.mutable_failed(), subject, at);
  failed->set_cluster_id(run.executor);
  failed->set_node_name(run.node);
  failed->set_reason(reason);
  failed->set_cause(api::Error);
  failed->set_failure_category(category);
  return message;
}

}  // namespace

bool JobTransitions::Cancel(const store::JobRecord& job, const std::string& user,
                            const std::string& reason) {
  if (model::IsTerminal(job.state) || job.cancel_requested) return false;
  const EventSubject subject = SubjectOf(job);
  events_.push_back(ToRecord(subject, CancellingEvent(subject, now_, user, reason)));
  if (job.state != JobState::kQueued && !store::LockActiveRunsOfJob(tx_, job.job_id).empty()) {
    store::RequestCancel(tx_, job.job_id, reason, user);
    return true;
  }
  store::MarkJobCancelled(tx_, job.job_id, reason, user);
  events_.push_back(ToRecord(subject, CancelledEvent(subject, now_, user, reason)));
  return true;
}

void JobTransitions::CompleteCancel(const store::JobRecord& job, const std::string& run_id) {
  store::SetRunState(tx_, run_id, RunState::kCancelled, now_);
  FinishCancel(job);
}

void JobTransitions::FinishCancel(const store::JobRecord& job) {
  const store::CancelRequest request = store::GetCancelRequest(tx_, job.job_id);
  store::MarkJobCancelled(tx_, job.job_id, request.reason, request.user);
  const EventSubject subject = SubjectOf(job);
  events_.push_back(ToRecord(subject, CancelledEvent(subject, now_, request.user, request.reason)));
}

bool JobTransitions::Preempt(const store::JobRecord& job, const std::string& user,
                             const std::string& reason) {
  if (model::IsTerminal(job.state) || job.cancel_requested) return false;
  const std::vector<store::RunRecord> runs = store::LockActiveRunsOfJob(tx_, job.job_id);
  if (runs.empty()) return false;
  const EventSubject subject = SubjectOf(job);
  api::EventMessage preempting;
  auto* requested = InitEvent(preempting.mutable_preempting(), subject, now_);
  requested->set_requestor(user);
  requested->set_reason(reason);
  events_.push_back(ToRecord(subject, preempting));
  for (const store::RunRecord& run : runs) PreemptRun(job, run, user, "", reason);
  spdlog::info("job={} queue={} preempted by {}: {}", job.job_id, job.queue, user, reason);
  return true;
}

bool JobTransitions::RequeueOnPreemption(const store::JobRecord& job) const {
  if (auto spec = store::GetJobSpec(tx_, job.job_id)) {
    api::Job stored;
    if (stored.ParseFromString(*spec)) {
      auto it = stored.annotations().find(kRequeueOnPreemptionAnnotation);
      if (it != stored.annotations().end()) return it->second == "true";
    }
  }
  return policy_.requeue_preempted;
}

void JobTransitions::PreemptRun(const store::JobRecord& job, const store::RunRecord& run,
                                const std::string& requestor, const std::string& preempting_job_id,
                                const std::string& reason) {
  const EventSubject subject = SubjectOf(job);
  const std::string why = reason.empty() ? "preempted" : absl::StrCat("preempted: ", reason);
  store::SetRunState(tx_, run.run_id, RunState::kPreempted, now_, std::nullopt, why);
  api::EventMessage preempted;
  auto* event = InitEvent(preempted.mutable_preempted(), subject, now_);
  event->set_cluster_id(run.executor);
  event->set_run_id(run.run_id);
  event->set_reason(reason);
  event->set_requestor(requestor);
  event->set_preempting_job_id(preempting_job_id);
  events_.push_back(ToRecord(subject, preempted));
  if (RequeueOnPreemption(job)) {
    // The job keeps its state (and its place on the node in the leader's
    // index) until the executor confirms the old run stopped.
    store::SetStopPending(tx_, run.run_id, true);
    return;
  }
  store::SetJobState(tx_, job.job_id, JobState::kPreempted, why);
  events_.push_back(ToRecord(subject, FailedEvent(subject, now_, run, why, "preempted")));
}

void JobTransitions::ConfirmStopped(const store::LeasedRun& run) {
  store::SetStopPending(tx_, run.run.run_id, false);
  const store::JobRecord& job = run.job;
  if (model::IsTerminal(job.state) || job.state == JobState::kQueued) return;
  if (job.cancel_requested) {
    FinishCancel(job);
    return;
  }
  // A newer run means the job was requeued some other way already.
  if (!store::LockActiveRunsOfJob(tx_, job.job_id).empty()) return;
  const EventSubject subject = SubjectOf(job);
  store::SetJobState(tx_, job.job_id, JobState::kQueued, "preempted");
  events_.push_back(ToRecord(subject, QueuedEvent(subject, now_)));
}

void JobTransitions::RequeueOrFail(const store::JobRecord& job, const store::RunRecord& run,
                                   const std::string& reason) {
  const EventSubject subject = SubjectOf(job);
  const int started = store::CountAttemptedRuns(tx_, job.job_id);
  const int runs = store::CountRunsTowardsLimit(tx_, job.job_id);
  std::string exhausted;
  if (started > policy_.max_retries) {
    exhausted = absl::StrCat(started, " runs started (maxRetries ", policy_.max_retries, ")");
  } else if (runs >= policy_.max_attempted_runs) {
    exhausted = absl::StrCat(runs, " runs (maxAttemptedRuns ", policy_.max_attempted_runs, ")");
  }
  if (exhausted.empty()) {
    store::SetJobState(tx_, job.job_id, JobState::kQueued, reason);
    events_.push_back(ToRecord(subject, QueuedEvent(subject, now_)));
    return;
  }
  const std::string why = absl::StrCat(reason, "; no more retries after ", exhausted);
  spdlog::warn("job={} queue={} run={} fails: {}", job.job_id, job.queue, run.run_id, why);
  store::SetJobState(tx_, job.job_id, JobState::kFailed, why);
  events_.push_back(ToRecord(subject, FailedEvent(subject, now_, run, why, "retries_exhausted")));
}

bool JobTransitions::Reject(const store::JobRecord& job, const std::string& reason) {
  if (job.state != JobState::kQueued) return false;
  store::SetJobState(tx_, job.job_id, JobState::kRejected, reason);
  const EventSubject subject = SubjectOf(job);
  api::EventMessage message;
  auto* failed = InitEvent(message.mutable_failed(), subject, now_);
  failed->set_reason(reason);
  failed->set_cause(api::Rejected);
  failed->set_failure_category("rejected");
  events_.push_back(ToRecord(subject, message));
  spdlog::warn("job={} queue={} rejected: {}", job.job_id, job.queue, reason);
  return true;
}

bool JobTransitions::Reprioritize(const store::JobRecord& job, uint32_t priority,
                                  const std::string& user) {
  if (model::IsTerminal(job.state)) return false;
  store::SetJobPriority(tx_, job.job_id, priority);
  const EventSubject subject = SubjectOf(job);
  api::EventMessage reprioritizing;
  auto* requested = InitEvent(reprioritizing.mutable_reprioritizing(), subject, now_);
  requested->set_new_priority(priority);
  requested->set_requestor(user);
  events_.push_back(ToRecord(subject, reprioritizing));
  api::EventMessage reprioritized;
  auto* done = InitEvent(reprioritized.mutable_reprioritized(), subject, now_);
  done->set_new_priority(priority);
  done->set_requestor(user);
  events_.push_back(ToRecord(subject, reprioritized));
  return true;
}

void JobTransitions::ExpireLease(const store::LeasedRun& run) {
  const EventSubject subject = SubjectOf(run.job);
  spdlog::warn("job={} run={} executor={} lease expired: the executor stopped reporting",
               run.job.job_id, run.run.run_id, run.run.executor);
  api::EventMessage expired;
  InitEvent(expired.mutable_lease_expired(), subject, now_);
  events_.push_back(ToRecord(subject, expired));
  const std::string reason =
      absl::StrCat("lease expired: executor ", run.run.executor, " stopped reporting");
  store::SetRunState(tx_, run.run.run_id, RunState::kLeaseExpired, now_, std::nullopt, reason);
  if (run.job.cancel_requested) {
    // What was asked for has happened: the job no longer runs anywhere we know of.
    FinishCancel(run.job);
    return;
  }
  RequeueOrFail(run.job, run.run, reason);
}

void JobTransitions::LoseRun(const store::LeasedRun& run) {
  const std::string reason =
      absl::StrCat("lost: executor ", run.run.executor, " no longer reports this run");
  spdlog::warn("job={} run={} executor={} {}", run.job.job_id, run.run.run_id, run.run.executor,
               reason);
  store::SetRunState(tx_, run.run.run_id, RunState::kFailed, now_, std::nullopt, reason);
  if (run.job.cancel_requested) {
    FinishCancel(run.job);
    return;
  }
  store::SetJobState(tx_, run.job.job_id, JobState::kFailed, reason);
  const EventSubject subject = SubjectOf(run.job);
  events_.push_back(ToRecord(subject, FailedEvent(subject, now_, run.run, reason, "lost")));
}

void JobTransitions::Commit() {
  store::AppendEvents(tx_, events_);
  events_.clear();
}

}  // namespace armada::server
