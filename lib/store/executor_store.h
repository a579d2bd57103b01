#pragma once

// Executors and their last reports (the lease exchange is the heartbeat).

#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/time/time.h"

namespace armada::store {

struct ExecutorRecord {
  std::string name;
  std::string pool;
  absl::Time last_seen;
  std::string report;  // serialized executorapi.LeaseRequest
};

void UpsertExecutor(pqxx::work& tx, const ExecutorRecord& executor);

// Executors heard from at or after `since`, by name.
std::vector<ExecutorRecord> ExecutorsSeenSince(pqxx::work& tx, absl::Time since);

}  // namespace armada::store
