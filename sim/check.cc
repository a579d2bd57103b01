#include "sim/check.h"

#include <set>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace armada::sim {
namespace {

// Adds job `QUEUE/ROUND/INDEX` to `out`; ids of another shape (none in round mode) are kept whole
// under round -1 so that they still show up as unexpected.
void AddJob(const std::string& id, JobIndices& out, std::set<std::string>& odd) {
  const std::vector<std::string> parts = absl::StrSplit(id, '/');
  int round = 0;
  int64_t index = 0;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[1], &round) ||
      !absl::SimpleAtoi(parts[2], &index)) {
    odd.insert(id);
    return;
  }
  out[parts[0]][round].insert(index);
}

// "{0: 11-15, 1: 3}", or "none"; with `plain_round` >= 0 and only that round present, the plain
// index list.
std::string FormatByRound(const std::map<int, std::set<int64_t>>& by_round, int plain_round) {
  std::vector<std::string> parts;
  for (const auto& [round, indices] : by_round) {
    if (!indices.empty()) parts.push_back(absl::StrCat(round, ": ", FormatIndices(indices)));
  }
  if (parts.empty()) return "none";
  if (plain_round >= 0 && parts.size() == 1 && by_round.contains(plain_round) &&
      !by_round.at(plain_round).empty()) {
    return FormatIndices(by_round.at(plain_round));
  }
  return absl::StrCat("{", absl::StrJoin(parts, ", "), "}");
}

// Drops empty index sets, so that `A: []` equals no entry.
std::map<int, std::set<int64_t>> NonEmpty(const std::map<int, std::set<int64_t>>& by_round) {
  std::map<int, std::set<int64_t>> out;
  for (const auto& [round, indices] : by_round) {
    if (!indices.empty()) out[round] = indices;
  }
  return out;
}

void Compare(int round, const char* what, const JobIndices& expected, const JobIndices& actual,
             bool plain, std::vector<std::string>& out) {
  std::set<std::string> queues;
  for (const auto& [queue, unused] : expected) queues.insert(queue);
  for (const auto& [queue, unused] : actual) queues.insert(queue);
  for (const std::string& queue : queues) {
    const auto e = expected.find(queue);
    const auto a = actual.find(queue);
    const auto want =
        e == expected.end() ? std::map<int, std::set<int64_t>>{} : NonEmpty(e->second);
    const auto got = a == actual.end() ? std::map<int, std::set<int64_t>>{} : NonEmpty(a->second);
    if (want == got) continue;
    const int plain_round = plain ? round : -1;
    out.push_back(absl::StrCat("round ", round, ": ", what, " ", queue, ": expected ",
                               FormatByRound(want, plain_round), ", got ",
                               FormatByRound(got, plain_round)));
  }
}

}  // namespace

std::string FormatIndices(const std::set<int64_t>& indices) {
  if (indices.empty()) return "none";
  std::vector<std::string> parts;
  auto it = indices.begin();
  while (it != indices.end()) {
    const int64_t lo = *it;
    int64_t hi = lo;
    for (++it; it != indices.end() && *it == hi + 1; ++it) hi = *it;
    parts.push_back(lo == hi ? absl::StrCat(lo) : absl::StrCat(lo, "-", hi));
  }
  return absl::StrJoin(parts, ",");
}

std::vector<std::string> CheckRounds(const Scenario& scenario, const RoundResult& result) {
  std::vector<std::string> out;
  for (const RoundRecord& record : result.rounds) {
    const auto r = static_cast<size_t>(record.round);
    if (r >= scenario.rounds.size() || !scenario.rounds[r].expect) continue;
    const RoundExpect& expect = *scenario.rounds[r].expect;
    JobIndices scheduled;
    JobIndices preempted;
    std::set<std::string> odd;
    for (const auto& [job, node] : record.scheduled) AddJob(job, scheduled, odd);
    for (const auto& job : record.preempted) AddJob(job, preempted, odd);
    Compare(record.round, "scheduled", expect.scheduled, scheduled, true, out);
    Compare(record.round, "preempted", expect.preempted, preempted, false, out);
    for (const std::string& job : odd) {
      out.push_back(absl::StrCat("round ", record.round, ": unexpected job id ", job));
    }
  }
  return out;
}

}  // namespace armada::sim
