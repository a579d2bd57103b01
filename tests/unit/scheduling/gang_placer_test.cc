// PlaceGang (lib/scheduling/internal/gang_placer.h): all or nothing (a member that does not fit
// leaves the NodeDb as it was), sibling preemption (an evicted gang is stopped whole), and the
// uniformity label's best value (no preemption first, then the tightest fit, then the value).

#include "lib/scheduling/internal/gang_placer.h"

#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "lib/scheduling/internal/node_db.h"
#include "tests/unit/fixtures/scheduling_fixtures.h"

namespace armada::scheduling::internal {
namespace {

using fixtures::Job;
using fixtures::Node;
using fixtures::Resources;

constexpr int32_t kEvicted = NodeDb::kEvictedLevel;

struct Pool {
  std::vector<model::NodeInfo> nodes;
  std::vector<FairnessResource> resources{{"cpu", 1.0}, {"memory", 1.0}};

  NodeDb Db(const std::set<int32_t>& priorities) const {
    std::vector<const model::NodeInfo*> ptrs;
    model::ResourceList total;
    for (const auto& n : nodes) {
      ptrs.push_back(&n);
      total.Add(n.allocatable);
    }
    return NodeDb(ptrs, total, resources, {"zone"}, priorities);
  }
};

model::NodeInfo Zoned(const std::string& name, const std::string& zone, const std::string& cpu) {
  model::NodeInfo node = Node(name, cpu, "64Gi");
  node.labels["zone"] = zone;
  return node;
}

// A gang of new jobs (handles first, first+1, ...) at `priority`.
GangRequest Gang(const std::vector<model::QueuedJob>& specs, int first, int32_t priority,
                 const std::string& uniformity_label = "") {
  GangRequest gang;
  for (size_t i = 0; i < specs.size(); ++i) {
    PlacementRequest r;
    r.job = first + static_cast<int>(i);
    r.spec = &specs[i];
    r.requests = &specs[i].requests;
    r.priority = priority;
    r.preemptible = true;
    gang.members.push_back(r);
  }
  gang.uniformity_label = uniformity_label;
  gang.dominant_resource = "cpu";
  return gang;
}

std::vector<int> NoSiblings(int) { return {}; }

// Free cpu of every node at every level, and the evicted order.
std::pair<std::vector<int64_t>, std::set<std::pair<int, int>>> State(const NodeDb& db) {
  std::vector<int64_t> free;
  for (const model::NodeInfo* n : db.nodes()) {
    free.push_back(db.FreeAt(n, kEvicted).Get("cpu"));
    for (int32_t p : db.Priorities()) free.push_back(db.FreeAt(n, p).Get("cpu"));
  }
  return {free, db.EvictedByOrder()};
}

TEST_CASE("PlaceGang: all members are placed, one per fitting node") {
  Pool pool{{Node("n1", "4", "16Gi"), Node("n2", "4", "16Gi")}};
  NodeDb db = pool.Db({100});
  const std::vector<model::QueuedJob> specs{Job("g-0", "a", 0, "3", "1Gi"),
                                            Job("g-1", "a", 1, "3", "1Gi")};
  GangPlacement p = PlaceGang(db, Gang(specs, 10, 100), true, NoSiblings);
  REQUIRE(p.ok);
  REQUIRE(p.members.size() == 2);
  CHECK(p.members[0].first == 10);
  CHECK(p.members[1].first == 11);
  CHECK(p.members[0].second.node != p.members[1].second.node);
  CHECK(db.IsBound(10));
  CHECK(db.IsBound(11));
  CHECK(p.preempted.empty());
}

TEST_CASE("PlaceGang: one member that does not fit leaves the NodeDb as it was") {
  Pool pool{{Node("n1", "4", "16Gi"), Node("n2", "4", "16Gi")}};
  NodeDb db = pool.Db({100, 1000});
  const model::ResourceList four = Resources("4", "1Gi");
  // n1 holds an evicted job that fair-share preemption could stop for the first member.
  db.Bind(1, &pool.nodes[0], &four, 100, true);
  db.Evict(1);
  db.SetEvictedOrder(1, 0);
  db.Commit();
  const auto before = State(db);
  const size_t checkpoint = db.Checkpoint();

  const std::vector<model::QueuedJob> specs{Job("g-0", "a", 0, "4", "1Gi"),
                                            Job("g-1", "a", 1, "4", "1Gi"),
                                            Job("g-2", "a", 2, "4", "1Gi")};
  GangPlacement p = PlaceGang(db, Gang(specs, 10, 100), true, NoSiblings);
  CHECK_FALSE(p.ok);
  CHECK_FALSE(p.reason.empty());
  CHECK(State(db) == before);
  CHECK(db.Checkpoint() == checkpoint);
  CHECK(db.IsEvicted(1));
  for (int j : {10, 11, 12}) CHECK_FALSE(db.IsBound(j));
}

TEST_CASE("PlaceGang: stopping one evicted gang member stops its evicted siblings") {
  Pool pool{{Node("n1", "4", "16Gi"), Node("n2", "4", "16Gi"), Node("n3", "4", "16Gi")}};
  NodeDb db = pool.Db({100});
  const model::ResourceList four = Resources("4", "1Gi");
  // An evicted gang {1, 2} on n1 and n2, and an evicted single job 3 on n3; 2 is last.
  const std::map<int, std::vector<int>> siblings{{1, {2}}, {2, {1}}, {3, {}}};
  int order = 0;
  for (int j : {3, 1, 2}) {
    db.Bind(j, &pool.nodes[j - 1], &four, 100, true);
    db.Evict(j);
    db.SetEvictedOrder(j, order++);
  }
  const std::vector<model::QueuedJob> specs{Job("x", "b", 0, "4", "1Gi")};
  GangPlacement p =
      PlaceGang(db, Gang(specs, 10, 100), true, [&](int job) { return siblings.at(job); });
  REQUIRE(p.ok);
  CHECK(p.members[0].second.node == &pool.nodes[1]);
  CHECK(p.preempted == std::vector<std::pair<int, int>>{{2, 10}, {1, 10}});
  CHECK_FALSE(db.IsBound(1));
  CHECK_FALSE(db.IsBound(2));
  CHECK(db.IsEvicted(3));
  CHECK(db.FreeAt(&pool.nodes[0], kEvicted).Get("cpu") == 4000);
}

TEST_CASE("PlaceGang: a sibling that already came back is not stopped") {
  Pool pool{{Node("n1", "4", "16Gi"), Node("n2", "4", "16Gi")}};
  NodeDb db = pool.Db({100});
  const model::ResourceList four = Resources("4", "1Gi");
  const model::ResourceList two = Resources("2", "1Gi");
  db.Bind(1, &pool.nodes[0], &two, 100, true);  // sibling, rescheduled already
  db.Bind(2, &pool.nodes[1], &four, 100, true);
  db.Evict(2);
  db.SetEvictedOrder(2, 0);
  const std::vector<model::QueuedJob> specs{Job("x", "b", 0, "4", "1Gi")};
  GangPlacement p = PlaceGang(db, Gang(specs, 10, 100), true, [](int job) {
    return job == 2 ? std::vector<int>{1} : std::vector<int>{};
  });
  REQUIRE(p.ok);
  CHECK(p.preempted == std::vector<std::pair<int, int>>{{2, 10}});
  CHECK(db.IsBound(1));
  CHECK_FALSE(db.IsEvicted(1));
}

TEST_CASE("PlaceGang: uniformity label: every member on one value") {
  Pool pool{{Zoned("n1", "a", "4"), Zoned("n2", "b", "4")}};
  NodeDb db = pool.Db({100});
  const std::vector<model::QueuedJob> specs{Job("g-0", "a", 0, "3", "1Gi"),
                                            Job("g-1", "a", 1, "3", "1Gi")};
  SECTION("without the label the gang spreads over both zones") {
    CHECK(PlaceGang(db, Gang(specs, 10, 100), true, NoSiblings).ok);
  }
  SECTION("with it no zone holds both: nothing placed") {
    GangPlacement p = PlaceGang(db, Gang(specs, 10, 100, "zone"), true, NoSiblings);
    CHECK_FALSE(p.ok);
    CHECK_FALSE(p.reason.empty());
    CHECK_FALSE(db.IsBound(10));
    CHECK_FALSE(db.IsBound(11));
  }
  SECTION("no node has the label") {
    GangPlacement p = PlaceGang(db, Gang(specs, 10, 100, "rack"), true, NoSiblings);
    CHECK_FALSE(p.ok);
    CHECK(p.reason.find("rack") != std::string::npos);
  }
}

TEST_CASE("PlaceGang: uniformity label prefers the value placed without preemption") {
  // Zone a (the smaller value) fits only by stopping an evicted job; zone b fits as it is.
  Pool pool{{Zoned("n1", "a", "4"), Zoned("n2", "b", "4")}};
  NodeDb db = pool.Db({100, 1000});
  const model::ResourceList four = Resources("4", "1Gi");
  db.Bind(1, &pool.nodes[0], &four, 100, true);
  db.Evict(1);
  db.SetEvictedOrder(1, 0);
  const std::vector<model::QueuedJob> specs{Job("g-0", "a", 0, "4", "1Gi")};
  GangPlacement p = PlaceGang(db, Gang(specs, 10, 100, "zone"), true, NoSiblings);
  REQUIRE(p.ok);
  CHECK(p.uniformity_value == "b");
  CHECK(p.members[0].second.node == &pool.nodes[1]);
  CHECK(p.preempted.empty());
  CHECK(db.IsEvicted(1));
  CHECK(db.EvictedByOrder().size() == 1);
}

TEST_CASE("PlaceGang: uniformity label prefers the tightest fit, then the smaller value") {
  SECTION("zone b leaves nothing free") {
    Pool pool{{Zoned("n1", "a", "8"), Zoned("n2", "b", "2"), Zoned("n3", "b", "2")}};
    NodeDb db = pool.Db({100});
    const std::vector<model::QueuedJob> specs{Job("g-0", "a", 0, "2", "1Gi"),
                                              Job("g-1", "a", 1, "2", "1Gi")};
    GangPlacement p = PlaceGang(db, Gang(specs, 10, 100, "zone"), true, NoSiblings);
    REQUIRE(p.ok);
    CHECK(p.uniformity_value == "b");
    CHECK(db.NodeOf(10) != &pool.nodes[0]);
    CHECK(db.NodeOf(11) != &pool.nodes[0]);
    CHECK(db.JobsOn(&pool.nodes[0]).empty());
  }
  SECTION("equal zones: the smaller value") {
    Pool pool{{Zoned("n1", "b", "4"), Zoned("n2", "a", "4")}};
    NodeDb db = pool.Db({100});
    const std::vector<model::QueuedJob> specs{Job("g-0", "a", 0, "2", "1Gi")};
    GangPlacement p = PlaceGang(db, Gang(specs, 10, 100, "zone"), true, NoSiblings);
    REQUIRE(p.ok);
    CHECK(p.uniformity_value == "a");
    CHECK(db.NodeOf(10) == &pool.nodes[1]);
  }
}

TEST_CASE("PlaceGang: uniformity label prefers preempting lower priorities") {
  // Both zones need urgency preemption: zone a displaces a priority-500 job, zone b one of 100.
  Pool pool{{Zoned("n1", "a", "4"), Zoned("n2", "b", "4")}};
  NodeDb db = pool.Db({100, 500, 1000});
  const model::ResourceList four = Resources("4", "1Gi");
  db.Bind(1, &pool.nodes[0], &four, 500, true);
  db.Bind(2, &pool.nodes[1], &four, 100, true);
  const std::vector<model::QueuedJob> specs{Job("g-0", "a", 0, "4", "1Gi")};
  GangPlacement p = PlaceGang(db, Gang(specs, 10, 1000, "zone"), true, NoSiblings);
  REQUIRE(p.ok);
  CHECK(p.uniformity_value == "b");
  CHECK(db.OversubscribedPriorities(&pool.nodes[1]) == std::vector<int32_t>{100});
  CHECK(db.OversubscribedPriorities(&pool.nodes[0]).empty());
}

}  // namespace
}  // namespace armada::scheduling::internal
