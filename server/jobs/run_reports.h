#pragma once

// Applies executors' reports of their runs (executorapi.RunEvent) inside the
// caller's transaction: the run's new state, the job's, and their events.
//
// Each report is applied at most once: one that no longer fits the run's state
// (a repeat, or a run already ended on the server's side) changes nothing, so
// re-sending a batch is safe. Beyond that:
//  * a run ending while its job is being cancelled ends the cancel (unless it
//    succeeded first);
//  * a returned lease requeues the job (avoiding the nodes where it started)
//    or fails it once it is out of runs (RetryPolicy);
//  * a late terminal report for a run whose lease expired while its executor
//    was out of touch is applied when the job has not been leased again since:
//    a run that succeeded during an outage ends the job succeeded;
//  * a terminal report for a run with a stop pending (preempted) confirms the
//    stop, which requeues the job;
//  * a report about a run of another executor is refused and logged.

#include <string>

#include <pqxx/pqxx>

#include "absl/time/time.h"
#include "executorapi/executorapi.pb.h"
#include "lib/model/retry_policy.h"
#include "server/jobs/job_transitions.h"

namespace armada::server {

class RunReports {
 public:
  RunReports(pqxx::work& tx, absl::Time now, model::RetryPolicy policy)
      : tx_(tx), now_(now), transitions_(tx, now, policy) {}

  // Applies one report from `executor`. Returns false when it was refused
  // (unknown run, or not this executor's); true when applied or a no-op.
  bool Apply(const std::string& executor, const executorapi::RunEvent& report);

  // Appends the collected events to the log.
  void Commit() { transitions_.Commit(); }

 private:
  bool ApplyLate(const store::RunRecord& run, const store::JobRecord& job,
                 const executorapi::RunEvent& report, absl::Time at);

  pqxx::work& tx_;
  absl::Time now_;
  JobTransitions transitions_;
};

}  // namespace armada::server
