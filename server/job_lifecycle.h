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

#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/time/time.h"
#include "lib/store/job_store.h"

namespace armada::server {

class JobTransitions {
 public:
  // REQUIRES: the jobs and runs passed to the methods below are locked in `tx`.
  JobTransitions(pqxx::work& tx, absl::Time now) : tx_(tx), now_(now) {}

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
  // and its executor is told to stop it; the job is requeued when
  // `requeue_preempted` (or the job's armadaproject.io/requeueOnPreemption
  // annotation, which wins) says so, and otherwise fails.
  void PreemptRun(const store::JobRecord& job, const store::RunRecord& run,
                  const std::string& requestor, const std::string& preempting_job_id,
                  const std::string& reason);

  // A queued job that can never be scheduled fails with the reason (cause
  // Rejected). False if it is no longer queued.
  bool Reject(const store::JobRecord& job, const std::string& reason);

  // Whether preempted jobs are requeued (default true; Armada fails them, its
  // users ask for requeueing, armadaproject/armada#4340).
  void set_requeue_preempted(bool requeue) { requeue_preempted_ = requeue; }

  // Sets an unfinished job's priority. False if the job is finished.
  bool Reprioritize(const store::JobRecord& job, uint32_t priority, const std::string& user);

  // The run's executor went silent for longer than its timeout: the run's
  // lease expires and the job fails (or, when cancelling, is cancelled).
  void ExpireLease(const store::LeasedRun& run);

  // The run had started but its executor no longer reports it (it restarted
  // and lost its processes): the run and the job fail.
  void LoseRun(const store::LeasedRun& run);

  // Events collected so far, in order; Commit appends them to the log.
  std::vector<store::EventRecord>& events() { return events_; }
  void Commit();

 private:
  // Marks a job whose cancel was requested cancelled, once its run has ended.
  void FinishCancel(const store::JobRecord& job);

  pqxx::work& tx_;
  absl::Time now_;
  bool requeue_preempted_ = true;
  std::vector<store::EventRecord> events_;
};

}  // namespace armada::server
