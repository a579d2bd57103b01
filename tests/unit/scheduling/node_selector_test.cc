// SelectNode (lib/scheduling/internal/node_selector.h): rescheduling onto the job's own node,
// fitting without preemption first, fair-share preemption from the back of the evicted order
// (never a higher priority, node constraints respected), urgency preemption at the lowest level
// that works, non-preemptible jobs never displaced.

#include "lib/scheduling/internal/node_selector.h"

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
using fixtures::Resources;
using Method = Placement::Method;

constexpr int32_t kEvicted = NodeDb::kEvictedLevel;

struct Pool {
  std::vector<model::NodeInfo> nodes;
  std::vector<FairnessResource> resources{{"cpu", 1.0}, {"memory", 1.0}};

  NodeDb Db(const std::set<int32_t>& priorities,
            const std::set<std::string>& labels = {"zone"}) const {
    std::vector<const model::NodeInfo*> ptrs;
    model::ResourceList total;
    for (const auto& n : nodes) {
      ptrs.push_back(&n);
      total.Add(n.allocatable);
    }
    return NodeDb(ptrs, total, resources, labels, priorities);
  }
};

model::NodeInfo Zoned(const std::string& name, const std::string& zone,
                      const std::string& cpu = "4") {
  model::NodeInfo node = Node(name, cpu, "16Gi");
  node.labels["zone"] = zone;
  return node;
}

PlacementRequest New(int job, const model::QueuedJob& spec, int32_t priority,
                     bool preemptible = true) {
  PlacementRequest r;
  r.job = job;
  r.spec = &spec;
  r.requests = &spec.requests;
  r.priority = priority;
  r.preemptible = preemptible;
  return r;
}

PlacementRequest Reschedule(const NodeDb& db, int job) {
  PlacementRequest r;
  r.job = job;
  r.requests = &db.RequestsOf(job);
  r.priority = db.PriorityOf(job);
  r.preemptible = true;
  r.assigned = db.NodeOf(job);
  return r;
}

// Binds `job` on `node` and evicts it with place `order` in the evicted order.
void BindEvicted(NodeDb& db, int job, const model::NodeInfo* node, const model::ResourceList* r,
                 int32_t priority, int order) {
  db.Bind(job, node, r, priority, /*preemptible=*/true);
  db.Evict(job);
  db.SetEvictedOrder(job, order);
}

int64_t Cpu(const model::ResourceList& r) { return r.Get("cpu"); }

TEST_CASE("SelectNode: a rescheduled job goes back to its own node only") {
  Pool pool{{Node("n1", "4", "16Gi"), Node("n2", "4", "16Gi")}};
  const model::NodeInfo* n1 = &pool.nodes[0];
  const model::NodeInfo* n2 = &pool.nodes[1];
  NodeDb db = pool.Db({50, 100, 1000});
  const model::ResourceList two = Resources("2", "1Gi");
  BindEvicted(db, 1, n1, &two, 100, 0);

  SECTION("it fits: back on n1") {
    Placement p = SelectNode(db, Reschedule(db, 1), true);
    CHECK(p.node == n1);
    CHECK(p.method == Method::kRescheduled);
    CHECK(p.preempted_at == kEvicted);
    CHECK(p.preempted.empty());
    CHECK_FALSE(db.IsEvicted(1));
    CHECK(Cpu(db.FreeAt(n1, 100)) == 2000);
  }
  SECTION("its node filled up at its priority: not placed, though n2 is empty") {
    const model::ResourceList three = Resources("3", "1Gi");
    db.Bind(2, n1, &three, 100, /*preemptible=*/false);
    Placement p = SelectNode(db, Reschedule(db, 1), true);
    CHECK(p.node == nullptr);
    CHECK(p.method == Method::kNone);
    CHECK(p.reason.find("n1") != std::string::npos);
    CHECK(db.IsEvicted(1));
    CHECK(db.NodeOf(1) == n1);
    CHECK(db.JobsOn(n2).empty());
  }
  SECTION("a lower-priority job on its node does not stop it coming back") {
    const model::ResourceList three = Resources("3", "1Gi");
    db.Bind(2, n1, &three, 50, /*preemptible=*/true);
    Placement p = SelectNode(db, Reschedule(db, 1), true);
    CHECK(p.node == n1);
    CHECK(p.method == Method::kRescheduled);
  }
}

TEST_CASE("SelectNode: fitting without preemption is preferred over preempting") {
  Pool pool{{Node("n1", "4", "16Gi"), Node("n2", "4", "16Gi")}};
  const model::NodeInfo* n1 = &pool.nodes[0];
  const model::NodeInfo* n2 = &pool.nodes[1];
  NodeDb db = pool.Db({100, 1000});
  const model::ResourceList three = Resources("3", "1Gi");
  BindEvicted(db, 1, n1, &three, 100, 0);  // n1: 1 cpu free if job 1 comes back
  const model::ResourceList one = Resources("1", "1Gi");
  db.Bind(2, n2, &one, 100, true);  // n2: 3 cpu free

  const model::QueuedJob job = Job("j", "a", 0, "2", "1Gi");
  // n1 would be the tighter fit where evicted jobs are free; n2 is the only fit without.
  Placement p = SelectNode(db, New(10, job, 100), true);
  CHECK(p.node == n2);
  CHECK(p.method == Method::kWithoutPreemption);
  CHECK(p.preempted_at == kEvicted);
  CHECK(p.preempted.empty());
  CHECK(db.IsEvicted(1));
  CHECK(db.EvictedByOrder().size() == 1);
}

TEST_CASE("SelectNode: fair-share preemption stops the evicted jobs last in the order") {
  Pool pool{{Node("n1", "4", "16Gi"), Node("n2", "4", "16Gi")}};
  const model::NodeInfo* n1 = &pool.nodes[0];
  const model::NodeInfo* n2 = &pool.nodes[1];
  NodeDb db = pool.Db({100, 1000});
  const model::ResourceList two = Resources("2", "1Gi");
  const model::ResourceList four = Resources("4", "1Gi");
  // n1: two 2-cpu evicted jobs, first (0) and last (2) in the order; n2: one 4-cpu job (1).
  BindEvicted(db, 1, n1, &two, 100, 2);
  BindEvicted(db, 2, n1, &two, 100, 0);
  BindEvicted(db, 3, n2, &four, 100, 1);

  SECTION("a 4-cpu job: n1 after the last job has 2 free, n2 after the next has 4") {
    const model::QueuedJob job = Job("j", "a", 0, "4", "1Gi");
    Placement p = SelectNode(db, New(10, job, 100), true);
    CHECK(p.node == n2);
    CHECK(p.method == Method::kFairShare);
    CHECK(p.preempted == std::vector<int>{3});
    CHECK(p.preempted_at == 100);
    CHECK_FALSE(db.IsBound(3));
    CHECK(db.IsEvicted(1));
    CHECK(db.IsEvicted(2));
    CHECK(db.EvictedByOrder() == std::set<std::pair<int, int>>{{0, 2}, {2, 1}});
    CHECK(db.NodeOf(10) == n2);
  }
  SECTION("a 2-cpu job: only the last job is stopped") {
    const model::QueuedJob job = Job("j", "a", 0, "2", "1Gi");
    Placement p = SelectNode(db, New(10, job, 100), true);
    CHECK(p.node == n1);
    CHECK(p.method == Method::kFairShare);
    CHECK(p.preempted == std::vector<int>{1});
    CHECK(db.IsEvicted(2));
    CHECK(db.IsEvicted(3));
    CHECK(Cpu(db.FreeAt(n1, kEvicted)) == 0);
  }
  SECTION("without fair-share preemption nothing evicted is unbound: urgency instead") {
    const model::QueuedJob job = Job("j", "a", 0, "4", "1Gi");
    Placement p = SelectNode(db, New(10, job, 100), false);
    REQUIRE(p.node != nullptr);
    CHECK(p.method == Method::kUrgency);
    CHECK(p.preempted.empty());
    CHECK(p.preempted_at == 100);
    for (int j : {1, 2, 3}) CHECK(db.IsEvicted(j));
  }
}

TEST_CASE("SelectNode: fair-share preemption never stops a job of a higher priority") {
  Pool pool{{Node("n1", "4", "16Gi"), Node("n2", "4", "16Gi")}};
  const model::NodeInfo* n2 = &pool.nodes[1];
  NodeDb db = pool.Db({100, 1000});
  const model::ResourceList four = Resources("4", "1Gi");
  BindEvicted(db, 1, &pool.nodes[0], &four, 1000, 1);  // last, but of a higher priority
  BindEvicted(db, 2, n2, &four, 100, 0);

  const model::QueuedJob job = Job("j", "a", 0, "4", "1Gi");
  Placement p = SelectNode(db, New(10, job, 100), true);
  CHECK(p.node == n2);
  CHECK(p.method == Method::kFairShare);
  CHECK(p.preempted == std::vector<int>{2});
  CHECK(db.IsEvicted(1));
  CHECK(db.EvictedByOrder() == std::set<std::pair<int, int>>{{1, 1}});
}

TEST_CASE("SelectNode: fair-share preemption respects node selectors, taints, avoided nodes") {
  Pool pool{{Zoned("n1", "a"), Zoned("n2", "b")}};
  const model::NodeInfo* n1 = &pool.nodes[0];
  model::NodeInfo& n2 = pool.nodes[1];
  const model::ResourceList four = Resources("4", "1Gi");
  model::QueuedJob job = Job("j", "a", 0, "4", "1Gi");
  std::vector<int> expected_preempted{1};

  SECTION("node selector") { job.node_selector.emplace("zone", "a"); }
  SECTION("taint") { n2.taints.push_back({"gpu", "true", "NoSchedule"}); }
  SECTION("avoided node") { job.avoid_nodes.push_back("n2"); }

  NodeDb db = pool.Db({100, 1000});
  BindEvicted(db, 1, n1, &four, 100, 0);
  BindEvicted(db, 2, &n2, &four, 100, 1);  // last in the order, but the job may not run there
  Placement p = SelectNode(db, New(10, job, 100), true);
  CHECK(p.node == n1);
  CHECK(p.method == Method::kFairShare);
  CHECK(p.preempted == expected_preempted);
  CHECK(db.IsEvicted(2));
}

TEST_CASE("SelectNode: urgency preemption picks the lowest level that works") {
  Pool pool{{Node("n1", "4", "16Gi")}};
  const model::NodeInfo* n1 = &pool.nodes[0];
  NodeDb db = pool.Db({100, 500, 1000});
  const model::ResourceList two = Resources("2", "1Gi");
  db.Bind(1, n1, &two, 100, true);
  db.Bind(2, n1, &two, 500, true);

  const model::QueuedJob job = Job("j", "a", 0, "2", "1Gi");
  Placement p = SelectNode(db, New(10, job, 1000), true);
  CHECK(p.node == n1);
  CHECK(p.method == Method::kUrgency);
  // Displacing job 1 (priority 100) is enough: level 500, not 1000 (which would take job 2).
  CHECK(p.preempted_at == 500);
  CHECK(p.preempted.empty());
  CHECK(db.OversubscribedPriorities(n1) == std::vector<int32_t>{100});
  CHECK(db.IsBound(1));
  CHECK(db.IsBound(2));
}

TEST_CASE("SelectNode: a job that does not fit at its own priority is not placed") {
  Pool pool{{Node("n1", "4", "16Gi")}};
  const model::NodeInfo* n1 = &pool.nodes[0];
  NodeDb db = pool.Db({100, 1000});
  const model::ResourceList four = Resources("4", "1Gi");
  db.Bind(1, n1, &four, 1000, true);  // same or higher priority than the new job

  const model::QueuedJob job = Job("j", "a", 0, "1", "1Gi");
  for (int32_t priority : {100, 1000}) {
    Placement p = SelectNode(db, New(10, job, priority), true);
    CHECK(p.node == nullptr);
    CHECK(p.method == Method::kNone);
    CHECK_FALSE(p.reason.empty());
    CHECK_FALSE(db.IsBound(10));
  }
  CHECK(Cpu(db.FreeAt(n1, 1000)) == 0);
}

TEST_CASE("SelectNode: a non-preemptible job is never displaced") {
  Pool pool{{Node("n1", "4", "16Gi")}};
  const model::NodeInfo* n1 = &pool.nodes[0];
  NodeDb db = pool.Db({100, 1000});
  const model::ResourceList three = Resources("3", "1Gi");
  db.Bind(1, n1, &three, 100, /*preemptible=*/false);

  const model::QueuedJob job = Job("j", "a", 0, "2", "1Gi");
  Placement p = SelectNode(db, New(10, job, 1000), true);
  CHECK(p.node == nullptr);
  CHECK_FALSE(db.IsBound(10));
  CHECK(db.IsBound(1));
  CHECK(db.OversubscribedPriorities(n1).empty());
  CHECK(Cpu(db.FreeAt(n1, 1000)) == 1000);

  // What is left still fits without preemption.
  const model::QueuedJob small = Job("s", "a", 1, "1", "1Gi");
  Placement q = SelectNode(db, New(11, small, 1000), true);
  CHECK(q.node == n1);
  CHECK(q.method == Method::kWithoutPreemption);
}

}  // namespace
}  // namespace armada::scheduling::internal
