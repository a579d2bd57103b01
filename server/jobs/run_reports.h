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
//
// A batch costs a few statements, not a few per report: its runs and jobs are
// locked in one, and the common transitions (pending, running, succeeded,
// failed) are folded in memory into one UPDATE of runs and one of jobs.

#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "executorapi/executorapi.pb.h"
#include "lib/model/retry_policy.h"
#include "server/jobs/job_transitions.h"

namespace armada::server {

class RunReports {
 public:
  RunReports(pqxx::work& tx, absl::Time now, model::RetryPolicy policy)
      : tx_(tx), now_(now), transitions_(tx, now, policy) {}

  // Applies the reports from `executor` in order, as if one by one. Returns
  // how many were refused (unknown run, or not this executor's).
  int Apply(const std::string& executor,
            const google::protobuf::RepeatedPtrField<executorapi::RunEvent>& reports);

  // Appends the collected events to the log.
  void Commit();

 private:
  bool ApplyOne(const std::string& executor, const executorapi::RunEvent& report);
  bool ApplyLate(const store::RunRecord& run, const store::JobRecord& job,
                 const executorapi::RunEvent& report, absl::Time at);

  // The cache of locked runs and their jobs, as this transaction has left them.
  void Remember(store::LeasedRun locked);
  void Reload(const std::string& run_id);

  // Buffered changes, written by Flush.
  void RecordRun(const std::string& run_id, model::RunState state, absl::Time at,
                 std::optional<int> exit_code, const std::string& error, bool attempted);
  void RecordJob(const std::string& job_id, model::JobState state, const std::string& error);
  void Flush();

  pqxx::work& tx_;
  absl::Time now_;
  JobTransitions transitions_;
  absl::flat_hash_map<std::string, store::RunRecord> runs_;
  absl::flat_hash_map<std::string, store::JobRecord> jobs_;
  std::vector<store::RunUpdate> run_updates_;
  absl::flat_hash_map<std::string, size_t> run_update_of_;
  std::vector<store::JobStateUpdate> job_updates_;
  absl::flat_hash_map<std::string, size_t> job_update_of_;
};

}  // namespace armada::server
