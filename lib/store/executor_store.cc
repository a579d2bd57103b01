#include "lib/store/executor_store.h"

#include "lib/store/sql_util.h"

namespace armada::store {

void UpsertExecutor(pqxx::work& tx, const ExecutorRecord& executor) {
  tx.exec_params0(
      "INSERT INTO executors (name, pool, last_seen, report) VALUES ($1, $2, to_timestamp($3), $4) "
      "ON CONFLICT (name) DO UPDATE SET pool = EXCLUDED.pool, last_seen = EXCLUDED.last_seen, "
      "report = EXCLUDED.report",
      executor.name, executor.pool, ToEpochSeconds(executor.last_seen),
      pqxx::binarystring(executor.report));
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

}  // namespace armada::store
