#pragma once

// Schema migrations: the numbered SQL files of migrations/, compiled into the
// binary, applied in order and recorded in schema_migrations.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/store/database.h"

namespace armada::store {

struct Migration {
  int version;       // from the file name: 0001_initial.sql -> 1
  std::string name;  // the file name without ".sql"
  std::string sql;
};

// The files of migrations/ at build time, in version order.
const std::vector<Migration>& EmbeddedMigrations();

// Applies every migration not yet recorded, in order, in one transaction that
// holds an advisory lock: when several servers start at once, one applies them
// and the others wait and then find nothing to do. Returns how many it applied.
// A failing migration rolls back all of this call's work.
absl::StatusOr<int> ApplyMigrations(Database& db, const std::vector<Migration>& migrations);

}  // namespace armada::store
