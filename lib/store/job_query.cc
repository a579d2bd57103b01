#include "lib/store/job_query.h"

#include <cctype>

#include "absl/strings/str_cat.h"
#include "lib/store/sql_util.h"

namespace armada::store {
namespace {

constexpr char kJobColumns[] =
    "job_id, queue, job_set, state, extract(epoch FROM submitted_at)::float8, "
    "extract(epoch FROM updated_at)::float8, COALESCE(cancel_reason, ''), "
    "COALESCE(cancel_user, ''), COALESCE(error, ''), spec";

constexpr char kRunColumns[] =
    "run_id::text, job_id, executor, node, pool, state, extract(epoch FROM leased_at)::float8, "
    "extract(epoch FROM pending_at)::float8, extract(epoch FROM running_at)::float8, "
    "extract(epoch FROM finished_at)::float8, COALESCE(error, ''), exit_code";

std::optional<model::JobState> JobStateOf(const pqxx::field& field) {
  auto state = model::ParseJobState(field.as<std::string>());
  if (!state.ok()) return std::nullopt;
  return *state;
}

std::optional<model::RunState> RunStateOf(const pqxx::field& field) {
  auto state = model::ParseRunState(field.as<std::string>());
  if (!state.ok()) return std::nullopt;
  return *state;
}

std::optional<absl::Time> OptionalTime(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return FromEpochSeconds(field.as<double>());
}

// Columns: kJobColumns.
JobView JobFromRow(const pqxx::row& row) {
  JobView job;
  job.job_id = row[0].as<std::string>();
  job.queue = row[1].as<std::string>();
  job.job_set = row[2].as<std::string>();
  job.state = JobStateOf(row[3]);
  job.submitted_at = FromEpochSeconds(row[4].as<double>());
  job.updated_at = FromEpochSeconds(row[5].as<double>());
  job.cancel_reason = row[6].as<std::string>();
  job.cancel_user = row[7].as<std::string>();
  job.error = row[8].as<std::string>();
  job.spec = BytesFromField(row[9]);
  return job;
}

// Columns: kRunColumns.
RunView RunFromRow(const pqxx::row& row) {
  RunView run;
  run.run_id = row[0].as<std::string>();
  run.job_id = row[1].as<std::string>();
  run.executor = row[2].as<std::string>();
  run.node = row[3].as<std::string>();
  run.pool = row[4].as<std::string>();
  run.state = RunStateOf(row[5]);
  run.leased_at = FromEpochSeconds(row[6].as<double>());
  run.pending_at = OptionalTime(row[7]);
  run.running_at = OptionalTime(row[8]);
  run.finished_at = OptionalTime(row[9]);
  run.error = row[10].as<std::string>();
  if (!row[11].is_null()) run.exit_code = row[11].as<int>();
  return run;
}

}  // namespace

std::map<std::string, std::optional<model::JobState>> JobStates(
    pqxx::work& tx, const std::vector<std::string>& job_ids) {
  std::map<std::string, std::optional<model::JobState>> states;
  if (job_ids.empty()) return states;
  for (const auto& row : tx.exec_params(
           "SELECT job_id, state FROM jobs WHERE job_id = ANY($1::text[])", TextArray(job_ids))) {
    states[row[0].as<std::string>()] = JobStateOf(row[1]);
  }
  return states;
}

std::map<std::string, JobView> JobsById(pqxx::work& tx, const std::vector<std::string>& job_ids) {
  std::map<std::string, JobView> jobs;
  if (job_ids.empty()) return jobs;
  for (const auto& row : tx.exec_params(
           absl::StrCat("SELECT ", kJobColumns, " FROM jobs WHERE job_id = ANY($1::text[])"),
           TextArray(job_ids))) {
    JobView job = JobFromRow(row);
    jobs.emplace(job.job_id, std::move(job));
  }
  return jobs;
}

std::vector<RunView> RunsOfJobs(pqxx::work& tx, const std::vector<std::string>& job_ids) {
  std::vector<RunView> runs;
  if (job_ids.empty()) return runs;
  for (const auto& row : tx.exec_params(
           absl::StrCat("SELECT ", kRunColumns,
                        " FROM runs WHERE job_id = ANY($1::text[]) ORDER BY leased_at, run_id"),
           TextArray(job_ids))) {
    runs.push_back(RunFromRow(row));
  }
  return runs;
}

std::optional<std::string> CanonicalRunId(const std::string& id) {
  std::string text = id;
  if (text.size() >= 2 && text.front() == '{' && text.back() == '}') {
    text = text.substr(1, text.size() - 2);
  }
  std::string digits;
  for (char c : text) {
    if (c == '-') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    digits += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (digits.size() != 32) return std::nullopt;
  return absl::StrCat(digits.substr(0, 8), "-", digits.substr(8, 4), "-", digits.substr(12, 4), "-",
                      digits.substr(16, 4), "-", digits.substr(20));
}

std::map<std::string, RunView> RunsById(pqxx::work& tx, const std::vector<std::string>& run_ids) {
  std::map<std::string, RunView> runs;
  std::vector<std::string> canonical;
  for (const auto& id : run_ids) {
    if (auto c = CanonicalRunId(id)) canonical.push_back(*c);
  }
  if (canonical.empty()) return runs;
  for (const auto& row : tx.exec_params(
           absl::StrCat("SELECT ", kRunColumns, " FROM runs WHERE run_id = ANY($1::uuid[])"),
           TextArray(canonical))) {
    RunView run = RunFromRow(row);
    runs.emplace(run.run_id, std::move(run));
  }
  return runs;
}

std::map<std::string, JobView> JobsWithExternalUri(pqxx::work& tx, const std::string& queue,
                                                   const std::string& job_set,
                                                   const std::string& uri) {
  std::map<std::string, JobView> jobs;
  // The key is spelled out, and its presence tested, so that the planner matches the partial
  // expression index jobs_external_job_uri.
  for (const auto& row :
       tx.exec_params(absl::StrCat("SELECT ", kJobColumns,
                                   " FROM jobs WHERE queue = $1 AND job_set = $2 AND annotations ? "
                                   "'armadaproject.io/externalJobUri' AND "
                                   "annotations->>'armadaproject.io/externalJobUri' = $3"),
                      queue, job_set, uri)) {
    JobView job = JobFromRow(row);
    jobs.emplace(job.job_id, std::move(job));
  }
  return jobs;
}

std::map<std::string, std::set<std::string>> ActiveQueuesByPool(pqxx::work& tx,
                                                                const std::string& default_pool) {
  std::map<std::string, std::set<std::string>> by_pool;
  for (const auto& row :
       tx.exec("SELECT DISTINCT r.pool, j.queue FROM runs r JOIN jobs j ON j.job_id = r.job_id "
               "WHERE r.state IN ('leased', 'pending', 'running')")) {
    by_pool[row[0].as<std::string>()].insert(row[1].as<std::string>());
  }
  std::vector<std::string> pools;
  for (const auto& row : tx.exec("SELECT DISTINCT pool FROM executors ORDER BY pool")) {
    pools.push_back(row[0].as<std::string>());
  }
  if (pools.empty()) pools.push_back(default_pool);
  for (const auto& row : tx.exec("SELECT DISTINCT queue FROM jobs WHERE state = 'queued'")) {
    for (const auto& pool : pools) by_pool[pool].insert(row[0].as<std::string>());
  }
  return by_pool;
}

std::vector<std::string> EventMessagesOfJob(pqxx::work& tx, const std::string& job_id, int limit) {
  std::vector<std::string> messages;
  for (const auto& row :
       tx.exec_params("SELECT message FROM job_events WHERE job_id = $1 ORDER BY seq LIMIT $2",
                      job_id, limit)) {
    messages.push_back(BytesFromField(row[0]));
  }
  return messages;
}

std::vector<ActiveJobCount> ActiveJobCounts(pqxx::work& tx) {
  std::vector<ActiveJobCount> counts;
  for (const auto& row :
       tx.exec("SELECT queue, priority_class, state, count(*) FROM jobs WHERE state IN ('queued', "
               "'leased', 'pending', 'running') GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")) {
    auto state = model::ParseJobState(row[2].as<std::string>());
    if (!state.ok()) continue;
    counts.push_back(
        {row[0].as<std::string>(), row[1].as<std::string>(), *state, row[3].as<int64_t>()});
  }
  return counts;
}

}  // namespace armada::store
