#include "server/scheduler/snapshot_loader.h"

#include "api/submit.pb.h"
#include "executorapi/executorapi.pb.h"
#include "lib/model/resource_quantity.h"
#include "lib/store/executor_store.h"
#include "lib/store/job_store.h"
#include "lib/store/queue_store.h"
#include "server/jobs/scheduling_conversion.h"
#include "spdlog/spdlog.h"

namespace armada::server {
namespace {

template <typename Map>
model::ResourceList ResourcesOf(const Map& quantities, const std::string& what) {
  model::ResourceList list;
  for (const auto& [name, quantity] : quantities) {
    auto milli = model::ParseQuantity(quantity.string());
    if (!milli.ok()) {
      spdlog::warn("{}: ignoring {}: {}", what, name, std::string(milli.status().message()));
      continue;
    }
    list.Set(name, *milli);
  }
  return list;
}

std::vector<model::NodeInfo> NodesOf(const std::vector<store::ExecutorRecord>& executors) {
  std::vector<model::NodeInfo> nodes;
  for (const auto& executor : executors) {
    executorapi::LeaseRequest report;
    if (!report.ParseFromString(executor.report)) {
      spdlog::error("executor={} stored report is unreadable; its nodes are left out",
                    executor.name);
      continue;
    }
    for (const auto& n : report.nodes()) {
      model::NodeInfo node;
      node.name = n.name();
      node.executor = executor.name;
      node.pool = n.pool().empty() ? report.pool() : n.pool();
      node.labels = {n.labels().begin(), n.labels().end()};
      node.allocatable = ResourcesOf(n.allocatable_resources(), "node " + n.name());
      node.allocated = ResourcesOf(n.non_armada_allocated_resources(), "node " + n.name());
      node.unschedulable = n.unschedulable();
      node.taints = TaintsOf(n.taints());
      nodes.push_back(std::move(node));
    }
  }
  return nodes;
}

}  // namespace

absl::Status LoadSnapshotTables(store::Database& db, const SnapshotSettings& settings,
                                absl::Time now, scheduling::SchedulingSnapshot& snapshot) {
  return db.Run([&](pqxx::work& tx) {
    snapshot.queues.clear();
    for (const auto& q : store::ListQueues(tx)) {
      api::Queue definition;
      if (!definition.ParseFromString(q.definition)) {
        spdlog::error("queue={} stored definition is unreadable; not scheduling it", q.name);
        continue;
      }
      snapshot.queues.push_back(QueueInfoOf(definition));
    }
    snapshot.nodes = NodesOf(store::ExecutorsSeenSince(tx, now - settings.executor_timeout));
    // Cordoned executors get nothing new; nor does an executor that has not
    // started what it was given (back-pressure).
    const auto cordoned = store::CordonedExecutors(tx);
    const auto unacknowledged = store::UnacknowledgedRunsByExecutor(tx);
    std::erase_if(snapshot.nodes, [&](const model::NodeInfo& node) {
      auto it = unacknowledged.find(node.executor);
      return cordoned.count(node.executor) ||
             (it != unacknowledged.end() &&
              it->second >= settings.max_unacknowledged_runs_per_executor);
    });
    snapshot.usage = store::LoadQueueUsage(tx);
    return absl::OkStatus();
  });
}

}  // namespace armada::server
