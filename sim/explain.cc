#include "sim/explain.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/scheduling/node_matching.h"

namespace armada::sim {

std::string NodeBreakdown(const model::QueuedJob& job, const std::vector<model::NodeInfo>& nodes,
                          const std::vector<model::RunningJob>& running) {
  std::map<std::pair<std::string, std::string>, model::ResourceList> used;
  for (const auto& r : running) used[{r.executor, r.node}].Add(r.requests);
  std::map<std::string, int> counts;
  for (const auto& node : nodes) {
    if (auto why = scheduling::StaticMismatch(job, node)) {
      ++counts[*why];
      continue;
    }
    model::ResourceList free = node.allocatable;
    free.Subtract(node.allocated);
    free.Subtract(used[{node.executor, node.name}]);
    std::vector<std::string> short_of;
    for (const auto& [name, milli] : job.requests.entries()) {
      if (milli > free.Get(name)) short_of.push_back(name);
    }
    ++counts[short_of.empty() ? "fits" : "too little free " + absl::StrJoin(short_of, ",")];
  }
  std::vector<std::string> parts;
  for (const auto& [reason, n] : counts) parts.push_back(absl::StrCat(n, " ", reason));
  return parts.empty() ? "no nodes" : "nodes: " + absl::StrJoin(parts, ", ");
}

}  // namespace armada::sim
