#include "lib/store/job_store.h"

#include <cassert>
#include <set>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "lib/store/sql_util.h"
#include "spdlog/spdlog.h"

namespace armada::store {
namespace {

constexpr char kActiveJobStates[] = "('queued', 'leased', 'pending', 'running')";

model::JobState JobStateFromField(const pqxx::field& field) {
  auto state = model::ParseJobState(field.as<std::string>());
  // The column only ever holds names written by this module.
  return state.ok() ? *state : model::JobState::kFailed;
}

model::RunState RunStateFromField(const pqxx::field& field) {
  auto state = model::ParseRunState(field.as<std::string>());
  return state.ok() ? *state : model::RunState::kFailed;
}

std::string Name(model::JobState state) { return std::string(model::JobStateName(state)); }
std::string Name(model::RunState state) { return std::string(model::RunStateName(state)); }

// The columns JobFromRow reads, in its order.
constexpr char kJobColumns[] = "job_id, queue, job_set, owner, state, cancel_requested";

JobRecord JobFromRow(const pqxx::row& row, int first = 0) {
  JobRecord job;
  job.job_id = row[first].as<std::string>();
  job.queue = row[first + 1].as<std::string>();
  job.job_set = row[first + 2].as<std::string>();
  job.owner = row[first + 3].as<std::string>();
  job.state = JobStateFromField(row[first + 4]);
  job.cancel_requested = row[first + 5].as<bool>();
  return job;
}

// Columns: run_id, job_id, executor, node, pool, state.
RunRecord RunFromRow(const pqxx::row& row, int first = 0) {
  return RunRecord{row[first].as<std::string>(),     row[first + 1].as<std::string>(),
                   row[first + 2].as<std::string>(), row[first + 3].as<std::string>(),
                   row[first + 4].as<std::string>(), RunStateFromField(row[first + 5])};
}

// timestamptz input form, to the microsecond.
std::optional<std::string> TimestampText(const std::optional<absl::Time>& at) {
  if (!at) return std::nullopt;
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", *at, absl::UTCTimeZone());
}

}  // namespace

absl::StatusOr<std::vector<InsertedJob>> InsertJobs(pqxx::work& tx,
                                                    const std::vector<NewJob>& jobs) {
  std::vector<InsertedJob> out(jobs.size());
  if (jobs.empty()) return out;

  // Client ids already taken, per queue, by stored jobs.
  absl::flat_hash_map<std::string, std::vector<std::string>> client_ids_by_queue;
  for (const NewJob& job : jobs) {
    if (!job.client_id.empty()) client_ids_by_queue[job.queue].push_back(job.client_id);
  }
  std::map<std::pair<std::string, std::string>, std::string> taken;
  for (const auto& [queue, ids] : client_ids_by_queue) {
    for (const auto& row : tx.exec_params(
             "SELECT client_id, job_id FROM jobs WHERE queue = $1 AND client_id = ANY($2::text[])",
             queue, TextArray(ids))) {
      taken[{queue, row[0].as<std::string>()}] = row[1].as<std::string>();
    }
  }

  std::vector<const NewJob*> to_insert;
  for (size_t i = 0; i < jobs.size(); ++i) {
    const NewJob& job = jobs[i];
    if (!job.client_id.empty()) {
      auto [it, inserted] = taken.try_emplace({job.queue, job.client_id}, job.job_id);
      if (!inserted) {
        out[i] = {it->second, false};
        continue;
      }
    }
    out[i] = {job.job_id, true};
    to_insert.push_back(&job);
  }

  try {
    pqxx::stream_to copy(tx, "jobs",
                         std::vector<std::string>{"job_id",
                                                  "queue",
                                                  "job_set",
                                                  "client_id",
                                                  "owner",
                                                  "priority",
                                                  "state",
                                                  "requests",
                                                  "node_selector",
                                                  "priority_class",
                                                  "tolerations",
                                                  "node_affinity",
                                                  "spec",
                                                  "submitted_at",
                                                  "updated_at",
                                                  "gang_id",
                                                  "gang_cardinality",
                                                  "gang_uniformity_label",
                                                  "namespace",
                                                  "annotations"});
    const std::string queued = Name(model::JobState::kQueued);
    for (const NewJob* job : to_insert) {
      std::string submitted = *TimestampText(job->submitted_at);
      copy << std::make_tuple(
          job->job_id, job->queue, job->job_set,
          job->client_id.empty() ? static_cast<const std::string*>(nullptr) : &job->client_id,
          job->owner, static_cast<int64_t>(job->priority), queued, ResourcesToJson(job->requests),
          LabelsToJson(job->node_selector), job->priority_class,
          TolerationsToJson(job->tolerations), AffinityToJson(job->node_affinity),
          ByteaHex(job->spec), submitted, submitted, job->gang_id,
          static_cast<int64_t>(job->gang_cardinality), job->gang_uniformity_label,
          job->namespace_name, LabelsToJson(job->annotations));
    }
    copy.complete();
  } catch (const pqxx::unique_violation& e) {
    // Another submit took one of these client ids after our lookup.
    return absl::AbortedError(
        absl::StrCat("concurrent submit with the same client id: ", e.what()));
  }
  return out;
}

int64_t LastEventSeq(pqxx::work& tx) {
  return tx.exec1("SELECT last FROM event_seq WHERE id = 1")[0].as<int64_t>();
}

void AdvanceEventSeq(pqxx::work& tx, int64_t at_least) {
  tx.exec_params0("UPDATE event_seq SET last = GREATEST(last, $1) WHERE id = 1", at_least);
}

std::vector<LoggedEvent> EventsAfter(pqxx::work& tx, int64_t after, int limit) {
  std::vector<LoggedEvent> events;
  for (const auto& row :
       tx.exec_params("SELECT seq, queue, job_set, job_id, message FROM job_events WHERE seq > $1 "
                      "ORDER BY seq LIMIT $2",
                      after, limit)) {
    events.push_back({row[0].as<int64_t>(), row[1].as<std::string>(), row[2].as<std::string>(),
                      row[3].as<std::string>(), BytesFromField(row[4])});
  }
  return events;
}

void AppendEvents(pqxx::work& tx, const std::vector<EventRecord>& events) {
  if (events.empty()) return;
  auto last = tx.exec_params1("UPDATE event_seq SET last = last + $1 WHERE id = 1 RETURNING last",
                              static_cast<int64_t>(events.size()))[0]
                  .as<int64_t>();
  int64_t seq = last - static_cast<int64_t>(events.size());
  pqxx::stream_to copy(tx, "job_events",
                       std::vector<std::string>{"seq", "queue", "job_set", "job_id", "message"});
  for (const EventRecord& event : events) {
    copy << std::make_tuple(++seq, event.queue, event.job_set, event.job_id,
                            ByteaHex(event.message));
  }
  copy.complete();
  tx.exec0("NOTIFY job_events");
}

std::vector<JobRecord> GetJobs(pqxx::work& tx, const std::vector<std::string>& job_ids, bool lock) {
  std::vector<JobRecord> jobs;
  std::string sql = absl::StrCat("SELECT ", kJobColumns,
                                 " FROM jobs WHERE job_id = ANY($1::text[]) ORDER BY job_id");
  if (lock) sql += " FOR UPDATE";
  for (const auto& row : tx.exec_params(sql, TextArray(job_ids))) jobs.push_back(JobFromRow(row));
  return jobs;
}

std::vector<JobRecord> LockActiveJobsInJobSet(pqxx::work& tx, const std::string& queue,
                                              const std::string& job_set) {
  std::vector<JobRecord> jobs;
  for (const auto& row :
       tx.exec_params(absl::StrCat("SELECT ", kJobColumns,
                                   " FROM jobs WHERE queue = $1 AND job_set = $2 AND state IN ",
                                   kActiveJobStates, " ORDER BY job_id FOR UPDATE"),
                      queue, job_set)) {
    jobs.push_back(JobFromRow(row));
  }
  return jobs;
}

void SetJobState(pqxx::work& tx, const std::string& job_id, model::JobState state,
                 const std::string& error) {
  tx.exec_params0(
      "UPDATE jobs SET state = $2, error = COALESCE(NULLIF($3, ''), error), updated_at = now() "
      "WHERE job_id = $1",
      job_id, Name(state), error);
}

void RequestCancel(pqxx::work& tx, const std::string& job_id, const std::string& reason,
                   const std::string& user) {
  tx.exec_params0(
      "UPDATE jobs SET cancel_requested = true, cancel_reason = $2, cancel_user = $3, "
      "updated_at = now() WHERE job_id = $1",
      job_id, reason, user);
}

CancelRequest GetCancelRequest(pqxx::work& tx, const std::string& job_id) {
  auto rows = tx.exec_params(
      "SELECT coalesce(cancel_reason, ''), coalesce(cancel_user, '') FROM jobs WHERE job_id = $1",
      job_id);
  if (rows.empty()) return {};
  return CancelRequest{rows[0][0].as<std::string>(), rows[0][1].as<std::string>()};
}

void SetJobPriority(pqxx::work& tx, const std::string& job_id, uint32_t priority) {
  tx.exec_params0("UPDATE jobs SET priority = $2, updated_at = now() WHERE job_id = $1", job_id,
                  static_cast<int64_t>(priority));
}

std::optional<std::string> GetJobSpec(pqxx::work& tx, const std::string& job_id) {
  auto rows = tx.exec_params("SELECT spec FROM jobs WHERE job_id = $1", job_id);
  if (rows.empty()) return std::nullopt;
  return BytesFromField(rows[0][0]);
}

std::vector<JobRecord> LockJobsMatching(pqxx::work& tx, const JobFilter& filter, int limit) {
  std::vector<std::string> states;
  for (model::JobState state : filter.states) states.push_back(Name(state));
  if (states.empty()) states = {"queued", "leased", "pending", "running"};
  // A filter on where jobs run (pool, executor, node) only matches jobs with an
  // active run; queued jobs run nowhere yet.
  const std::string sql =
      absl::StrCat("SELECT ", kJobColumns,
                   " FROM jobs j WHERE state = ANY($1::text[]) AND NOT cancel_requested ",
                   "AND (cardinality($2::text[]) = 0 OR queue = ANY($2::text[])) ",
                   "AND (cardinality($3::text[]) = 0 OR priority_class = ANY($3::text[])) ",
                   "AND ((cardinality($4::text[]) = 0 AND $5 = '' AND $6 = '') OR EXISTS (",
                   "SELECT 1 FROM runs r WHERE r.job_id = j.job_id ",
                   "AND r.state IN ('leased', 'pending', 'running') ",
                   "AND (cardinality($4::text[]) = 0 OR r.pool = ANY($4::text[])) ",
                   "AND ($5 = '' OR r.executor = $5) AND ($6 = '' OR r.node = $6))) ",
                   "ORDER BY job_id LIMIT $7 FOR UPDATE");
  std::vector<JobRecord> jobs;
  for (const auto& row : tx.exec_params(sql, TextArray(states), TextArray(filter.queues),
                                        TextArray(filter.priority_classes), TextArray(filter.pools),
                                        filter.executor, filter.node, limit)) {
    jobs.push_back(JobFromRow(row));
  }
  return jobs;
}

int CountAttemptedRuns(pqxx::work& tx, const std::string& job_id) {
  return tx.exec_params1("SELECT count(*) FROM runs WHERE job_id = $1 AND attempted", job_id)[0]
      .as<int>();
}

int CountRunsTowardsLimit(pqxx::work& tx, const std::string& job_id) {
  return tx
      .exec_params1("SELECT count(*) FROM runs WHERE job_id = $1 AND state <> 'preempted'",
                    job_id)[0]
      .as<int>();
}

void SetStopPending(pqxx::work& tx, const std::string& run_id, bool pending) {
  tx.exec_params0("UPDATE runs SET stop_pending = $2 WHERE run_id = $1::uuid", run_id, pending);
}

std::optional<std::string> LatestRunOfJob(pqxx::work& tx, const std::string& job_id) {
  auto rows = tx.exec_params(
      "SELECT run_id::text FROM runs WHERE job_id = $1 ORDER BY leased_at DESC, serial DESC "
      "LIMIT 1",
      job_id);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

void MarkJobCancelled(pqxx::work& tx, const std::string& job_id, const std::string& reason,
                      const std::string& user) {
  tx.exec_params0(
      "UPDATE jobs SET state = 'cancelled', cancel_reason = $2, cancel_user = $3, "
      "updated_at = now() WHERE job_id = $1",
      job_id, reason, user);
}

std::vector<model::QueuedJob> QueuedJobs(pqxx::work& tx, bool with_leased) {
  std::vector<model::QueuedJob> jobs;
  for (const auto& row :
       tx.exec("SELECT job_id, queue, job_set, priority, "
               "(extract(epoch FROM submitted_at) * 1000000)::bigint, requests, node_selector, "
               "priority_class, tolerations, node_affinity, coalesce(tried.nodes, '{}'), "
               "gang_id, gang_cardinality, gang_uniformity_label "
               // The nodes each job was tried on, looked up per job (runs_attempted):
               // aggregating every attempted run first would read the whole history.
               "FROM jobs LEFT JOIN LATERAL (SELECT array_agg(DISTINCT node) AS nodes FROM runs "
               "WHERE runs.job_id = jobs.job_id AND attempted) tried ON true WHERE state IN " +
               std::string(with_leased ? kActiveJobStates : "('queued')") +
               " ORDER BY queue, priority, submitted_at, job_id")) {
    model::QueuedJob job;
    job.id = row[0].as<std::string>();
    job.queue = row[1].as<std::string>();
    job.job_set = row[2].as<std::string>();
    job.priority = static_cast<uint32_t>(row[3].as<int64_t>());
    job.submit_seq = row[4].as<int64_t>();
    job.requests = ResourcesFromJson(row[5].as<std::string>());
    job.node_selector = LabelsFromJson(row[6].as<std::string>());
    job.priority_class = row[7].as<std::string>();
    job.tolerations = TolerationsFromJson(row[8].as<std::string>());
    job.node_affinity = AffinityFromJson(row[9].as<std::string>());
    job.avoid_nodes = TextArrayFromField(row[10]);
    job.gang_id = row[11].as<std::string>();
    job.gang_cardinality = row[12].as<int>();
    job.gang_uniformity_label = row[13].as<std::string>();
    jobs.push_back(std::move(job));
  }
  return jobs;
}

std::map<std::string, int64_t> UnacknowledgedRunsByExecutor(pqxx::work& tx) {
  std::map<std::string, int64_t> counts;
  for (const auto& row :
       tx.exec("SELECT executor, count(*) FROM runs WHERE state = 'leased' GROUP BY executor")) {
    counts[row[0].as<std::string>()] = row[1].as<int64_t>();
  }
  return counts;
}

std::vector<model::RunningJob> RunningJobs(pqxx::work& tx,
                                           const std::vector<std::string>* job_ids) {
  std::vector<model::RunningJob> running;
  std::string sql =
      "SELECT j.job_id, j.queue, j.job_set, r.node, r.executor, r.pool, j.requests, "
      "j.priority_class, extract(epoch FROM r.leased_at)::float8, j.gang_id "
      "FROM runs r JOIN jobs j USING (job_id) "
      "WHERE r.state IN ('leased', 'pending', 'running')";
  if (job_ids) sql += " AND j.job_id = ANY($1::text[])";
  sql += " ORDER BY j.job_id";
  const pqxx::result rows = job_ids ? tx.exec_params(sql, TextArray(*job_ids)) : tx.exec(sql);
  for (const auto& row : rows) {
    model::RunningJob job;
    job.id = row[0].as<std::string>();
    job.queue = row[1].as<std::string>();
    job.job_set = row[2].as<std::string>();
    job.node = row[3].as<std::string>();
    job.executor = row[4].as<std::string>();
    job.pool = row[5].as<std::string>();
    job.requests = ResourcesFromJson(row[6].as<std::string>());
    job.priority_class = row[7].as<std::string>();
    job.started_at = FromEpochSeconds(row[8].as<double>());
    job.gang_id = row[9].as<std::string>();
    running.push_back(std::move(job));
  }
  return running;
}

std::map<model::PoolQueue, model::QueueUsage> LoadQueueUsage(pqxx::work& tx) {
  std::map<model::PoolQueue, model::QueueUsage> usage;
  for (const auto& row :
       tx.exec("SELECT pool, queue, decayed_share, extract(epoch FROM updated_at)::float8 "
               "FROM queue_usage")) {
    usage[{row[0].as<std::string>(), row[1].as<std::string>()}] =
        model::QueueUsage{row[2].as<double>(), FromEpochSeconds(row[3].as<double>())};
  }
  return usage;
}

void SaveQueueUsage(pqxx::work& tx, const std::map<model::PoolQueue, model::QueueUsage>& usage) {
  for (const auto& [key, value] : usage) {
    tx.exec_params0(
        "INSERT INTO queue_usage (pool, queue, decayed_share, updated_at) "
        "VALUES ($1, $2, $3, to_timestamp($4)) ON CONFLICT (pool, queue) DO UPDATE SET "
        "decayed_share = EXCLUDED.decayed_share, updated_at = EXCLUDED.updated_at",
        key.pool, key.queue, value.decayed_share, ToEpochSeconds(value.updated_at));
  }
}

std::vector<bool> LeaseJobs(pqxx::work& tx, const std::vector<RunRecord>& runs, absl::Time now,
                            const std::vector<std::string>& gang_uniformity_values) {
  assert(runs.size() == gang_uniformity_values.size());
  std::vector<bool> leased(runs.size(), false);
  if (runs.empty()) return leased;
  std::vector<std::string> ids;
  ids.reserve(runs.size());
  for (const RunRecord& run : runs) ids.push_back(run.job_id);
  absl::flat_hash_set<std::string> updated;
  for (const auto& row : tx.exec_params(
           "UPDATE jobs SET state = 'leased', updated_at = to_timestamp($2) "
           "WHERE job_id IN (SELECT job_id FROM jobs "
           "WHERE job_id = ANY($1::text[]) AND state = 'queued' ORDER BY job_id FOR UPDATE) "
           "RETURNING job_id",
           TextArray(ids), ToEpochSeconds(now))) {
    updated.insert(row[0].as<std::string>());
  }
  if (updated.empty()) return leased;
  const std::string at = *TimestampText(now);
  const std::string state = Name(model::RunState::kLeased);
  pqxx::stream_to copy(tx, "runs",
                       std::vector<std::string>{"run_id", "job_id", "executor", "node", "pool",
                                                "state", "leased_at", "gang_uniformity_value"});
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunRecord& run = runs[i];
    if (!updated.contains(run.job_id)) continue;
    leased[i] = true;
    copy << std::make_tuple(run.run_id, run.job_id, run.executor, run.node, run.pool, state, at,
                            gang_uniformity_values[i]);
  }
  copy.complete();
  return leased;
}

std::optional<LeasedRun> LockRun(pqxx::work& tx, const std::string& run_id) {
  // One round trip instead of two: executors' reports lock a run and its job
  // for every event (pg_stat_statements, docs/benchmarks.md).
  auto result = tx.exec_params(
      "SELECT r.run_id, r.job_id, r.executor, r.node, r.pool, r.state, j.job_id, j.queue, "
      "j.job_set, j.owner, j.state, j.cancel_requested "
      "FROM runs r JOIN jobs j ON j.job_id = r.job_id WHERE r.run_id = $1::uuid FOR UPDATE OF r, j",
      run_id);
  if (result.empty()) return std::nullopt;
  return LeasedRun{RunFromRow(result[0]), JobFromRow(result[0], 6), ""};
}

std::vector<LeasedRun> LockRuns(pqxx::work& tx, const std::vector<std::string>& run_ids) {
  std::vector<LeasedRun> locked;
  if (run_ids.empty()) return locked;
  for (const auto& row : tx.exec_params(
           "SELECT r.run_id, r.job_id, r.executor, r.node, r.pool, r.state, j.job_id, j.queue, "
           "j.job_set, j.owner, j.state, j.cancel_requested "
           "FROM runs r JOIN jobs j ON j.job_id = r.job_id WHERE r.run_id = ANY($1::uuid[]) "
           "ORDER BY r.run_id FOR UPDATE OF r, j",
           TextArray(run_ids))) {
    locked.push_back(LeasedRun{RunFromRow(row), JobFromRow(row, 6), ""});
  }
  return locked;
}

void UpdateRuns(pqxx::work& tx, const std::vector<RunUpdate>& updates) {
  if (updates.empty()) return;
  std::vector<std::string> ids, states, errors, attempted;
  std::vector<std::optional<std::string>> pending_at, running_at, finished_at, exit_codes;
  for (const RunUpdate& u : updates) {
    ids.push_back(u.run_id);
    states.push_back(Name(u.state));
    pending_at.push_back(TimestampText(u.pending_at));
    running_at.push_back(TimestampText(u.running_at));
    finished_at.push_back(TimestampText(u.finished_at));
    exit_codes.push_back(u.exit_code ? std::optional(absl::StrCat(*u.exit_code)) : std::nullopt);
    errors.push_back(u.error);
    attempted.push_back(u.attempted ? "t" : "f");
  }
  tx.exec_params0(
      "UPDATE runs r SET state = u.state, "
      "pending_at = COALESCE(u.pending_at::timestamptz, r.pending_at), "
      "running_at = COALESCE(u.running_at::timestamptz, r.running_at), "
      "finished_at = COALESCE(u.finished_at::timestamptz, r.finished_at), "
      "exit_code = COALESCE(u.exit_code::int, r.exit_code), "
      "error = COALESCE(NULLIF(u.error, ''), r.error), attempted = r.attempted OR u.attempted, "
      "serial = nextval('change_serial') "
      "FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
      "$7::text[], $8::bool[]) "
      "AS u(run_id, state, pending_at, running_at, finished_at, exit_code, error, attempted) "
      "WHERE r.run_id = u.run_id",
      TextArray(ids), TextArray(states), TextArray(pending_at), TextArray(running_at),
      TextArray(finished_at), TextArray(exit_codes), TextArray(errors), TextArray(attempted));
}

void SetJobStates(pqxx::work& tx, const std::vector<JobStateUpdate>& updates) {
  if (updates.empty()) return;
  std::vector<std::string> ids, states, errors;
  for (const JobStateUpdate& u : updates) {
    ids.push_back(u.job_id);
    states.push_back(Name(u.state));
    errors.push_back(u.error);
  }
  tx.exec_params0(
      "UPDATE jobs j SET state = u.state, error = COALESCE(NULLIF(u.error, ''), j.error), "
      "updated_at = now() FROM unnest($1::text[], $2::text[], $3::text[]) AS u(job_id, state, "
      "error) "
      "WHERE j.job_id = u.job_id",
      TextArray(ids), TextArray(states), TextArray(errors));
}

std::vector<RunRecord> LockActiveRunsOfJob(pqxx::work& tx, const std::string& job_id) {
  std::vector<RunRecord> runs;
  for (const auto& row :
       tx.exec_params("SELECT run_id, job_id, executor, node, pool, state FROM runs "
                      "WHERE job_id = $1 AND state IN ('leased', 'pending', 'running') FOR UPDATE",
                      job_id)) {
    runs.push_back(RunFromRow(row));
  }
  return runs;
}

void SetRunState(pqxx::work& tx, const std::string& run_id, model::RunState state, absl::Time at,
                 std::optional<int> exit_code, const std::string& error, bool attempted) {
  const char* column = "finished_at";
  if (state == model::RunState::kPending) column = "pending_at";
  if (state == model::RunState::kRunning) column = "running_at";
  tx.exec_params0(
      absl::StrCat("UPDATE runs SET state = $2, ", column,
                   " = to_timestamp($3), exit_code = COALESCE($4, exit_code), "
                   "error = COALESCE(NULLIF($5, ''), error), attempted = attempted OR $6, "
                   "serial = nextval('change_serial') WHERE run_id = $1::uuid"),
      run_id, Name(state), ToEpochSeconds(at), exit_code, error, attempted);
}

namespace {

constexpr char kActiveRun[] = "r.state IN ('leased', 'pending', 'running')";
constexpr char kStopPendingRun[] = "r.stop_pending";
constexpr char kSilentExecutor[] =
    "r.executor IN (SELECT name FROM executors WHERE last_seen < to_timestamp($1))";

// Runs matching `which` (kActiveRun or kStopPendingRun) with their jobs (spec
// included), for the given WHERE clause on runs `r` and jobs `j`, locked.
template <typename... Args>
std::vector<LeasedRun> RunsWhere(pqxx::work& tx, const char* which, const std::string& where,
                                 Args&&... args) {
  std::vector<LeasedRun> runs;
  const std::string sql = absl::StrCat(
      "SELECT r.run_id, r.job_id, r.executor, r.node, r.pool, r.state, "
      "j.job_id, j.queue, j.job_set, j.owner, j.state, j.cancel_requested, j.spec, "
      "r.gang_uniformity_value FROM runs r JOIN jobs j USING (job_id) WHERE ",
      which, " AND ", where, " ORDER BY r.leased_at, r.run_id FOR UPDATE OF r, j");
  for (const auto& row : tx.exec_params(sql, std::forward<Args>(args)...)) {
    LeasedRun run{RunFromRow(row), JobFromRow(row, 6), row[13].c_str()};
    run.job.spec = BytesFromField(row[12]);
    runs.push_back(std::move(run));
  }
  return runs;
}

}  // namespace

std::vector<LeasedRun> ActiveRunsOfExecutor(pqxx::work& tx, const std::string& executor) {
  return RunsWhere(tx, kActiveRun, "r.executor = $1", executor);
}

std::vector<LeasedRun> ActiveRunsOfExecutorsSilentSince(pqxx::work& tx, absl::Time cutoff) {
  return RunsWhere(tx, kActiveRun, kSilentExecutor, ToEpochSeconds(cutoff));
}

std::vector<LeasedRun> StopPendingRunsOfExecutor(pqxx::work& tx, const std::string& executor) {
  return RunsWhere(tx, kStopPendingRun, "r.executor = $1", executor);
}

std::vector<LeasedRun> StopPendingRunsOfExecutorsSilentSince(pqxx::work& tx, absl::Time cutoff) {
  return RunsWhere(tx, kStopPendingRun, kSilentExecutor, ToEpochSeconds(cutoff));
}

std::vector<std::string> RunsNotActiveOn(pqxx::work& tx, const std::string& executor,
                                         const std::vector<std::string>& run_ids) {
  if (run_ids.empty()) return {};
  // run_id is uuid: the ids were checked to be run ids before they got here.
  std::set<std::string> active;
  for (const auto& row :
       tx.exec_params("SELECT run_id::text, executor FROM runs WHERE run_id = ANY($1::uuid[]) "
                      "AND state IN ('leased', 'pending', 'running')",
                      TextArray(run_ids))) {
    const std::string id = row[0].as<std::string>();
    if (row[1].as<std::string>() == executor) {
      active.insert(id);
    } else {
      spdlog::warn("executor={} run={} claims a run leased to executor {}; told to stop it",
                   executor, id, row[1].as<std::string>());
    }
  }
  std::vector<std::string> stop;
  for (const auto& id : run_ids) {
    if (!active.count(id)) stop.push_back(id);
  }
  return stop;
}

}  // namespace armada::store
