#include "lib/scheduling/internal/gang_reservation.h"

#include <algorithm>
#include <limits>
#include <map>
#include <string>

#include "lib/scheduling/node_matching.h"

namespace armada::scheduling::internal {
namespace {

// How many copies of `requests` fit in `free`.
int64_t Copies(const model::ResourceList& requests, const model::ResourceList& free) {
  int64_t copies = std::numeric_limits<int64_t>::max();
  for (const auto& [name, milli] : requests.entries()) {
    if (milli <= 0) continue;
    copies = std::min(copies, std::max<int64_t>(0, free.Get(name)) / milli);
  }
  return copies == std::numeric_limits<int64_t>::max() ? 0 : copies;
}

// One group of nodes the gang may use (all nodes, or one uniformity label value).
class Group {
 public:
  Group(std::vector<const model::NodeInfo*> nodes, const NodeDb& db,
        const std::vector<const model::QueuedJob*>& members)
      : nodes_(std::move(nodes)), members_(members) {
    identical_ = std::all_of(members.begin(), members.end(), [&](const model::QueuedJob* m) {
      return m->requests == members.front()->requests;
    });
    for (const model::NodeInfo* node : nodes_) {
      free_[node] = db.FreeAt(node, NodeDb::kEvictedLevel);
      if (identical_)
        total_copies_ += copies_[node] = Copies(members.front()->requests, free_[node]);
    }
  }

  bool Has(const model::NodeInfo* node) const { return free_.contains(node); }

  void Release(const model::NodeInfo* node, const model::ResourceList& requests) {
    model::ResourceList& free = free_.at(node);
    free.Add(requests);
    if (identical_) {
      const int64_t now = Copies(members_.front()->requests, free);
      total_copies_ += now - copies_[node];
      copies_[node] = now;
    }
  }

  // The nodes the gang would use now, or nullopt.
  std::optional<std::set<const model::NodeInfo*>> Fit() const {
    if (identical_) {
      if (total_copies_ < static_cast<int64_t>(members_.size())) return std::nullopt;
      // The nodes with room for the most members first: the fewest nodes held.
      std::vector<const model::NodeInfo*> by_room(nodes_);
      std::sort(by_room.begin(), by_room.end(), [&](auto* a, auto* b) {
        return std::make_pair(-copies_.at(a), a->name) < std::make_pair(-copies_.at(b), b->name);
      });
      std::set<const model::NodeInfo*> used;
      int64_t left = static_cast<int64_t>(members_.size());
      for (const model::NodeInfo* node : by_room) {
        if (left <= 0) break;
        if (copies_.at(node) <= 0) break;
        used.insert(node);
        left -= copies_.at(node);
      }
      return used;
    }
    std::map<const model::NodeInfo*, model::ResourceList> free = free_;
    std::set<const model::NodeInfo*> used;
    for (const model::QueuedJob* member : members_) {
      bool placed = false;
      for (const model::NodeInfo* node : nodes_) {
        if (!member->requests.FitsWithin(free.at(node))) continue;
        free.at(node).Subtract(member->requests);
        used.insert(node);
        placed = true;
        break;
      }
      if (!placed) return std::nullopt;
    }
    return used;
  }

 private:
  std::vector<const model::NodeInfo*> nodes_;
  const std::vector<const model::QueuedJob*>& members_;
  bool identical_ = false;
  std::map<const model::NodeInfo*, model::ResourceList> free_;
  std::map<const model::NodeInfo*, int64_t> copies_;
  int64_t total_copies_ = 0;
};

}  // namespace

std::optional<ReservationPlan> PlanGangReservation(
    const NodeDb& db, const std::vector<const model::QueuedJob*>& members,
    const std::vector<Release>& releases, absl::Time now) {
  if (members.empty()) return std::nullopt;
  const std::string& label = members.front()->gang_uniformity_label;
  std::map<std::string, std::vector<const model::NodeInfo*>> groups;  // label value -> nodes
  for (const model::NodeInfo* node : db.nodes()) {
    if (!db.Contains(node)) continue;
    const bool matches = std::none_of(members.begin(), members.end(), [&](auto* m) {
      return StaticMismatch(*m, *node).has_value() ||
             std::find(m->avoid_nodes.begin(), m->avoid_nodes.end(), node->name) !=
                 m->avoid_nodes.end();
    });
    if (!matches) continue;
    if (label.empty()) {
      groups[""].push_back(node);
    } else if (auto it = node->labels.find(label); it != node->labels.end()) {
      groups[it->second].push_back(node);
    }
  }
  std::vector<Release> ordered;
  for (const Release& r : releases) {
    if (r.at == absl::InfiniteFuture() || r.node == nullptr) continue;
    ordered.push_back({r.node, r.requests, std::max(r.at, now)});
  }
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const Release& a, const Release& b) { return a.at < b.at; });
  std::optional<ReservationPlan> best;
  for (auto& [value, nodes] : groups) {
    Group group(nodes, db, members);
    std::optional<std::set<const model::NodeInfo*>> fit = group.Fit();
    absl::Time at = now;
    for (size_t i = 0; !fit && i < ordered.size(); ++i) {
      if (best && ordered[i].at >= best->start) break;  // cannot beat the best value
      if (group.Has(ordered[i].node)) group.Release(ordered[i].node, *ordered[i].requests);
      if (i + 1 < ordered.size() && ordered[i + 1].at == ordered[i].at) continue;
      at = ordered[i].at;
      fit = group.Fit();
    }
    if (fit && (!best || at < best->start)) best = ReservationPlan{std::move(*fit), at};
  }
  return best;
}

}  // namespace armada::scheduling::internal
