// NodeDb (lib/scheduling/internal/node_db.h): what is free at each priority level for
// preemptible, non-preemptible and evicted jobs; evicted order; journal Checkpoint/Rollback;
// oversubscription after an urgent bind.

#include "lib/scheduling/internal/node_db.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "tests/unit/fixtures/scheduling_fixtures.h"

namespace armada::scheduling::internal {
namespace {

using fixtures::Job;
using fixtures::Node;
using fixtures::Resources;

constexpr int32_t kEvicted = NodeDb::kEvictedLevel;

// A pool of nodes that outlives the NodeDb built on it.
struct Pool {
  std::vector<model::NodeInfo> nodes;
  std::vector<FairnessResource> resources{{"cpu", 1.0}, {"memory", 1.0}};

  std::vector<const model::NodeInfo*> Ptrs() const {
    std::vector<const model::NodeInfo*> out;
    for (const auto& n : nodes) out.push_back(&n);
    return out;
  }
  model::ResourceList Total() const {
    model::ResourceList total;
    for (const auto& n : nodes) total.Add(n.allocatable);
    return total;
  }
  NodeDb Db(const std::set<int32_t>& priorities) const {
    return NodeDb(Ptrs(), Total(), resources, {}, priorities);
  }
};

int64_t Cpu(const model::ResourceList& r) { return r.Get("cpu"); }

// Everything observable about the db for the given nodes and job handles.
using Snapshot = std::tuple<std::vector<model::ResourceList>, std::set<std::pair<int, int>>,
                            std::vector<std::pair<bool, bool>>, std::vector<std::vector<int>>>;

Snapshot Observe(const NodeDb& db, const std::vector<int>& jobs) {
  Snapshot s;
  for (const model::NodeInfo* node : db.nodes()) {
    std::get<0>(s).push_back(db.FreeAt(node, kEvicted));
    for (int32_t p : db.Priorities()) std::get<0>(s).push_back(db.FreeAt(node, p));
    std::get<3>(s).push_back(db.JobsOn(node));
  }
  std::get<1>(s) = db.EvictedByOrder();
  for (int j : jobs) std::get<2>(s).emplace_back(db.IsBound(j), db.IsEvicted(j));
  return s;
}

TEST_CASE("NodeDb: levels are the evicted level then the class priorities, ascending") {
  Pool pool{{Node("n1", "4", "16Gi")}};
  NodeDb db = pool.Db({1000, 100, 500});
  CHECK(db.Priorities() == std::vector<int32_t>{100, 500, 1000});
  CHECK(db.Contains(&pool.nodes[0]));
}

TEST_CASE("NodeDb: a preemptible job counts at its level and below, not above") {
  Pool pool{{Node("n1", "4", "16Gi")}};
  const model::NodeInfo* n1 = &pool.nodes[0];
  NodeDb db = pool.Db({100, 1000});
  const model::ResourceList r = Resources("3", "1Gi");
  db.Bind(1, n1, &r, 100, /*preemptible=*/true);

  CHECK(Cpu(db.FreeAt(n1, 1000)) == 4000);
  CHECK(Cpu(db.FreeAt(n1, 100)) == 1000);
  CHECK(Cpu(db.FreeAt(n1, kEvicted)) == 1000);
  CHECK(db.IsBound(1));
  CHECK_FALSE(db.IsEvicted(1));
  CHECK(db.NodeOf(1) == n1);
  CHECK(db.PriorityOf(1) == 100);
  CHECK(db.JobsOn(n1) == std::vector<int>{1});

  // A 2-cpu job fits only where the preemptible job counts as free.
  const model::QueuedJob two = Job("j", "a", 0, "2", "1Gi");
  CHECK(db.BestFitAt(kEvicted, two).node == nullptr);
  CHECK_FALSE(db.BestFitAt(kEvicted, two).reason.empty());
  CHECK(db.BestFitAt(100, two).node == nullptr);
  CHECK(db.BestFitAt(1000, two).node == n1);
}

TEST_CASE("NodeDb: an evicted job is free at every level but the evicted one") {
  Pool pool{{Node("n1", "4", "16Gi")}};
  const model::NodeInfo* n1 = &pool.nodes[0];
  NodeDb db = pool.Db({100, 1000});
  const model::ResourceList r = Resources("3", "1Gi");
  db.Bind(1, n1, &r, 100, /*preemptible=*/true);
  db.Evict(1);

  CHECK(db.IsBound(1));
  CHECK(db.IsEvicted(1));
  CHECK(Cpu(db.FreeAt(n1, kEvicted)) == 1000);
  CHECK(Cpu(db.FreeAt(n1, 100)) == 4000);
  CHECK(Cpu(db.FreeAt(n1, 1000)) == 4000);
  CHECK(db.JobsOn(n1) == std::vector<int>{1});

  // Bind again: it comes back and counts as before.
  db.Bind(1, n1, &r, 100, /*preemptible=*/true);
  CHECK_FALSE(db.IsEvicted(1));
  CHECK(Cpu(db.FreeAt(n1, kEvicted)) == 1000);
  CHECK(Cpu(db.FreeAt(n1, 100)) == 1000);
  CHECK(Cpu(db.FreeAt(n1, 1000)) == 4000);
}

TEST_CASE("NodeDb: a non-preemptible job counts at every level") {
  Pool pool{{Node("n1", "4", "16Gi")}};
  const model::NodeInfo* n1 = &pool.nodes[0];
  NodeDb db = pool.Db({100, 1000});
  const model::ResourceList r = Resources("3", "1Gi");
  db.Bind(1, n1, &r, 100, /*preemptible=*/false);

  CHECK(Cpu(db.FreeAt(n1, kEvicted)) == 1000);
  CHECK(Cpu(db.FreeAt(n1, 100)) == 1000);
  CHECK(Cpu(db.FreeAt(n1, 1000)) == 1000);
  CHECK(db.BestFitAt(1000, Job("j", "a", 0, "2", "1Gi")).node == nullptr);
  CHECK(db.OversubscribedPriorities(n1).empty());
}

TEST_CASE("NodeDb: what the node already has allocated counts at every level") {
  Pool pool{{Node("n1", "4", "16Gi")}};
  pool.nodes[0].allocated = Resources("1", "2Gi");
  const model::NodeInfo* n1 = &pool.nodes[0];
  NodeDb db = pool.Db({100, 1000});
  CHECK(Cpu(db.FreeAt(n1, kEvicted)) == 3000);
  CHECK(Cpu(db.FreeAt(n1, 100)) == 3000);
  CHECK(Cpu(db.FreeAt(n1, 1000)) == 3000);
}

TEST_CASE("NodeDb: unschedulable nodes are left out") {
  Pool pool{{Node("n1", "4", "16Gi"), Node("n2", "4", "16Gi")}};
  pool.nodes[1].unschedulable = true;
  NodeDb db = pool.Db({100});
  CHECK(db.Contains(&pool.nodes[0]));
  CHECK_FALSE(db.Contains(&pool.nodes[1]));
  CHECK(db.BestFitAt(100, Job("j", "a", 0, "4", "1Gi")).node == &pool.nodes[0]);
}

TEST_CASE("NodeDb: Unbind frees the job at every level and forgets it") {
  Pool pool{{Node("n1", "4", "16Gi")}};
  const model::NodeInfo* n1 = &pool.nodes[0];
  NodeDb db = pool.Db({100, 1000});
  const model::ResourceList r = Resources("3", "1Gi");
  db.Bind(1, n1, &r, 100, /*preemptible=*/false);
  db.Unbind(1);
  CHECK_FALSE(db.IsBound(1));
  CHECK(db.JobsOn(n1).empty());
  for (int32_t p : {kEvicted, 100, 1000}) CHECK(Cpu(db.FreeAt(n1, p)) == 4000);

  // An evicted job with an order leaves the evicted order when unbound.
  db.Bind(2, n1, &r, 100, /*preemptible=*/true);
  db.Evict(2);
  db.SetEvictedOrder(2, 0);
  db.Unbind(2);
  CHECK(db.EvictedByOrder().empty());
  CHECK(Cpu(db.FreeAt(n1, kEvicted)) == 4000);
}

TEST_CASE("NodeDb: evicted order: set, reset, dropped on rebind, cleared") {
  Pool pool{{Node("n1", "4", "16Gi"), Node("n2", "4", "16Gi")}};
  NodeDb db = pool.Db({100});
  const model::ResourceList r = Resources("1", "1Gi");
  for (int j = 1; j <= 3; ++j) {
    db.Bind(j, &pool.nodes[j % 2], &r, 100, /*preemptible=*/true);
    db.Evict(j);
  }
  db.SetEvictedOrder(1, 5);
  db.SetEvictedOrder(2, 3);
  db.SetEvictedOrder(3, 4);
  CHECK(db.EvictedByOrder() == std::set<std::pair<int, int>>{{3, 2}, {4, 3}, {5, 1}});
  db.SetEvictedOrder(1, 0);  // moves, not duplicates
  CHECK(db.EvictedByOrder() == std::set<std::pair<int, int>>{{0, 1}, {3, 2}, {4, 3}});
  db.Bind(2, &pool.nodes[0], &r, 100, /*preemptible=*/true);  // job 2 came back
  CHECK(db.EvictedByOrder() == std::set<std::pair<int, int>>{{0, 1}, {4, 3}});
  db.ClearEvictedOrder();
  CHECK(db.EvictedByOrder().empty());
  CHECK(db.IsEvicted(1));
  CHECK(db.IsEvicted(3));
}

TEST_CASE("NodeDb: Rollback restores free resources and the evicted order exactly") {
  Pool pool{{Node("n1", "4", "16Gi"), Node("n2", "4", "16Gi")}};
  const model::NodeInfo* n1 = &pool.nodes[0];
  const model::NodeInfo* n2 = &pool.nodes[1];
  NodeDb db = pool.Db({100, 1000});
  const model::ResourceList small = Resources("1", "1Gi");
  const model::ResourceList big = Resources("2", "4Gi");
  db.Bind(1, n1, &small, 100, true);
  db.Bind(2, n1, &big, 100, true);
  db.Bind(3, n2, &big, 1000, false);
  db.Bind(4, n2, &small, 100, true);
  db.Evict(1);
  db.Evict(2);
  db.Evict(4);
  db.SetEvictedOrder(1, 0);
  db.SetEvictedOrder(2, 1);
  db.SetEvictedOrder(4, 2);
  db.Commit();
  const std::vector<int> jobs{1, 2, 3, 4, 5, 6};
  const Snapshot before = Observe(db, jobs);

  const size_t checkpoint = db.Checkpoint();
  db.Bind(1, n1, &small, 100, true);  // rescheduled
  db.Unbind(2);                       // preempted for good
  db.Bind(5, n1, &big, 1000, true);   // a new job
  db.Bind(6, n2, &big, 1000, false);  // an urgent one: n2 oversubscribed at 100
  db.Evict(1);                        // evicted again
  db.Unbind(4);
  REQUIRE(Observe(db, jobs) != before);

  db.Rollback(checkpoint);
  CHECK(Observe(db, jobs) == before);
  CHECK(db.OversubscribedPriorities(n2).empty());
  CHECK(db.Checkpoint() == checkpoint);
}

TEST_CASE("NodeDb: nested checkpoints roll back independently") {
  Pool pool{{Node("n1", "4", "16Gi")}};
  const model::NodeInfo* n1 = &pool.nodes[0];
  NodeDb db = pool.Db({100});
  const model::ResourceList r = Resources("1", "1Gi");
  const size_t outer = db.Checkpoint();
  db.Bind(1, n1, &r, 100, true);
  const size_t inner = db.Checkpoint();
  db.Bind(2, n1, &r, 100, true);
  db.Rollback(inner);
  CHECK(db.IsBound(1));
  CHECK_FALSE(db.IsBound(2));
  CHECK(Cpu(db.FreeAt(n1, 100)) == 3000);
  db.Rollback(outer);
  CHECK_FALSE(db.IsBound(1));
  CHECK(Cpu(db.FreeAt(n1, 100)) == 4000);
}

TEST_CASE("NodeDb: a rolled-back reschedule after ClearEvictedOrder has no order back") {
  Pool pool{{Node("n1", "4", "16Gi")}};
  const model::NodeInfo* n1 = &pool.nodes[0];
  NodeDb db = pool.Db({100});
  const model::ResourceList r = Resources("1", "1Gi");
  db.Bind(1, n1, &r, 100, true);
  db.Evict(1);
  db.SetEvictedOrder(1, 0);
  const size_t checkpoint = db.Checkpoint();
  db.Bind(1, n1, &r, 100, true);
  db.ClearEvictedOrder();
  db.Rollback(checkpoint);
  CHECK(db.IsEvicted(1));
  CHECK(db.EvictedByOrder().empty());
}

TEST_CASE("NodeDb: Rollback undoes SetEvictedOrder after the checkpoint") {
  Pool pool{{Node("n1", "4", "16Gi")}};
  const model::NodeInfo* n1 = &pool.nodes[0];
  NodeDb db = pool.Db({100});
  const model::ResourceList r = Resources("1", "1Gi");
  db.Bind(1, n1, &r, 100, true);
  db.Evict(1);
  db.SetEvictedOrder(1, 0);
  const size_t checkpoint = db.Checkpoint();
  db.SetEvictedOrder(1, 7);
  db.Rollback(checkpoint);
  CHECK(db.EvictedByOrder() == std::set<std::pair<int, int>>{{0, 1}});
}

TEST_CASE("NodeDb: OversubscribedPriorities after an urgent bind") {
  Pool pool{{Node("n1", "4", "16Gi"), Node("n2", "4", "16Gi")}};
  const model::NodeInfo* n1 = &pool.nodes[0];
  NodeDb db = pool.Db({100, 500, 1000});
  const model::ResourceList r = Resources("4", "1Gi");
  db.Bind(1, n1, &r, 100, /*preemptible=*/true);
  CHECK(db.OversubscribedPriorities(n1).empty());

  // Urgency: a priority-1000 job sees job 1 as free and is bound over it.
  const model::QueuedJob urgent = Job("u", "a", 0, "4", "1Gi");
  REQUIRE(db.BestFitAt(1000, urgent).node != nullptr);
  db.Bind(2, n1, &r, 1000, /*preemptible=*/true);
  CHECK(db.OversubscribedPriorities(n1) == std::vector<int32_t>{100});
  CHECK(db.OversubscribedPriorities(&pool.nodes[1]).empty());

  // Once the displaced job is evicted only the evicted level is over, and it is not reported.
  db.Evict(1);
  CHECK(db.OversubscribedPriorities(n1).empty());
  CHECK(Cpu(db.FreeAt(n1, kEvicted)) == -4000);
}

}  // namespace
}  // namespace armada::scheduling::internal
