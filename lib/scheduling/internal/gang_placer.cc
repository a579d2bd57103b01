#include "lib/scheduling/internal/gang_placer.h"

#include <optional>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"

namespace armada::scheduling::internal {
namespace {

GangPlacement PlaceOnce(NodeDb& db, const GangRequest& gang, const std::string& value,
                        bool fair_share_preemption,
                        const std::function<std::vector<int>(int job)>& evicted_siblings) {
  const size_t checkpoint = db.Checkpoint();
  GangPlacement out;
  for (const PlacementRequest& member : gang.members) {
    PlacementRequest request = member;
    model::QueuedJob constrained;
    if (!gang.uniformity_label.empty() && member.spec != nullptr) {
      constrained = *member.spec;
      constrained.node_selector[gang.uniformity_label] = value;
      request.spec = &constrained;
    }
    Placement p = SelectNode(db, request, fair_share_preemption);
    if (p.node == nullptr) {
      db.Rollback(checkpoint);
      GangPlacement failed;
      failed.reason = gang.uniformity_label.empty()
                          ? p.reason
                          : absl::StrCat(gang.uniformity_label, "=", value, ": ", p.reason);
      return failed;
    }
    for (int victim : p.preempted) {
      out.preempted.emplace_back(victim, member.job);
      for (int sibling : evicted_siblings(victim)) {
        if (!db.IsEvicted(sibling)) continue;
        db.Unbind(sibling);
        out.preempted.emplace_back(sibling, member.job);
      }
    }
    out.members.emplace_back(member.job, std::move(p));
  }
  out.ok = true;
  out.uniformity_value = value;
  return out;
}

// Lower is better (see the header).
std::tuple<int, int64_t, int64_t, std::string> Quality(const NodeDb& db,
                                                       const GangPlacement& placement,
                                                       const std::string& dominant) {
  int preempting = 0;
  int64_t priorities = 0;
  int64_t free_after = 0;
  std::set<const model::NodeInfo*> nodes;
  for (const auto& [job, p] : placement.members) {
    if (p.preempted_at != NodeDb::kEvictedLevel) {
      ++preempting;
      priorities += p.preempted_at;
    }
    if (nodes.insert(p.node).second) {
      free_after += db.FreeAt(p.node, NodeDb::kEvictedLevel).Get(dominant);
    }
  }
  return {preempting, priorities, free_after, placement.uniformity_value};
}

}  // namespace

GangPlacement PlaceGang(NodeDb& db, const GangRequest& gang, bool fair_share_preemption,
                        const std::function<std::vector<int>(int job)>& evicted_siblings) {
  if (gang.uniformity_label.empty()) {
    return PlaceOnce(db, gang, "", fair_share_preemption, evicted_siblings);
  }
  std::set<std::string> values;
  for (const model::NodeInfo* node : db.nodes()) {
    auto it = node->labels.find(gang.uniformity_label);
    if (it != node->labels.end() && db.Contains(node)) values.insert(it->second);
  }
  if (values.empty()) {
    GangPlacement none;
    none.reason = absl::StrCat("no node has the uniformity label ", gang.uniformity_label);
    return none;
  }
  std::optional<std::tuple<int, int64_t, int64_t, std::string>> best;
  std::string why;
  for (const std::string& value : values) {
    const size_t checkpoint = db.Checkpoint();
    GangPlacement p = PlaceOnce(db, gang, value, fair_share_preemption, evicted_siblings);
    if (!p.ok) {
      why = p.reason;
      continue;
    }
    auto quality = Quality(db, p, gang.dominant_resource);
    db.Rollback(checkpoint);
    if (!best || quality < *best) best = quality;
  }
  if (!best) {
    GangPlacement none;
    none.reason = why;
    return none;
  }
  return PlaceOnce(db, gang, std::get<3>(*best), fair_share_preemption, evicted_siblings);
}

}  // namespace armada::scheduling::internal
