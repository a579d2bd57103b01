#include "lib/store/executor_store.h"

#include <optional>

#include "lib/store/sql_util.h"

namespace armada::store {

void UpsertExecutor(pqxx::work& tx, const ExecutorRecord& executor) {
  tx.exec_params0(
      "INSERT INTO executors (name, pool, last_seen, report) VALUES ($1, $2, to_timestamp($3), $4) "
      "ON CONFLICT (name) DO UPDATE SET pool = EXCLUDED.pool, "
      "last_seen = GREATEST(executors.last_seen, EXCLUDED.last_seen), "
      "report = EXCLUDED.report",
      executor.name, executor.pool, ToEpochSeconds(executor.last_seen),
      pqxx::binarystring(executor.report));
}

void TouchExecutor(pqxx::work& tx, const std::string& name, const std::string& pool,
                   absl::Time at) {
  tx.exec_params0(
      "INSERT INTO executors (name, pool, last_seen, report) VALUES ($1, $2, to_timestamp($3), "
      "''::bytea) ON CONFLICT (name) DO UPDATE SET "
      "last_seen = GREATEST(executors.last_seen, EXCLUDED.last_seen)",
      name, pool, ToEpochSeconds(at));
}

std::vector<ExecutorRecord> ExecutorsSeenSince(pqxx::work& tx, absl::Time since) {
  std::vector<ExecutorRecord> executors;
  for (const auto& row : tx.exec_params(
           "SELECT name, pool, extract(epoch FROM last_seen)::float8, report FROM executors "
           "WHERE last_seen >= to_timestamp($1) ORDER BY name",
           ToEpochSeconds(since))) {
    executors.push_back(ExecutorRecord{row[0].as<std::string>(), row[1].as<std::string>(),
                                       FromEpochSeconds(row[2].as<double>()),
                                       BytesFromField(row[3])});
  }
  return executors;
}

void UpsertExecutorSettings(pqxx::work& tx, const std::string& name, bool cordoned,
                            const std::string& cordon_reason) {
  tx.exec_params0(
      "INSERT INTO executor_settings (name, cordoned, cordon_reason) VALUES ($1, $2, $3) "
      "ON CONFLICT (name) DO UPDATE SET cordoned = EXCLUDED.cordoned, "
      "cordon_reason = EXCLUDED.cordon_reason, updated_at = now()",
      name, cordoned, cordon_reason);
}

void DeleteExecutorSettings(pqxx::work& tx, const std::string& name) {
  tx.exec_params0("DELETE FROM executor_settings WHERE name = $1", name);
}

std::set<std::string> CordonedExecutors(pqxx::work& tx) {
  std::set<std::string> names;
  for (const auto& row : tx.exec("SELECT name FROM executor_settings WHERE cordoned")) {
    names.insert(row[0].as<std::string>());
  }
  return names;
}

absl::Status DeleteExecutor(pqxx::work& tx, const std::string& name) {
  const bool bound =
      tx.exec_params("DELETE FROM executor_principals WHERE executor = $1", name).affected_rows() >
      0;
  tx.exec_params0("DELETE FROM executor_settings WHERE name = $1", name);
  if (tx.exec_params("DELETE FROM executors WHERE name = $1", name).affected_rows() == 0 &&
      !bound) {
    return absl::NotFoundError("executor " + name + " is not known");
  }
  return absl::OkStatus();
}

std::optional<std::string> BoundExecutorPrincipal(pqxx::work& tx, const std::string& executor) {
  pqxx::result rows =
      tx.exec_params("SELECT principal FROM executor_principals WHERE executor = $1", executor);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

std::string BindExecutorPrincipal(pqxx::work& tx, const std::string& executor,
                                  const std::string& principal) {
  tx.exec_params0(
      "INSERT INTO executor_principals (executor, principal) VALUES ($1, $2) "
      "ON CONFLICT (executor) DO NOTHING",
      executor, principal);
  return tx
      .exec_params1("SELECT principal FROM executor_principals WHERE executor = $1", executor)[0]
      .as<std::string>();
}

}  // namespace armada::store
