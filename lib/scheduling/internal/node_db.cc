#include "lib/scheduling/internal/node_db.h"

#include <algorithm>
#include <cassert>

namespace armada::scheduling::internal {
namespace {

bool HasNegative(const model::ResourceList& amounts) {
  for (const auto& [name, milli] : amounts.entries()) {
    if (milli < 0) return true;
  }
  return false;
}

}  // namespace

NodeDb::NodeDb(const std::vector<const model::NodeInfo*>& nodes, const model::ResourceList& total,
               const std::vector<FairnessResource>& resources,
               const std::set<std::string>& indexed_labels, const std::set<int32_t>& priorities)
    : nodes_(nodes) {
  std::vector<model::ResourceList> used;
  for (const model::NodeInfo* node : nodes) used.push_back(node->allocated);
  levels_.push_back({kEvictedLevel, NodeIndex(nodes, used, total, resources, indexed_labels)});
  for (int32_t p : priorities) {
    levels_.push_back({p, NodeIndex(nodes, used, total, resources, indexed_labels)});
  }
}

bool NodeDb::IsEvicted(int job) const {
  const Bound* b = Find(job);
  return b != nullptr && b->evicted;
}

void NodeDb::Bind(int job, const model::NodeInfo* node, const model::ResourceList* requests,
                  int32_t priority, bool preemptible) {
  [[maybe_unused]] const Bound* now = Find(job);
  assert(now == nullptr || now->evicted);
  Bound b;
  b.node = node;
  b.requests = requests;
  b.priority = priority;
  b.cutoff = preemptible ? priority : kNonPreemptible;
  assert(now == nullptr || now->node == node);
  Set(job, b);
}

void NodeDb::Evict(int job) {
  Bound b = At(job);
  assert(!b.evicted);
  b.evicted = true;
  Set(job, b);
}

void NodeDb::Unbind(int job) {
  assert(Find(job) != nullptr);
  Set(job, std::nullopt);
}

std::vector<int> NodeDb::JobsOn(const model::NodeInfo* node) const {
  auto it = on_node_.find(node);
  if (it == on_node_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

void NodeDb::SetEvictedOrder(int job, int order) {
  Bound b = At(job);
  assert(b.evicted);
  b.order = order;
  Set(job, b);
}

void NodeDb::ClearEvictedOrder() {
  for (const auto& [order, job] : by_order_) At(job).order = -1;
  by_order_.clear();
  for (auto& [job, before] : journal_) {
    if (before) before->order = -1;
  }
}

void NodeDb::Count(const Bound& b, bool add) {
  for (Level& level : levels_) {
    if (level.priority > b.cutoff) break;
    if (b.evicted && level.priority != kEvictedLevel) break;
    if (!level.index.Contains(b.node)) return;
    if (add) {
      level.index.Place(b.node, *b.requests);
    } else {
      level.index.Remove(b.node, *b.requests);
    }
  }
}

void NodeDb::Set(int job, std::optional<Bound> target, bool journal) {
  if (job >= static_cast<int>(jobs_.size())) jobs_.resize(job + 1);
  std::optional<Bound>& slot = jobs_[job];
  std::optional<Bound> before = slot;
  if (journal) journal_.emplace_back(job, before);
  if (before) {
    Count(*before, false);
    if (before->order >= 0) by_order_.erase({before->order, job});
    on_node_[before->node].erase(job);
    slot.reset();
  }
  if (target) {
    // Only an evicted job keeps its place in the evicted order.
    if (!target->evicted) target->order = -1;
    Count(*target, true);
    if (target->order >= 0) by_order_.insert({target->order, job});
    on_node_[target->node].insert(job);
    slot = *target;
  }
}

void NodeDb::Rollback(size_t checkpoint) {
  while (journal_.size() > checkpoint) {
    auto [job, before] = std::move(journal_.back());
    journal_.pop_back();
    Set(job, before, /*journal=*/false);
  }
}

const NodeDb::Level& NodeDb::LevelOf(int32_t priority) const {
  // The highest level at or below `priority`: a job sees as free what lower levels hold.
  const Level* found = &levels_[0];
  for (const Level& level : levels_) {
    if (level.priority > priority) break;
    found = &level;
  }
  return *found;
}

NodeIndex::Fit NodeDb::BestFitAt(int32_t priority, const model::QueuedJob& job,
                                 const std::set<const model::NodeInfo*>* excluded) const {
  return LevelOf(priority).index.BestFit(job, excluded);
}

const model::ResourceList& NodeDb::FreeAt(const model::NodeInfo* node, int32_t priority) const {
  return LevelOf(priority).index.Free(node);
}

std::vector<int32_t> NodeDb::OversubscribedPriorities(const model::NodeInfo* node) const {
  std::vector<int32_t> out;
  if (!Contains(node)) return out;
  for (size_t l = 1; l < levels_.size(); ++l) {
    if (HasNegative(levels_[l].index.Free(node))) out.push_back(levels_[l].priority);
  }
  return out;
}

std::vector<int32_t> NodeDb::Priorities() const {
  std::vector<int32_t> out;
  for (size_t l = 1; l < levels_.size(); ++l) out.push_back(levels_[l].priority);
  return out;
}

}  // namespace armada::scheduling::internal
