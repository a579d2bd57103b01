#include "lib/scheduling/fifo_scheduler.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <map>

namespace armada::scheduling {
namespace {

bool MatchesSelector(const model::QueuedJob& job, const model::NodeInfo& node) {
  for (const auto& [key, value] : job.node_selector) {
    auto it = node.labels.find(key);
    if (it == node.labels.end() || it->second != value) return false;
  }
  return true;
}

// What is left on the node after placing `requests`, summed over resources
// scaled to the node's size, so that "tightest" compares across resource kinds.
double Slack(const model::NodeInfo& node, const model::ResourceList& free,
             const model::ResourceList& requests) {
  double slack = 0;
  for (const auto& [name, capacity] : node.allocatable.entries()) {
    if (capacity <= 0) continue;
    slack += static_cast<double>(free.Get(name) - requests.Get(name)) / capacity;
  }
  return slack;
}

}  // namespace

Decision FifoScheduler::Schedule(const SchedulingSnapshot& snapshot) const {
  Decision decision;

  // Free capacity per node, in a deterministic (name) order.
  std::vector<const model::NodeInfo*> nodes;
  std::vector<model::ResourceList> free;
  for (const auto& node : snapshot.nodes) nodes.push_back(&node);
  std::sort(nodes.begin(), nodes.end(), [](auto* a, auto* b) {
    return std::tie(a->executor, a->name) < std::tie(b->executor, b->name);
  });
  std::map<std::pair<std::string, std::string>, size_t> node_index;
  for (const auto* node : nodes) {
    node_index[{node->executor, node->name}] = free.size();
    model::ResourceList f = node->allocatable;
    f.Subtract(node->allocated);
    free.push_back(std::move(f));
  }
  // The scheduler's own running jobs; NodeInfo.allocated holds only the rest (scheduler.h).
  for (const auto& job : snapshot.running) {
    auto it = node_index.find({job.executor, job.node});
    if (it != node_index.end()) free[it->second].Subtract(job.requests);
  }

  // Each schedulable queue's jobs, in scheduling order.
  std::map<std::string, std::deque<const model::QueuedJob*>> by_queue;
  for (const auto& queue : snapshot.queues) {
    if (!queue.cordoned) by_queue[queue.name];
  }
  for (const auto& job : snapshot.jobs) {
    auto it = by_queue.find(job.queue);
    if (it == by_queue.end()) {
      decision.unscheduled.push_back(
          {job.id, "queue " + job.queue + " is cordoned or unknown", UnscheduledKind::kQueue});
      continue;
    }
    it->second.push_back(&job);
  }
  for (auto& [name, jobs] : by_queue) {
    std::sort(jobs.begin(), jobs.end(), [](auto* a, auto* b) {
      return std::tie(a->priority, a->submit_seq, a->id) <
             std::tie(b->priority, b->submit_seq, b->id);
    });
  }

  bool progress = true;
  while (progress) {
    progress = false;
    for (auto& [queue, jobs] : by_queue) {
      if (jobs.empty()) continue;
      progress = true;
      const model::QueuedJob& job = *jobs.front();
      jobs.pop_front();

      int best = -1;
      double best_slack = std::numeric_limits<double>::max();
      for (size_t i = 0; i < nodes.size(); ++i) {
        const model::NodeInfo& node = *nodes[i];
        if (node.unschedulable || !MatchesSelector(job, node)) continue;
        if (std::find(job.avoid_nodes.begin(), job.avoid_nodes.end(), node.name) !=
            job.avoid_nodes.end()) {
          continue;
        }
        if (!job.requests.FitsWithin(free[i])) continue;
        double slack = Slack(node, free[i], job.requests);
        if (slack < best_slack) {
          best_slack = slack;
          best = static_cast<int>(i);
        }
      }
      if (best < 0) {
        decision.unscheduled.push_back(
            {job.id, "no node has " + job.requests.ToString() + " free and matches the job"});
        continue;
      }
      free[best].Subtract(job.requests);
      const model::NodeInfo& node = *nodes[best];
      decision.leases.push_back({job.id, job.queue, node.executor, node.name, node.pool, "", ""});
    }
  }
  return decision;
}

}  // namespace armada::scheduling
