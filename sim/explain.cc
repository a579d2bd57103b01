#include "sim/explain.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/scheduling/scheduling_report.h"

namespace armada::sim {

std::string NodeBreakdown(const model::QueuedJob& job, const std::vector<model::NodeInfo>& nodes,
                          const std::vector<model::RunningJob>& running) {
  std::map<std::pair<std::string, std::string>, model::ResourceList> used;
  for (const auto& r : running) used[{r.executor, r.node}].Add(r.requests);
  std::vector<scheduling::NodeSummary> summaries;
  for (const auto& node : nodes) {
    scheduling::NodeSummary summary{node, node.allocatable};
    summary.free.Subtract(node.allocated);
    summary.free.Subtract(used[{node.executor, node.name}]);
    summaries.push_back(std::move(summary));
  }
  std::vector<std::string> parts;
  for (const auto& [reason, n] : scheduling::NodeFitCounts(job, summaries)) {
    parts.push_back(absl::StrCat(n, " ", reason));
  }
  return parts.empty() ? "no nodes" : "nodes: " + absl::StrJoin(parts, ", ");
}

std::string ExplainReport(int64_t cycle, const scheduling::SchedulingSnapshot& snapshot,
                          const scheduling::Decision& decision, const std::string& job_id) {
  if (job_id.empty()) return "";
  const scheduling::CycleSummary summary = scheduling::Summarize(cycle, snapshot, decision);
  // No breakdowns for the other jobs: the explained one gets its own below.
  for (auto& outcome : scheduling::JobOutcomes(summary, snapshot, decision, 0)) {
    if (outcome.job_id != job_id) continue;
    if (outcome.kind == scheduling::JobOutcome::Kind::kUnscheduled &&
        scheduling::NeedsNodeBreakdown(outcome.unscheduled_kind)) {
      for (const auto& job : snapshot.jobs) {
        if (job.id == job_id)
          outcome.node_breakdown = scheduling::NodeBreakdown(job, summary.nodes);
      }
    }
    return absl::StrCat(scheduling::FormatJobReport(outcome), "\n",
                        scheduling::FormatQueueReport(summary, outcome.queue, 0));
  }
  return "";
}

}  // namespace armada::sim
