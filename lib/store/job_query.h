#pragma once

// Read-only queries behind api.Jobs: job states, details, errors, runs and the
// queues that have work, by id or by job set. Nothing here writes or locks, so
// the queries never wait for the scheduler or an executor report; what they
// return is the state as of the caller's transaction.
//
// Each function works inside the caller's transaction (Database::Run) and may
// throw libpqxx exceptions, which Run turns into a status. Ids that are not
// stored are simply absent from the results: callers decide how to report
// them. Cost: one indexed query per call (three for ActiveQueuesByPool), linear
// in the number of ids; callers bound the number of ids.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/time/time.h"
#include "lib/model/job_state.h"

namespace armada::store {

// A job as the query API shows it.
struct JobView {
  std::string job_id;
  std::string queue;
  std::string job_set;
  // nullopt when the column holds a name this build does not know (a newer
  // server wrote it): shown as UNKNOWN, never guessed.
  std::optional<model::JobState> state;
  absl::Time submitted_at;
  absl::Time updated_at;  // the last state change
  std::string cancel_reason;
  std::string cancel_user;
  std::string error;
  std::string spec;  // serialized api.Job
};

// One run (lease) of a job.
struct RunView {
  std::string run_id;  // canonical lower-case UUID text
  std::string job_id;
  std::string executor;
  std::string node;
  std::string pool;
  std::optional<model::RunState> state;  // nullopt: a name this build does not know
  absl::Time leased_at;
  std::optional<absl::Time> pending_at;
  std::optional<absl::Time> running_at;
  std::optional<absl::Time> finished_at;
  std::string error;
  std::optional<int> exit_code;  // set once the executor reported one
};

// The stored state of each of `job_ids` that exists (nullopt for a state name
// this build does not know). Duplicate ids are answered once.
std::map<std::string, std::optional<model::JobState>> JobStates(
    pqxx::work& tx, const std::vector<std::string>& job_ids);

// The jobs among `job_ids` that exist, with their specs, by job id.
std::map<std::string, JobView> JobsById(pqxx::work& tx, const std::vector<std::string>& job_ids);

// Every run of the given jobs, oldest lease first (ties by run id), so the last
// one of a job is its latest run.
std::vector<RunView> RunsOfJobs(pqxx::work& tx, const std::vector<std::string>& job_ids);

// The canonical spelling of a run id (lower-case 8-4-4-4-12 hex) for any of
// 32 hex digits with optional hyphens and braces; nullopt when `id` is no UUID
// and so cannot name a run.
std::optional<std::string> CanonicalRunId(const std::string& id);

// The runs among `run_ids` that exist, by canonical run id (CanonicalRunId).
// Ids that are not UUIDs are skipped rather than failing the query.
std::map<std::string, RunView> RunsById(pqxx::work& tx, const std::vector<std::string>& run_ids);

// The jobs of the job set `queue`/`job_set` whose annotation
// armadaproject.io/externalJobUri is `uri`, by job id, from the index
// jobs_external_job_uri (the annotations column, filled since migration 0009).
std::map<std::string, JobView> JobsWithExternalUri(pqxx::work& tx, const std::string& queue,
                                                   const std::string& job_set,
                                                   const std::string& uri);

// Per pool, the queues with work there: a queue with an active run (leased,
// pending or running) counts for its run's pool; a queue with queued jobs
// counts for every pool in `executors`, or for `default_pool` when no executor
// has ever reported. Queues and pools come out sorted.
std::map<std::string, std::set<std::string>> ActiveQueuesByPool(pqxx::work& tx,
                                                                const std::string& default_pool);

// The logged events of `job_id` (serialized api.EventMessage), oldest first,
// at most `limit`; events older than the retention are gone.
std::vector<std::string> EventMessagesOfJob(pqxx::work& tx, const std::string& job_id, int limit);

// Jobs not yet finished, counted by queue, priority class and state. Cost:
// one scan of the jobs table.
struct ActiveJobCount {
  std::string queue;
  std::string priority_class;
  model::JobState state;
  int64_t count = 0;
};
std::vector<ActiveJobCount> ActiveJobCounts(pqxx::work& tx);

}  // namespace armada::store
