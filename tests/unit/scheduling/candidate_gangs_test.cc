// CandidateGangs (lib/scheduling/internal/candidate_gangs.h): the cross-queue order (higher
// priority, then lower cost counting the gang, then queue name), each queue's own order, costs
// read when a queue's head changes, only-evicted modes and Remaining.

#include "lib/scheduling/internal/candidate_gangs.h"

#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tests/unit/fixtures/scheduling_fixtures.h"

namespace armada::scheduling::internal {
namespace {

using fixtures::Resources;

Gang G(const std::string& queue, int handle, const std::string& cpu, int32_t priority = 100,
       bool evicted = false) {
  Gang g;
  g.queue = queue;
  g.members = {handle};
  g.evicted = evicted;
  g.priority = priority;
  g.total = Resources(cpu, "1Gi");
  return g;
}

// cost = base[queue] + cpus of the gang (what it would hold with the gang, in this toy model).
struct Costs {
  std::map<std::string, double> base;
  CandidateGangs::CostFn Fn() {
    return [this](const std::string& queue, const model::ResourceList& with_gang) {
      return base[queue] + static_cast<double>(with_gang.Get("cpu")) / 1000.0;
    };
  }
};

// Handles in the order offered (first member of each gang), calling `before_next` between.
std::vector<int> Drain(
    CandidateGangs& c, const std::function<void(const Gang&)>& before_next = [](const Gang&) {}) {
  std::vector<int> out;
  while (const Gang* g = c.Peek()) {
    out.push_back(g->members.front());
    before_next(*g);
    c.Next();
  }
  return out;
}

TEST_CASE("CandidateGangs: empty") {
  Costs costs;
  CandidateGangs c({}, costs.Fn());
  CHECK(c.Peek() == nullptr);
  c.Next();  // harmless
  CHECK(c.Peek() == nullptr);
  CHECK(c.Remaining("a").empty());
}

TEST_CASE("CandidateGangs: higher priority comes before lower cost") {
  Costs costs{{{"a", 0.0}, {"b", 100.0}}};
  CandidateGangs c({{"a", {G("a", 1, "1", 100)}}, {"b", {G("b", 2, "8", 1000)}}}, costs.Fn());
  REQUIRE(c.Peek() != nullptr);
  CHECK(c.Peek()->queue == "b");
  CHECK(Drain(c) == std::vector<int>{2, 1});
}

TEST_CASE("CandidateGangs: cost counts the gang") {
  // a holds less (0 < 1) but its head gang is big: 0 + 8 > 1 + 1.
  Costs costs{{{"a", 0.0}, {"b", 1.0}}};
  CandidateGangs c({{"a", {G("a", 1, "8")}}, {"b", {G("b", 2, "1")}}}, costs.Fn());
  CHECK(Drain(c) == std::vector<int>{2, 1});
}

TEST_CASE("CandidateGangs: equal priority and cost: the smaller queue name") {
  Costs costs{{{"a", 1.0}, {"b", 1.0}}};
  CandidateGangs c({{"b", {G("b", 2, "1")}}, {"a", {G("a", 1, "1")}}}, costs.Fn());
  CHECK(c.Peek()->queue == "a");
  CHECK(Drain(c) == std::vector<int>{1, 2});
}

TEST_CASE("CandidateGangs: a queue's gangs come in its own order; costs are re-read") {
  Costs costs{{{"a", 0.0}, {"b", 0.0}}};
  // Each queue's gangs in the caller's order, even where a later one would cost less.
  CandidateGangs c({{"a", {G("a", 1, "2"), G("a", 2, "1"), G("a", 3, "1")}},
                    {"b", {G("b", 11, "3"), G("b", 12, "3")}}},
                   costs.Fn());
  // As if each offered gang were scheduled: its queue's cost grows by its cpus.
  const std::vector<int> order =
      Drain(c, [&](const Gang& g) { costs.base[g.queue] += g.total.Get("cpu") / 1000.0; });
  // a1 (2) < b11 (3); then a2 at 2+1=3 ties b11 at 3: name a; then a3 at 4 > b11 3;
  // b12 at 6 > a3 4; then b12.
  CHECK(order == std::vector<int>{1, 2, 11, 3, 12});
}

TEST_CASE("CandidateGangs: OnlyEvicted offers evicted gangs only until ResumeNew") {
  Costs costs{{{"a", 0.0}, {"b", 0.5}}};
  CandidateGangs c({{"a", {G("a", 1, "1", 100, true), G("a", 2, "1")}}, {"b", {G("b", 11, "1")}}},
                   costs.Fn());
  c.OnlyEvicted();
  CHECK(c.only_evicted());
  REQUIRE(c.Peek() != nullptr);
  CHECK(c.Peek()->members.front() == 1);
  c.Next();
  CHECK(c.Peek() == nullptr);
  // Not offered yet: reported as remaining.
  REQUIRE(c.Remaining("a").size() == 1);
  CHECK(c.Remaining("a")[0]->members.front() == 2);
  REQUIRE(c.Remaining("b").size() == 1);

  c.ResumeNew();
  CHECK_FALSE(c.only_evicted());
  // Costs read again on ResumeNew: a2 at 0 + 1 before b11 at 0.5 + 1.
  CHECK(Drain(c) == std::vector<int>{2, 11});
}

TEST_CASE("CandidateGangs: OnlyEvicted drops non-evicted heads already queued") {
  Costs costs{{{"a", 0.0}, {"b", 0.0}}};
  CandidateGangs c({{"a", {G("a", 1, "1")}}, {"b", {G("b", 11, "2", 100, true)}}}, costs.Fn());
  CHECK(c.Peek()->members.front() == 1);
  c.OnlyEvicted();
  CHECK(c.Peek()->members.front() == 11);
  c.Next();
  CHECK(c.Peek() == nullptr);
}

TEST_CASE("CandidateGangs: OnlyEvictedFor blocks one queue's new gangs, ResumeNew keeps it") {
  Costs costs{{{"a", 0.0}, {"b", 0.0}}};
  CandidateGangs c({{"a", {G("a", 1, "1"), G("a", 2, "1")}},
                    {"b", {G("b", 11, "1", 100, true), G("b", 12, "1")}}},
                   costs.Fn());
  c.OnlyEvictedFor("b");
  CHECK_FALSE(c.only_evicted());
  c.OnlyEvicted();
  c.ResumeNew();  // undoes OnlyEvicted, not OnlyEvictedFor
  // Equal costs: a by name, until b's evicted head; b's new gang 12 never comes.
  CHECK(Drain(c) == std::vector<int>{1, 2, 11});
  REQUIRE(c.Remaining("b").size() == 1);
  CHECK(c.Remaining("b")[0]->members.front() == 12);
  CHECK(c.Remaining("a").empty());
}

TEST_CASE("CandidateGangs: OnlyEvictedFor a queue whose head is queued removes it at once") {
  Costs costs{{{"a", 5.0}, {"b", 0.0}}};
  CandidateGangs c({{"a", {G("a", 1, "1")}}, {"b", {G("b", 11, "1")}}}, costs.Fn());
  CHECK(c.Peek()->queue == "b");
  c.OnlyEvictedFor("b");
  REQUIRE(c.Peek() != nullptr);
  CHECK(c.Peek()->queue == "a");
  c.Next();
  CHECK(c.Peek() == nullptr);
  CHECK(c.Remaining("b").size() == 1);
}

TEST_CASE("CandidateGangs: Remaining lists what is not offered yet") {
  Costs costs{{{"a", 0.0}}};
  CandidateGangs c({{"a", {G("a", 1, "1"), G("a", 2, "1"), G("a", 3, "1")}}}, costs.Fn());
  c.Next();
  const std::vector<const Gang*> left = c.Remaining("a");
  REQUIRE(left.size() == 2);
  CHECK(left[0]->members.front() == 2);
  CHECK(left[1]->members.front() == 3);
  CHECK(c.Remaining("zzz").empty());
}

}  // namespace
}  // namespace armada::scheduling::internal
