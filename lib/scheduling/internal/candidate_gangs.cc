#include "lib/scheduling/internal/candidate_gangs.h"

namespace armada::scheduling::internal {

CandidateGangs::CandidateGangs(std::map<std::string, std::vector<Gang>> gangs, CostFn cost)
    : cost_(std::move(cost)) {
  for (auto& [name, list] : gangs) queues_[name].gangs = std::move(list);
  for (const auto& [name, q] : queues_) Push(name);
}

bool CandidateGangs::Offers(const Queue& q) const {
  if (q.next >= q.gangs.size()) return false;
  return q.gangs[q.next].evicted || !(only_evicted_ || q.only_evicted);
}

void CandidateGangs::Push(const std::string& name) {
  const Queue& q = queues_.at(name);
  if (!Offers(q)) return;
  const Gang& head = q.gangs[q.next];
  heap_.insert({-static_cast<int64_t>(head.priority), cost_(name, head.total), name});
}

const Gang* CandidateGangs::Peek() const {
  if (heap_.empty()) return nullptr;
  const Queue& q = queues_.at(std::get<2>(*heap_.begin()));
  return &q.gangs[q.next];
}

void CandidateGangs::Next() {
  if (heap_.empty()) return;
  const std::string name = std::get<2>(*heap_.begin());
  heap_.erase(heap_.begin());
  ++queues_.at(name).next;
  Push(name);
}

void CandidateGangs::OnlyEvicted() {
  if (only_evicted_) return;
  only_evicted_ = true;
  for (auto it = heap_.begin(); it != heap_.end();) {
    it = Offers(queues_.at(std::get<2>(*it))) ? std::next(it) : heap_.erase(it);
  }
}

void CandidateGangs::OnlyEvictedFor(const std::string& queue) {
  Queue& q = queues_.at(queue);
  if (q.only_evicted) return;
  q.only_evicted = true;
  if (Offers(q)) return;
  for (auto it = heap_.begin(); it != heap_.end(); ++it) {
    if (std::get<2>(*it) == queue) {
      heap_.erase(it);
      break;
    }
  }
}

void CandidateGangs::ResumeNew() {
  if (!only_evicted_) return;
  only_evicted_ = false;
  heap_.clear();
  for (const auto& [name, q] : queues_) Push(name);
}

std::vector<const Gang*> CandidateGangs::Remaining(const std::string& queue) const {
  std::vector<const Gang*> out;
  auto it = queues_.find(queue);
  if (it == queues_.end()) return out;
  for (size_t i = it->second.next; i < it->second.gangs.size(); ++i) {
    out.push_back(&it->second.gangs[i]);
  }
  return out;
}

}  // namespace armada::scheduling::internal
