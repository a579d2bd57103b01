#include "lib/scheduling/node_matching.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace armada::scheduling {

bool Tolerates(const model::Toleration& toleration, const model::Taint& taint) {
  if (!toleration.effect.empty() && toleration.effect != taint.effect) return false;
  if (!toleration.key.empty() && toleration.key != taint.key) return false;
  if (toleration.op == "Exists") return true;
  if (toleration.op == "Equal" || toleration.op.empty()) {
    // An empty key is only valid with Exists.
    return !toleration.key.empty() && toleration.value == taint.value;
  }
  return false;
}

bool ToleratesTaints(const std::vector<model::Toleration>& tolerations,
                     const std::vector<model::Taint>& taints) {
  for (const model::Taint& taint : taints) {
    if (taint.effect != "NoSchedule" && taint.effect != "NoExecute") continue;
    bool tolerated = std::any_of(tolerations.begin(), tolerations.end(),
                                 [&](const model::Toleration& t) { return Tolerates(t, taint); });
    if (!tolerated) return false;
  }
  return true;
}

bool MatchesRequirement(const model::NodeSelectorRequirement& req,
                        const std::map<std::string, std::string>& labels) {
  auto it = labels.find(req.key);
  bool present = it != labels.end();
  auto listed = [&] {
    return std::find(req.values.begin(), req.values.end(), it->second) != req.values.end();
  };
  if (req.op == "In") return present && listed();
  if (req.op == "NotIn") return !present || !listed();
  if (req.op == "Exists") return present;
  if (req.op == "DoesNotExist") return !present;
  if (req.op == "Gt" || req.op == "Lt") {
    if (!present || req.values.size() != 1) return false;
    int64_t label = 0;
    int64_t bound = 0;
    if (!absl::SimpleAtoi(it->second, &label) || !absl::SimpleAtoi(req.values[0], &bound)) {
      return false;
    }
    return req.op == "Gt" ? label > bound : label < bound;
  }
  return false;
}

bool MatchesNodeAffinity(const std::vector<model::NodeSelectorTerm>& terms,
                         const std::map<std::string, std::string>& labels) {
  if (terms.empty()) return true;
  for (const model::NodeSelectorTerm& term : terms) {
    if (term.match_expressions.empty()) continue;
    bool all = std::all_of(
        term.match_expressions.begin(), term.match_expressions.end(),
        [&](const model::NodeSelectorRequirement& r) { return MatchesRequirement(r, labels); });
    if (all) return true;
  }
  return false;
}

std::optional<std::string> StaticMismatch(const model::QueuedJob& job,
                                          const model::NodeInfo& node) {
  if (node.unschedulable) return "node is unschedulable";
  for (const model::Taint& taint : node.taints) {
    if (!ToleratesTaints(job.tolerations, {taint})) {
      return absl::StrCat("untolerated taint ", taint.key, "=", taint.value, ":", taint.effect);
    }
  }
  for (const auto& [key, value] : job.node_selector) {
    auto it = node.labels.find(key);
    if (it == node.labels.end() || it->second != value) {
      return absl::StrCat("node selector ", key, "=", value);
    }
  }
  if (!MatchesNodeAffinity(job.node_affinity, node.labels)) return "node affinity";
  return std::nullopt;
}

std::string SchedulingKey(const model::QueuedJob& job) {
  std::string key = job.requests.ToString();
  auto add = [&key](const std::string& s) { absl::StrAppend(&key, "|", s.size(), ":", s); };
  for (const auto& [k, v] : job.node_selector) add(k), add(v);
  add("affinity");
  for (const auto& term : job.node_affinity) {
    add("term");
    for (const auto& r : term.match_expressions) {
      add(r.key), add(r.op);
      for (const auto& v : r.values) add(v);
      add("end");
    }
  }
  add("tolerations");
  for (const auto& t : job.tolerations) add(t.key), add(t.op), add(t.value), add(t.effect);
  add("avoid");
  for (const auto& node : job.avoid_nodes) add(node);
  return key;
}

}  // namespace armada::scheduling
