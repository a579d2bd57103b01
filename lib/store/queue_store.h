#pragma once

// Queue rows. Each function works inside the caller's transaction and may
// throw libpqxx exceptions, which Database::Run turns into a status.

#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace armada::store {

struct QueueRecord {
  std::string name;
  std::string definition;  // serialized api.Queue
  double priority_factor = 1.0;
  bool cordoned = false;
};

// kAlreadyExists if a queue of that name exists.
absl::Status CreateQueue(pqxx::work& tx, const QueueRecord& queue);

// Replaces the queue's definition; kNotFound if there is no such queue.
absl::Status UpdateQueue(pqxx::work& tx, const QueueRecord& queue);

// kNotFound if there is no such queue.
absl::StatusOr<QueueRecord> GetQueue(pqxx::work& tx, const std::string& name);

// Every queue, by name.
std::vector<QueueRecord> ListQueues(pqxx::work& tx);

// kNotFound if there is no such queue; kFailedPrecondition while it still has
// jobs that are not finished (cancel them first). Deletes its decayed usage;
// its ended jobs stay until retention removes them.
absl::Status DeleteQueue(pqxx::work& tx, const std::string& name);

}  // namespace armada::store
