#include "server/jobs/lease_exchange.h"

#include "server/jobs/job_transitions.h"

namespace armada::server {

LeaseAnswer SettleLeaseRequest(pqxx::work& tx, absl::Time now, const model::RetryPolicy& policy,
                               const LeaseRequestRuns& request) {
  LeaseAnswer answer;
  const std::set<std::string>& held = request.held;
  answer.to_cancel = store::RunsNotActiveOn(tx, request.executor, {held.begin(), held.end()});
  JobTransitions transitions(tx, now, policy);
  for (const store::LeasedRun& run : store::StopPendingRunsOfExecutor(tx, request.executor)) {
    if (!held.count(run.run.run_id)) transitions.ConfirmStopped(run);
  }
  for (auto& run : store::ActiveRunsOfExecutor(tx, request.executor)) {
    const bool is_held = held.count(run.run.run_id) > 0;
    if (run.job.cancel_requested) {
      if (is_held) {
        answer.to_cancel.push_back(run.run.run_id);  // the cancel ends when it reports the end
      } else {
        transitions.CompleteCancel(run.job, run.run.run_id);
      }
      continue;
    }
    if (is_held) continue;
    if (run.run.state != model::RunState::kLeased) {
      transitions.LoseRun(run);
      continue;
    }
    if (request.at_lease_limit ||
        (request.max_jobs_to_lease > 0 && answer.to_start.size() >= request.max_jobs_to_lease)) {
      continue;
    }
    answer.to_start.push_back(std::move(run));
  }
  transitions.Commit();
  return answer;
}

}  // namespace armada::server
