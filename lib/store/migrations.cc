#include "lib/store/migrations.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace armada::store {
namespace {
// An arbitrary constant key for pg_advisory_xact_lock: "armada" in ASCII.
constexpr int64_t kMigrationLockKey = 0x61726d616461;
}  // namespace

absl::StatusOr<int> ApplyMigrations(Database& db, const std::vector<Migration>& migrations) {
  int applied = 0;
  absl::Status status = db.Run([&](pqxx::work& tx) -> absl::Status {
    applied = 0;
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
    tx.exec0(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version integer PRIMARY KEY, name text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())");
    std::set<int> done;
    for (const auto& row : tx.exec("SELECT version FROM schema_migrations")) {
      done.insert(row[0].as<int>());
    }
    for (const Migration& m : migrations) {
      if (done.count(m.version)) continue;
      try {
        tx.exec0(m.sql);
      } catch (const pqxx::sql_error& e) {
        return absl::InternalError(absl::StrCat("migration ", m.name, " failed: ", e.what()));
      }
      tx.exec_params0("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version,
                      m.name);
      spdlog::info("applied migration {}", m.name);
      ++applied;
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return applied;
}

}  // namespace armada::store
