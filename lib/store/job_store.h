#pragma once

// Jobs, runs and the event log. Each function works inside the caller's
// transaction, so a state change and its events commit together; libpqxx
// exceptions are left to Database::Run.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/model/job_state.h"
#include "lib/model/resource_list.h"
#include "lib/model/scheduling_types.h"

namespace armada::store {

struct NewJob {
  std::string job_id;
  std::string queue;
  std::string job_set;
  std::string client_id;  // empty: no deduplication
  std::string owner;
  uint32_t priority = 0;
  model::ResourceList requests;
  std::map<std::string, std::string> node_selector;
  std::string priority_class;
  std::vector<model::Toleration> tolerations;
  std::vector<model::NodeSelectorTerm> node_affinity;
  std::string spec;  // serialized api.Job
  absl::Time submitted_at;
  std::string gang_id;  // empty: not in a gang
  int gang_cardinality = 0;
  std::string gang_uniformity_label;
  // Kept in columns for Lookout's filters (the spec holds them too).
  std::string namespace_name;
  std::map<std::string, std::string> annotations;
};

// One event for the log: a serialized api.EventMessage and where it belongs.
struct EventRecord {
  std::string queue;
  std::string job_set;
  std::string job_id;
  std::string message;
};

struct JobRecord {
  std::string job_id;
  std::string queue;
  std::string job_set;
  std::string owner;
  model::JobState state = model::JobState::kQueued;
  // A cancel is waiting for the executor to stop the job's run.
  bool cancel_requested = false;
  std::string spec;  // filled only where a function says so
};

struct RunRecord {
  std::string run_id;
  std::string job_id;
  std::string executor;
  std::string node;
  std::string pool;
  model::RunState state;
};

// Jobs with their specs, for handing leases to an executor.
struct LeasedRun {
  RunRecord run;
  JobRecord job;
  std::string gang_uniformity_value;  // see LeaseJob
};

// For each input job, the id that holds its place: the new id, or, when its
// client_id is already used in its queue (by a stored job or an earlier item of
// the same call), that job's id.
struct InsertedJob {
  std::string job_id;
  bool created;
};

// Inserts jobs in state queued with one COPY. Two calls racing on one client_id
// end with one of them aborted (kAborted), so Database::Run retries it and it
// then finds the other's job.
absl::StatusOr<std::vector<InsertedJob>> InsertJobs(pqxx::work& tx,
                                                    const std::vector<NewJob>& jobs);

// A logged event: its sequence number, where it belongs and its serialized
// api.EventMessage.
struct LoggedEvent {
  int64_t seq;
  std::string queue;
  std::string job_set;
  std::string job_id;
  std::string message;
};

// The sequence number of the last event committed.
int64_t LastEventSeq(pqxx::work& tx);

// Moves the event sequence on to at least `at_least`, so that events logged
// from now on get numbers above it (see EventRelay: after PostgreSQL lost
// commits that Redis had already published).
void AdvanceEventSeq(pqxx::work& tx, int64_t at_least);

// Up to `limit` events after sequence number `after`, in order.
std::vector<LoggedEvent> EventsAfter(pqxx::work& tx, int64_t after, int limit);

// Appends events in order and wakes the relay. Holds the event_seq row lock
// until commit, so sequence numbers are given out in commit order, gap free.
void AppendEvents(pqxx::work& tx, const std::vector<EventRecord>& events);

// The jobs among `job_ids` that exist, locked for update when `lock` is set.
std::vector<JobRecord> GetJobs(pqxx::work& tx, const std::vector<std::string>& job_ids, bool lock);

// The jobs of a job set that are not finished, locked for update.
std::vector<JobRecord> LockActiveJobsInJobSet(pqxx::work& tx, const std::string& queue,
                                              const std::string& job_set);

// Sets a job's state (and, when given, its error or cancel details).
void SetJobState(pqxx::work& tx, const std::string& job_id, model::JobState state,
                 const std::string& error = "");
void MarkJobCancelled(pqxx::work& tx, const std::string& job_id, const std::string& reason,
                      const std::string& user);

// Records a cancel for a job that holds a lease; its state does not change
// until the executor confirms its run stopped.
void RequestCancel(pqxx::work& tx, const std::string& job_id, const std::string& reason,
                   const std::string& user);

// Who asked for the job's cancel and why (empty when nobody did).
struct CancelRequest {
  std::string reason;
  std::string user;
};
CancelRequest GetCancelRequest(pqxx::work& tx, const std::string& job_id);

void SetJobPriority(pqxx::work& tx, const std::string& job_id, uint32_t priority);

// The job's stored spec (a serialized api.Job); nullopt if there is no such job.
std::optional<std::string> GetJobSpec(pqxx::work& tx, const std::string& job_id);

// Selects unfinished jobs for bulk operations (cancel or preempt on a queue,
// executor or node). Empty fields match everything; pools, executor and node
// match where a job's active run is, so they never match queued jobs.
struct JobFilter {
  std::vector<std::string> queues;
  std::vector<std::string> priority_classes;
  std::vector<model::JobState> states;  // empty: every unfinished state
  std::vector<std::string> pools;
  std::string executor;
  std::string node;
};

// Up to `limit` unfinished jobs matching `filter` and not being cancelled,
// locked for update, by job id.
std::vector<JobRecord> LockJobsMatching(pqxx::work& tx, const JobFilter& filter, int limit);

// A run that got as far as starting (SetRunState's `attempted`) counts against
// the job's retries, and a requeued job avoids the nodes of such runs.
int CountAttemptedRuns(pqxx::work& tx, const std::string& job_id);

// How many runs of the job count against maxAttemptedRuns: every run but the
// preempted ones (a preemption is the scheduler's choice, not the job's fault).
int CountRunsTowardsLimit(pqxx::work& tx, const std::string& job_id);

// Marks a run whose executor may still be running it although the server has
// ended it (preempted), or clears the mark once the executor confirmed it stopped.
void SetStopPending(pqxx::work& tx, const std::string& run_id, bool pending);

// Runs with a stop pending (see SetStopPending) of one executor, or of the
// executors not seen since `cutoff`, with their jobs, locked.
std::vector<LeasedRun> StopPendingRunsOfExecutor(pqxx::work& tx, const std::string& executor);
std::vector<LeasedRun> StopPendingRunsOfExecutorsSilentSince(pqxx::work& tx, absl::Time cutoff);

// The id of the job's most recent run; nullopt if it never had one.
std::optional<std::string> LatestRunOfJob(pqxx::work& tx, const std::string& job_id);

// Every queued job of every queue, as the scheduler needs them. submit_seq is
// the submission time in microseconds (job ids break ties in submission order).
// With `with_leased`, also the jobs holding a lease (what they would need if
// requeued).
std::vector<model::QueuedJob> QueuedJobs(pqxx::work& tx, bool with_leased = false);

// Per executor, how many of its runs are leased but not yet started.
std::map<std::string, int64_t> UnacknowledgedRunsByExecutor(pqxx::work& tx);

// Every job holding a lease (run leased, pending or running), with its node;
// only those among `job_ids` when it is given.
std::vector<model::RunningJob> RunningJobs(pqxx::work& tx,
                                           const std::vector<std::string>* job_ids = nullptr);

// Each queue's decayed usage per pool, as last saved.
std::map<model::PoolQueue, model::QueueUsage> LoadQueueUsage(pqxx::work& tx);

// Saves (inserts or replaces) the given usage entries.
void SaveQueueUsage(pqxx::work& tx, const std::map<model::PoolQueue, model::QueueUsage>& usage);

// Moves each run's job from queued to leased and creates the run, in one
// UPDATE (locking the jobs still queued, in job id order) and one COPY. A job
// no longer queued (a cancel won the race) gets no run. For a gang member
// placed under a node uniformity label, `gang_uniformity_values[i]` is the
// label's value on its gang's nodes (REQUIRES: as many as runs; each job at
// most once). Returns, per run, whether it was leased.
std::vector<bool> LeaseJobs(pqxx::work& tx, const std::vector<RunRecord>& runs, absl::Time now,
                            const std::vector<std::string>& gang_uniformity_values);

// The run and its job, both locked for update in one statement (run first,
// then job, the order this path took as two statements); nullopt if unknown.
std::optional<LeasedRun> LockRun(pqxx::work& tx, const std::string& run_id);

// The runs among `run_ids` that exist with their jobs, all locked in one
// statement in run id order (so two batches over the same runs cannot deadlock).
std::vector<LeasedRun> LockRuns(pqxx::work& tx, const std::vector<std::string>& run_ids);

// A run's changes from a batch of executor reports, folded into its final
// values: SetRunState's effect for each report, in one row.
struct RunUpdate {
  std::string run_id;
  model::RunState state = model::RunState::kLeased;
  std::optional<absl::Time> pending_at;
  std::optional<absl::Time> running_at;
  std::optional<absl::Time> finished_at;
  std::optional<int> exit_code;  // nullopt: unchanged
  std::string error;             // empty: unchanged
  bool attempted = false;        // true: marked attempted (never cleared)
};

// Applies each update in one statement (REQUIRES: each run at most once).
void UpdateRuns(pqxx::work& tx, const std::vector<RunUpdate>& updates);

// A job's new state and error (empty: unchanged), as SetJobState takes them.
struct JobStateUpdate {
  std::string job_id;
  model::JobState state = model::JobState::kQueued;
  std::string error;
};

// Applies each update in one statement (REQUIRES: each job at most once).
void SetJobStates(pqxx::work& tx, const std::vector<JobStateUpdate>& updates);

// The active runs of the job, locked for update.
std::vector<RunRecord> LockActiveRunsOfJob(pqxx::work& tx, const std::string& job_id);

// Records a run's new state with its timestamp column (pending_at, running_at
// or finished_at) and, for finished runs, exit code and error. `attempted`
// marks the run as one that got as far as starting (see CountAttemptedRuns),
// in the same statement.
void SetRunState(pqxx::work& tx, const std::string& run_id, model::RunState state, absl::Time at,
                 std::optional<int> exit_code = std::nullopt, const std::string& error = "",
                 bool attempted = false);

// The executor's runs that are leased, pending or running, with their jobs.
std::vector<LeasedRun> ActiveRunsOfExecutor(pqxx::work& tx, const std::string& executor);

// The active runs (with their jobs, locked) of executors not seen since `cutoff`.
std::vector<LeasedRun> ActiveRunsOfExecutorsSilentSince(pqxx::work& tx, absl::Time cutoff);

// Of `run_ids` (valid run ids an executor says it holds), those it must stop:
// runs no longer active, unknown runs, and runs leased to another executor
// (an executor never adopts a run it does not hold the lease of; logged).
std::vector<std::string> RunsNotActiveOn(pqxx::work& tx, const std::string& executor,
                                         const std::vector<std::string>& run_ids);

}  // namespace armada::store
