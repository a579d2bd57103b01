#pragma once

// The job state changes that several services make (cancel, preempt,
// reprioritize, a run lost or expired), each with the events that announce
// it, inside the caller's transaction. Every change is idempotent: asking
// again for what is already done (or impossible, e.g. preempting a finished
// job) changes nothing and announces nothing, which is what makes retried
// requests and races between them safe.
//
// Cancel is two-phase for a job holding a lease: "cancelling" at once, then
// "cancelled" when the executor confirms the run stopped (or never had it,
// or went silent), so the node counts as busy until it really is free.
//
// At most one copy of a job runs: a preempted job is requeued only once its
// executor confirms the old run stopped (ConfirmStopped) or is declared dead
// (ExpireLease). Runs that end for reasons not the job's own (a returned or
// expired lease) requeue it until it has used maxAttemptedRuns runs.

#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/time/time.h"
#include "lib/model/retry_policy.h"
#include "lib/store/job_store.h"

namespace armada::server {

class JobTransitions {
 public:
  // REQUIRES: the jobs and runs passed to the methods below are locked in `tx`.
  JobTransitions(pqxx::work& tx, absl::Time now, model::RetryPolicy policy = {})
      : tx_(tx), now_(now), policy_(policy) {}

  // A queued job is cancelled at once; one holding a lease gets a cancel
  // request that its executor acts on. False if the job is finished or a
  // cancel is already under way.
  bool Cancel(const store::JobRecord& job, const std::string& user, const std::string& reason);

  // Ends a requested cancel: the run is cancelled and so is the job.
  void CompleteCancel(const store::JobRecord& job, const std::string& run_id);

  // A user's or operator's preemption: "preempting", then the job's active run
  // is preempted as PreemptRun does. False if the job holds no lease (queued
  // or finished) or is being cancelled.
  bool Preempt(const store::JobRecord& job, const std::string& user, const std::string& reason);

  // Evicts one run (the scheduler's preemption, or a requested one): the run
  // ends preempted ("preempted", naming the preempting job when there is one)
  // and its executor is told to stop it. When the policy (or the job's
  // annotation) says to requeue, the job is requeued once the executor
  // confirms the run stopped (ConfirmStopped); otherwise it fails now.
  void PreemptRun(const store::JobRecord& job, const store::RunRecord& run,
                  const std::string& requestor, const std::string& preempting_job_id,
                  const std::string& reason);

  // A queued job that can never be scheduled fails with the reason (cause
  // Rejected). False if it is no longer queued.
  bool Reject(const store::JobRecord& job, const std::string& reason);

  // Sets an unfinished job's priority. False if the job is finished.
  bool Reprioritize(const store::JobRecord& job, uint32_t priority, const std::string& user);

  // The run's executor went silent for longer than its timeout and is
  // declared dead: the run's lease expires and the job is requeued (or fails
  // once it has used its runs; when cancelling, it is cancelled).
  void ExpireLease(const store::LeasedRun& run);

  // The executor of a run with a stop pending (see PreemptRun) no longer has
  // it, or was declared dead: the job is requeued now, unless it finished or
  // was cancelled meanwhile.
  void ConfirmStopped(const store::LeasedRun& run);

  // A run ended for a reason not the job's own (a returned or expired lease;
  // `reason` says which): the job is queued again with a "queued" event or,
  // once more than max_retries of its runs started or it has had
  // max_attempted_runs runs, fails with failure category "retries_exhausted".
  // REQUIRES: the run is no longer active.
  void RequeueOrFail(const store::JobRecord& job, const store::RunRecord& run,
                     const std::string& reason);

  // The run had started but its executor no longer reports it (it restarted
  // and lost its processes): the run and the job fail.
  void LoseRun(const store::LeasedRun& run);

  // Events collected so far, in order; Commit appends them to the log.
  std::vector<store::EventRecord>& events() { return events_; }
  void Commit();

 private:
  // Marks a job whose cancel was requested cancelled, once its run has ended.
  void FinishCancel(const store::JobRecord& job);

  bool RequeueOnPreemption(const store::JobRecord& job) const;

  pqxx::work& tx_;
  absl::Time now_;
  model::RetryPolicy policy_;
  std::vector<store::EventRecord> events_;
};

}  // namespace armada::server
