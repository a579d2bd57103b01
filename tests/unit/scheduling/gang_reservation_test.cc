// PlanGangReservation (lib/scheduling/internal/gang_reservation.h): the projected start of a
// waiting gang from the running jobs' runtime bounds, the nodes held for it, unbounded jobs
// never releasing, and the uniformity label's earliest value.

#include "lib/scheduling/internal/gang_reservation.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "lib/scheduling/internal/node_db.h"
#include "tests/unit/fixtures/scheduling_fixtures.h"

namespace armada::scheduling::internal {
namespace {

using fixtures::Job;
using fixtures::Node;

const absl::Time kNow = absl::FromUnixSeconds(1000);

struct Pool {
  std::vector<model::NodeInfo> nodes;
  std::vector<FairnessResource> resources{{"cpu", 1.0}};

  NodeDb Db() const {
    std::vector<const model::NodeInfo*> ptrs;
    model::ResourceList total;
    for (const auto& n : nodes) {
      ptrs.push_back(&n);
      total.Add(n.allocatable);
    }
    return NodeDb(ptrs, total, resources, {"rack"}, {0});
  }
};

std::vector<const model::QueuedJob*> Ptrs(const std::vector<model::QueuedJob>& jobs) {
  std::vector<const model::QueuedJob*> out;
  for (const auto& j : jobs) out.push_back(&j);
  return out;
}

std::set<std::string> Names(const std::set<const model::NodeInfo*>& nodes) {
  std::set<std::string> out;
  for (auto* n : nodes) out.insert(n->name);
  return out;
}

TEST_CASE("gang reservation: the start is the release that makes room, on the nodes it frees") {
  Pool pool{{Node("n1", "2", "8Gi"), Node("n2", "2", "8Gi"), Node("n3", "2", "8Gi")}};
  NodeDb db = pool.Db();
  const model::ResourceList two = fixtures::Resources("2", "0");
  // n1 busy until +100 s, n2 until +50 s, n3 forever (no bound).
  db.Bind(0, &pool.nodes[0], &two, 0, true);
  db.Bind(1, &pool.nodes[1], &two, 0, true);
  db.Bind(2, &pool.nodes[2], &two, 0, true);
  std::vector<Release> releases = {{&pool.nodes[0], &two, kNow + absl::Seconds(100)},
                                   {&pool.nodes[1], &two, kNow + absl::Seconds(50)},
                                   {&pool.nodes[2], &two, absl::InfiniteFuture()}};
  // Four one-cpu members: two on n2 after 50 s are not enough; n1 at 100 s completes it.
  std::vector<model::QueuedJob> gang;
  for (int i = 0; i < 4; ++i) gang.push_back(Job("g" + std::to_string(i), "q", i, "1", "0"));
  auto plan = PlanGangReservation(db, Ptrs(gang), releases, kNow);
  REQUIRE(plan.has_value());
  CHECK(plan->start == kNow + absl::Seconds(100));
  CHECK(Names(plan->nodes) == std::set<std::string>{"n1", "n2"});

  // Two members fit once n2 is free.
  gang.resize(2);
  plan = PlanGangReservation(db, Ptrs(gang), releases, kNow);
  REQUIRE(plan.has_value());
  CHECK(plan->start == kNow + absl::Seconds(50));
  CHECK(Names(plan->nodes) == std::set<std::string>{"n2"});
}

TEST_CASE("gang reservation: no plan when only unbounded jobs could make room") {
  Pool pool{{Node("n1", "2", "8Gi")}};
  NodeDb db = pool.Db();
  const model::ResourceList two = fixtures::Resources("2", "0");
  db.Bind(0, &pool.nodes[0], &two, 0, true);
  std::vector<model::QueuedJob> gang = {Job("g0", "q", 0, "1", "0"), Job("g1", "q", 1, "1", "0")};
  CHECK_FALSE(
      PlanGangReservation(db, Ptrs(gang), {{&pool.nodes[0], &two, absl::InfiniteFuture()}}, kNow)
          .has_value());
}

TEST_CASE("gang reservation: fits now starts now; overdue jobs release now") {
  Pool pool{{Node("n1", "2", "8Gi"), Node("n2", "2", "8Gi")}};
  NodeDb db = pool.Db();
  const model::ResourceList two = fixtures::Resources("2", "0");
  db.Bind(0, &pool.nodes[0], &two, 0, true);
  std::vector<model::QueuedJob> gang = {Job("g0", "q", 0, "1", "0"), Job("g1", "q", 1, "1", "0")};
  auto plan =
      PlanGangReservation(db, Ptrs(gang), {{&pool.nodes[0], &two, absl::InfiniteFuture()}}, kNow);
  REQUIRE(plan.has_value());
  CHECK(plan->start == kNow);
  CHECK(Names(plan->nodes) == std::set<std::string>{"n2"});

  gang.push_back(Job("g2", "q", 2, "2", "0"));  // unequal members: first fit
  plan =
      PlanGangReservation(db, Ptrs(gang), {{&pool.nodes[0], &two, kNow - absl::Seconds(5)}}, kNow);
  REQUIRE(plan.has_value());
  CHECK(plan->start == kNow);  // its bound passed: counted as ending now
}

TEST_CASE("gang reservation: with a uniformity label, the value that frees up first") {
  std::vector<model::NodeInfo> nodes;
  for (const auto& [name, rack] : std::vector<std::pair<std::string, std::string>>{
           {"a1", "a"}, {"a2", "a"}, {"b1", "b"}, {"b2", "b"}}) {
    nodes.push_back(Node(name, "1", "8Gi"));
    nodes.back().labels["rack"] = rack;
  }
  Pool pool{nodes};
  NodeDb db = pool.Db();
  const model::ResourceList one = fixtures::Resources("1", "0");
  for (int i = 0; i < 4; ++i) db.Bind(i, &pool.nodes[i], &one, 0, true);
  std::vector<Release> releases = {{&pool.nodes[0], &one, kNow + absl::Seconds(10)},
                                   {&pool.nodes[1], &one, kNow + absl::Seconds(90)},
                                   {&pool.nodes[2], &one, kNow + absl::Seconds(30)},
                                   {&pool.nodes[3], &one, kNow + absl::Seconds(40)}};
  std::vector<model::QueuedJob> gang = {Job("g0", "q", 0, "1", "0"), Job("g1", "q", 1, "1", "0")};
  for (auto& m : gang) m.gang_uniformity_label = "rack";
  auto plan = PlanGangReservation(db, Ptrs(gang), releases, kNow);
  REQUIRE(plan.has_value());
  CHECK(plan->start == kNow + absl::Seconds(40));  // rack b is whole at 40 s, rack a at 90 s
  CHECK(Names(plan->nodes) == std::set<std::string>{"b1", "b2"});
}

}  // namespace
}  // namespace armada::scheduling::internal
