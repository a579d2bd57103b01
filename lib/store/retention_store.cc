#include "lib/store/retention_store.h"

#include "absl/strings/str_cat.h"
#include "lib/store/sql_util.h"

namespace armada::store {
namespace {

// Exactly the predicate of the partial index jobs_ended (migration 0010), so
// that the planner uses it.
constexpr char kEnded[] = "state IN ('succeeded', 'failed', 'cancelled', 'preempted', 'rejected')";

}  // namespace

std::vector<std::string> QueuesWithEndedJobs(pqxx::work& tx) {
  // A skip scan: each step is one probe of jobs_ended for the next queue name.
  const std::string sql = absl::StrCat(
      "WITH RECURSIVE q(queue) AS ("
      " SELECT min(queue) FROM jobs WHERE ",
      kEnded,
      " UNION ALL"
      " SELECT (SELECT min(queue) FROM jobs WHERE ",
      kEnded,
      " AND queue > q.queue) FROM q WHERE q.queue IS NOT NULL) "
      "SELECT queue FROM q WHERE queue IS NOT NULL");
  std::vector<std::string> queues;
  for (const auto& row : tx.exec(sql)) queues.push_back(row[0].as<std::string>());
  return queues;
}

std::vector<std::string> ExpiredJobs(pqxx::work& tx, const std::string& queue, absl::Time cutoff,
                                     int64_t published_up_to, int limit) {
  const std::string sql = absl::StrCat(
      "SELECT job_id FROM jobs j WHERE queue = $1 AND ", kEnded,
      " AND updated_at < to_timestamp($2::float8) "
      "AND NOT EXISTS (SELECT 1 FROM job_events e WHERE e.job_id = j.job_id AND e.seq > $3) "
      "ORDER BY updated_at LIMIT $4 FOR UPDATE SKIP LOCKED");
  std::vector<std::string> ids;
  for (const auto& row :
       tx.exec_params(sql, queue, ToEpochSeconds(cutoff), published_up_to, limit)) {
    ids.push_back(row[0].as<std::string>());
  }
  return ids;
}

std::vector<DeletedEvent> DeleteJobEvents(pqxx::work& tx, const std::vector<std::string>& job_ids) {
  std::vector<DeletedEvent> deleted;
  for (const auto& row : tx.exec_params("DELETE FROM job_events WHERE job_id = ANY($1::text[]) "
                                        "RETURNING seq, queue, job_set",
                                        TextArray(job_ids))) {
    deleted.push_back({row[0].as<int64_t>(), row[1].as<std::string>(), row[2].as<std::string>()});
  }
  return deleted;
}

int64_t DeleteJobs(pqxx::work& tx, const std::vector<std::string>& job_ids) {
  return tx.exec_params("DELETE FROM jobs WHERE job_id = ANY($1::text[])", TextArray(job_ids))
      .affected_rows();
}

std::vector<std::string> DeleteSilentExecutors(pqxx::work& tx, absl::Time cutoff, int limit) {
  std::vector<std::string> names;
  for (const auto& row : tx.exec_params(
           "WITH gone AS ("
           " DELETE FROM executors WHERE name IN ("
           "  SELECT name FROM executors x WHERE last_seen < to_timestamp($1::float8)"
           "  AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.executor = x.name"
           "   AND r.state IN ('leased', 'pending', 'running'))"
           "  ORDER BY name LIMIT $2 FOR UPDATE SKIP LOCKED)"
           " RETURNING name),"
           " settings AS (DELETE FROM executor_settings WHERE name IN (SELECT name FROM gone)),"
           " principals AS (DELETE FROM executor_principals"
           "  WHERE executor IN (SELECT name FROM gone)) "
           "SELECT name FROM gone ORDER BY name",
           ToEpochSeconds(cutoff), limit)) {
    names.push_back(row[0].as<std::string>());
  }
  return names;
}

int64_t DeleteStaleQueueUsage(pqxx::work& tx, absl::Time cutoff) {
  return tx
      .exec_params(
          "DELETE FROM queue_usage WHERE updated_at < to_timestamp($1::float8) "
          "OR NOT EXISTS (SELECT 1 FROM queues WHERE queues.name = queue_usage.queue)",
          ToEpochSeconds(cutoff))
      .affected_rows();
}

}  // namespace armada::store
