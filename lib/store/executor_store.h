#pragma once

// Executors and their last reports (the lease exchange is the heartbeat).

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace armada::store {

struct ExecutorRecord {
  std::string name;
  std::string pool;
  absl::Time last_seen;
  std::string report;  // serialized executorapi.LeaseRequest
};

void UpsertExecutor(pqxx::work& tx, const ExecutorRecord& executor);

// Records that the executor called at `at` (its heartbeat), creating it with
// an empty report if it is new. Cheap, and meant to run in its own short
// transaction on receipt of every call, so that an executor's liveness never
// depends on the server managing to apply what it sent. last_seen never moves
// backwards.
void TouchExecutor(pqxx::work& tx, const std::string& name, const std::string& pool, absl::Time at);

// Executors heard from at or after `since`, by name.
std::vector<ExecutorRecord> ExecutorsSeenSince(pqxx::work& tx, absl::Time since);

// Sets an executor's operator settings (creating them if needed).
void UpsertExecutorSettings(pqxx::work& tx, const std::string& name, bool cordoned,
                            const std::string& cordon_reason);

// Removes an executor's operator settings; no-op if it has none.
void DeleteExecutorSettings(pqxx::work& tx, const std::string& name);

// The names of cordoned executors.
std::set<std::string> CordonedExecutors(pqxx::work& tx);

// Forgets an executor: its last report, cordon setting and principal binding
// (it reappears, uncordoned, if it reports again).
// kNotFound if it is unknown.
absl::Status DeleteExecutor(pqxx::work& tx, const std::string& name);

// The principal recorded for `executor`, if any.
std::optional<std::string> BoundExecutorPrincipal(pqxx::work& tx, const std::string& executor);

// The principal bound to `executor`: the one already recorded, or else
// `principal`, recorded now. Concurrent first calls agree on one.
std::string BindExecutorPrincipal(pqxx::work& tx, const std::string& executor,
                                  const std::string& principal);

}  // namespace armada::store
