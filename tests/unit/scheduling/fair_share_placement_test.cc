// Placement by the fair-share scheduler: matching, exact fit and best fit over the node index.

#include <catch2/catch.hpp>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "lib/scheduling/fair_share_scheduler.h"
#include "lib/scheduling/node_index.h"
#include "lib/scheduling/node_matching.h"
#include "tests/unit/fixtures/scheduling_fixtures.h"

namespace armada::scheduling {
namespace {

using fixtures::Job;
using fixtures::Node;

// The node the single job `job` lands on among `nodes`, or "" when unscheduled.
std::string Place(const std::vector<model::NodeInfo>& nodes, const model::QueuedJob& job,
                  std::string* reason = nullptr) {
  auto scheduler = FairShareScheduler::Create({});
  REQUIRE(scheduler.ok());
  SchedulingSnapshot s;
  s.queues = {fixtures::Queue(job.queue)};
  s.nodes = nodes;
  s.jobs = {job};
  Decision d = (*scheduler)->Schedule(s);
  if (reason != nullptr && !d.unscheduled.empty()) *reason = d.unscheduled[0].reason;
  return d.leases.empty() ? "" : d.leases[0].node;
}

std::vector<model::NodeInfo> Labelled() {
  auto small = Node("small", "4", "16Gi");
  small.labels = {{"zone", "a"}, {"cores", "4"}};
  auto big = Node("big", "64", "256Gi");
  big.labels = {{"zone", "b"}, {"cores", "64"}, {"ssd", "yes"}};
  return {small, big};
}

struct AffinityCase {
  std::string name;
  model::NodeSelectorRequirement req;
  std::string node;  // "" = unschedulable
};

const std::vector<AffinityCase> kAffinityCases = {
    {"In", {"zone", "In", {"b"}}, "big"},
    {"NotIn", {"zone", "NotIn", {"b"}}, "small"},
    {"Exists", {"ssd", "Exists", {}}, "big"},
    {"DoesNotExist", {"ssd", "DoesNotExist", {}}, "small"},
    {"Gt", {"cores", "Gt", {"8"}}, "big"},
    {"Lt", {"cores", "Lt", {"8"}}, "small"},
    {"nothing matches", {"zone", "In", {"c"}}, ""},
};

TEST_CASE("placement: required node affinity operators") {
  auto c = GENERATE(from_range(kAffinityCases));
  DYNAMIC_SECTION(c.name) {
    auto job = Job("j", "q", 1);
    job.node_affinity = {{{c.req}}};
    std::string reason;
    CHECK(Place(Labelled(), job, &reason) == c.node);
    if (c.node.empty()) CHECK(reason == "pool default: no node matches: node affinity");
  }
}

TEST_CASE("placement: node selector") {
  auto job = Job("j", "q", 1);
  job.node_selector = {{"zone", "a"}};
  CHECK(Place(Labelled(), job) == "small");
  job.node_selector = {{"zone", "a"}, {"ssd", "yes"}};
  std::string reason;
  CHECK(Place(Labelled(), job, &reason).empty());
  CHECK_THAT(reason, Catch::Contains("no node matches: node selector"));
}

struct TaintCase {
  std::string name;
  model::Taint taint;
  std::vector<model::Toleration> tolerations;
  bool placed;
};

const std::vector<TaintCase> kTaintCases = {
    {"NoSchedule, untolerated", {"gpu", "true", "NoSchedule"}, {}, false},
    {"NoExecute, untolerated", {"gpu", "true", "NoExecute"}, {}, false},
    {"PreferNoSchedule never blocks", {"gpu", "true", "PreferNoSchedule"}, {}, true},
    {"Equal toleration",
     {"gpu", "true", "NoSchedule"},
     {{"gpu", "Equal", "true", "NoSchedule"}},
     true},
    {"Equal toleration, other value",
     {"gpu", "true", "NoSchedule"},
     {{"gpu", "Equal", "false", "NoSchedule"}},
     false},
    {"Exists toleration", {"gpu", "x", "NoExecute"}, {{"gpu", "Exists", "", ""}}, true},
    {"empty key Exists tolerates all", {"any", "x", "NoSchedule"}, {{"", "Exists", "", ""}}, true},
    {"toleration for another effect",
     {"gpu", "true", "NoExecute"},
     {{"gpu", "Exists", "", "NoSchedule"}},
     false},
};

TEST_CASE("placement: taints and tolerations") {
  auto c = GENERATE(from_range(kTaintCases));
  DYNAMIC_SECTION(c.name) {
    auto node = Node("n", "4", "16Gi");
    node.taints = {c.taint};
    auto job = Job("j", "q", 1);
    job.tolerations = c.tolerations;
    CHECK(Place({node}, job) == (c.placed ? "n" : ""));
  }
}

TEST_CASE("placement: unschedulable nodes get nothing and count for no capacity") {
  auto cordoned = Node("a", "64", "256Gi");
  cordoned.unschedulable = true;
  std::string reason;
  CHECK(Place({cordoned, Node("b", "2", "8Gi")}, Job("j", "q", 1)) == "b");
  CHECK(Place({cordoned}, Job("j", "q", 1), &reason).empty());
  CHECK(reason == "pool default: pool has no schedulable node");
}

TEST_CASE("placement: fit is exact in milli-units and counts what is in use") {
  auto scheduler = FairShareScheduler::Create({});
  REQUIRE(scheduler.ok());
  SchedulingSnapshot s;
  s.queues = {fixtures::Queue("q")};
  auto node = Node("n", "2500m", "16Gi");
  node.allocated = fixtures::Resources("500m", "1Gi");  // pods the scheduler does not own
  s.nodes = {node};
  s.running = {fixtures::Running(Job("r", "q", 0, "500m", "1Gi"), node)};
  s.jobs = {Job("j1", "q", 1, "500m"), Job("j2", "q", 2, "1"), Job("j3", "q", 3, "1m")};
  Decision d = (*scheduler)->Schedule(s);
  // 2500m - 500m allocated - 500m running = 1500m: j1 (500m) and j2 (1000m) fit exactly.
  REQUIRE(d.leases.size() == 2);
  CHECK(d.leases[0].job_id == "j1");
  CHECK(d.leases[1].job_id == "j2");
  REQUIRE(d.unscheduled.size() == 1);
  CHECK(d.unscheduled[0].job_id == "j3");
}

TEST_CASE("placement: best fit picks the node left with the least free capacity") {
  std::vector<model::NodeInfo> nodes = {Node("n8", "8", "32Gi"), Node("n2", "2", "8Gi"),
                                        Node("n4", "4", "16Gi"), Node("m4", "4", "16Gi")};
  CHECK(Place(nodes, Job("j", "q", 1, "2", "8Gi")) == "n2");
  CHECK(Place(nodes, Job("j", "q", 1, "3", "1Gi")) == "m4");  // tie with n4: by name
  CHECK(Place(nodes, Job("j", "q", 1, "1", "20Gi")) == "n8");
}

TEST_CASE("placement: an infeasible job does not block its queue") {
  auto scheduler = FairShareScheduler::Create({});
  REQUIRE(scheduler.ok());
  SchedulingSnapshot s;
  s.queues = {fixtures::Queue("q")};
  s.nodes = fixtures::Nodes(2, "4", "16Gi");
  s.jobs = {Job("huge-1", "q", 1, "64"), Job("huge-2", "q", 2, "64"), Job("small", "q", 3)};
  Decision d = (*scheduler)->Schedule(s);
  REQUIRE(d.leases.size() == 1);
  CHECK(d.leases[0].job_id == "small");
  REQUIRE(d.unscheduled.size() == 2);
  CHECK(d.unscheduled[0].reason == d.unscheduled[1].reason);  // from the infeasible-key cache
  CHECK_THAT(d.unscheduled[0].reason, Catch::Contains("no matching node has cpu=64"));
}

// The index must agree with a scan of every node.
TEST_CASE("placement: node index best fit equals a full scan") {
  std::mt19937 rng(42);
  std::vector<FairnessResource> resources = {{"cpu", 1}, {"memory", 1}, {"nvidia.com/gpu", 1}};
  std::vector<model::NodeInfo> nodes;
  model::ResourceList total;
  for (int i = 0; i < 200; ++i) {
    auto node = Node("n" + std::to_string(i), std::to_string(4 + rng() % 60),
                     std::to_string(8 + rng() % 500) + "Gi");
    if (i % 3 == 0) node.allocatable.Set("nvidia.com/gpu", 1000 * (rng() % 8));
    if (i % 4 == 0) node.labels["zone"] = "z" + std::to_string(rng() % 3);
    if (i % 9 == 0) node.taints = {{"gpu", "true", "NoSchedule"}};
    total.Add(node.allocatable);
    nodes.push_back(node);
  }
  std::vector<const model::NodeInfo*> pointers;
  std::vector<model::ResourceList> used(nodes.size());
  for (const auto& n : nodes) pointers.push_back(&n);
  std::vector<model::ResourceList> free;
  for (const auto& n : nodes) free.push_back(n.allocatable);
  NodeIndex index(pointers, used, total, resources, {"zone"});
  // Best fit is judged on the job's dominant resource: least of it left free.
  auto dominant = [&](const model::ResourceList& requests) {
    std::string best_name;
    double largest = -1;
    for (const auto& f : resources) {
      if (total.Get(f.name) <= 0) continue;
      double share = double(requests.Get(f.name)) / double(total.Get(f.name));
      if (share > largest) {
        largest = share;
        best_name = f.name;
      }
    }
    return best_name;
  };
  for (int j = 0; j < 2000; ++j) {
    auto job =
        Job("j", "q", j, std::to_string(1 + rng() % 16), std::to_string(1 + rng() % 64) + "Gi");
    if (j % 5 == 0) job.requests.Set("nvidia.com/gpu", 1000);
    if (j % 7 == 0) job.node_selector["zone"] = "z" + std::to_string(rng() % 3);
    if (j % 11 == 0) job.tolerations = {{"gpu", "Exists", "", ""}};
    const std::string d = dominant(job.requests);
    int best = -1;
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (StaticMismatch(job, nodes[i]) || !job.requests.FitsWithin(free[i])) continue;
      if (best < 0 || free[i].Get(d) < free[best].Get(d)) best = static_cast<int>(i);
    }
    NodeIndex::Fit fit = index.BestFit(job);
    if (best < 0) {
      CHECK(fit.node == nullptr);
      continue;
    }
    REQUIRE(fit.node != nullptr);
    CHECK(free[fit.node - nodes.data()].Get(d) == free[best].Get(d));
    index.Place(fit.node, job.requests);
    free[fit.node - nodes.data()].Subtract(job.requests);
  }
}

}  // namespace
}  // namespace armada::scheduling
