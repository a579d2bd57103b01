#include "lib/store/queue_store.h"

#include "absl/strings/str_cat.h"
#include "lib/store/sql_util.h"

namespace armada::store {
namespace {

QueueRecord QueueFromRow(const pqxx::row& row) {
  return QueueRecord{row[0].as<std::string>(), BytesFromField(row[1]), row[2].as<double>(),
                     row[3].as<bool>()};
}

}  // namespace

absl::Status CreateQueue(pqxx::work& tx, const QueueRecord& queue) {
  auto result = tx.exec_params(
      "INSERT INTO queues (name, definition, priority_factor, cordoned) "
      "VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING",
      queue.name, pqxx::binarystring(queue.definition), queue.priority_factor, queue.cordoned);
  if (result.affected_rows() == 0) {
    return absl::AlreadyExistsError(absl::StrCat("queue ", queue.name, " already exists"));
  }
  return absl::OkStatus();
}

absl::Status UpdateQueue(pqxx::work& tx, const QueueRecord& queue) {
  auto result = tx.exec_params(
      "UPDATE queues SET definition = $2, priority_factor = $3, cordoned = $4, "
      "updated_at = now() WHERE name = $1",
      queue.name, pqxx::binarystring(queue.definition), queue.priority_factor, queue.cordoned);
  if (result.affected_rows() == 0) {
    return absl::NotFoundError(absl::StrCat("queue ", queue.name, " does not exist"));
  }
  return absl::OkStatus();
}

absl::StatusOr<QueueRecord> GetQueue(pqxx::work& tx, const std::string& name) {
  auto result = tx.exec_params(
      "SELECT name, definition, priority_factor, cordoned FROM queues WHERE name = $1", name);
  if (result.empty()) return absl::NotFoundError(absl::StrCat("queue ", name, " does not exist"));
  return QueueFromRow(result[0]);
}

std::vector<QueueRecord> ListQueues(pqxx::work& tx) {
  std::vector<QueueRecord> queues;
  for (const auto& row :
       tx.exec("SELECT name, definition, priority_factor, cordoned FROM queues ORDER BY name")) {
    queues.push_back(QueueFromRow(row));
  }
  return queues;
}

absl::Status DeleteQueue(pqxx::work& tx, const std::string& name) {
  auto active = tx.exec_params1(
      "SELECT count(*) FROM jobs WHERE queue = $1 AND state IN "
      "('queued', 'leased', 'pending', 'running')",
      name);
  if (int64_t n = active[0].as<int64_t>(); n > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("queue ", name, " has ", n, " unfinished jobs; cancel them first"));
  }
  if (tx.exec_params("DELETE FROM queues WHERE name = $1", name).affected_rows() == 0) {
    return absl::NotFoundError(absl::StrCat("queue ", name, " does not exist"));
  }
  // Its ended jobs stay until retention deletes them (GetJobStatus still
  // answers for them); its fair-share memory goes now.
  tx.exec_params0("DELETE FROM queue_usage WHERE queue = $1", name);
  return absl::OkStatus();
}

}  // namespace armada::store
