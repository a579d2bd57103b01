#include "lib/scheduling/fifo_scheduler.h"

#include <catch2/catch.hpp>

#include "tests/unit/fixtures/scheduling_fixtures.h"

namespace armada::scheduling {
namespace {

using fixtures::Job;
using fixtures::Node;
using fixtures::Resources;

model::QueueInfo Queue(const std::string& name, bool cordoned = false) {
  model::QueueInfo queue = fixtures::Queue(name);
  queue.cordoned = cordoned;
  return queue;
}

std::vector<std::string> LeasedIds(const Decision& decision) {
  std::vector<std::string> ids;
  for (const auto& lease : decision.leases) ids.push_back(lease.job_id);
  return ids;
}

TEST_CASE("fifo: jobs of one queue go in submission order until the node is full") {
  SchedulingSnapshot snapshot;
  snapshot.queues = {Queue("a")};
  snapshot.nodes = {Node("n1", "2", "8Gi")};
  snapshot.jobs = {Job("j3", "a", 3), Job("j1", "a", 1), Job("j2", "a", 2)};

  Decision decision = FifoScheduler().Schedule(snapshot);

  CHECK(LeasedIds(decision) == std::vector<std::string>{"j1", "j2"});
  REQUIRE(decision.unscheduled.size() == 1);
  CHECK(decision.unscheduled[0].job_id == "j3");
  CHECK(decision.leases[0].node == "n1");
  CHECK(decision.leases[0].executor == "exec-1");
}

TEST_CASE("fifo: lower priority number goes first within a queue") {
  SchedulingSnapshot snapshot;
  snapshot.queues = {Queue("a")};
  snapshot.nodes = {Node("n1", "1", "8Gi")};
  auto urgent = Job("late-but-urgent", "a", 9);
  auto normal = Job("early", "a", 1);
  normal.priority = 5;
  snapshot.jobs = {normal, urgent};

  CHECK(LeasedIds(FifoScheduler().Schedule(snapshot)) ==
        std::vector<std::string>{"late-but-urgent"});
}

TEST_CASE("fifo: queues take turns") {
  SchedulingSnapshot snapshot;
  snapshot.queues = {Queue("a"), Queue("b")};
  snapshot.nodes = {Node("n1", "4", "64Gi")};
  snapshot.jobs = {Job("a1", "a", 1), Job("a2", "a", 2), Job("a3", "a", 3),
                   Job("a4", "a", 4), Job("b1", "b", 5), Job("b2", "b", 6)};

  CHECK(LeasedIds(FifoScheduler().Schedule(snapshot)) ==
        std::vector<std::string>{"a1", "b1", "a2", "b2"});
}

TEST_CASE("fifo: a job too big for any node does not block the jobs behind it") {
  SchedulingSnapshot snapshot;
  snapshot.queues = {Queue("a")};
  snapshot.nodes = {Node("n1", "2", "8Gi")};
  snapshot.jobs = {Job("huge", "a", 1, "16"), Job("small", "a", 2)};

  Decision decision = FifoScheduler().Schedule(snapshot);

  CHECK(LeasedIds(decision) == std::vector<std::string>{"small"});
  REQUIRE(decision.unscheduled.size() == 1);
  CHECK(decision.unscheduled[0].job_id == "huge");
  CHECK_THAT(decision.unscheduled[0].reason, Catch::Contains("cpu=16"));
}

TEST_CASE("fifo: best fit picks the node with the least room left") {
  SchedulingSnapshot snapshot;
  snapshot.queues = {Queue("a")};
  auto big = Node("big", "16", "64Gi");
  auto small = Node("small", "2", "4Gi");
  snapshot.nodes = {big, small};
  snapshot.jobs = {Job("j", "a", 1)};

  Decision decision = FifoScheduler().Schedule(snapshot);

  REQUIRE(decision.leases.size() == 1);
  CHECK(decision.leases[0].node == "small");
}

TEST_CASE("fifo: resources already allocated on a node are respected") {
  SchedulingSnapshot snapshot;
  snapshot.queues = {Queue("a")};
  auto node = Node("n1", "2", "8Gi");
  node.allocated = Resources("1", "512Mi");  // pods the scheduler does not own
  snapshot.nodes = {node};
  model::RunningJob running;  // and a job it leased earlier
  running.id = "old";
  running.queue = "a";
  running.node = "n1";
  running.executor = "exec-1";
  running.requests = Resources("500m", "512Mi");
  snapshot.running = {running};
  snapshot.jobs = {Job("fits", "a", 1, "500m"), Job("does-not", "a", 2, "100m")};

  CHECK(LeasedIds(FifoScheduler().Schedule(snapshot)) == std::vector<std::string>{"fits"});
}

TEST_CASE("fifo: cordoned queues, unschedulable nodes and node selectors") {
  SchedulingSnapshot snapshot;
  snapshot.queues = {Queue("open"), Queue("closed", /*cordoned=*/true)};
  auto off = Node("off", "8", "8Gi");
  off.unschedulable = true;
  auto gpu = Node("gpu", "8", "8Gi");
  gpu.labels = {{"accelerator", "a100"}};
  auto plain = Node("plain", "8", "8Gi");
  snapshot.nodes = {off, gpu, plain};
  auto wants_gpu = Job("wants-gpu", "open", 1);
  wants_gpu.node_selector = {{"accelerator", "a100"}};
  snapshot.jobs = {wants_gpu, Job("closed-job", "closed", 2)};

  Decision decision = FifoScheduler().Schedule(snapshot);

  REQUIRE(decision.leases.size() == 1);
  CHECK(decision.leases[0].job_id == "wants-gpu");
  CHECK(decision.leases[0].node == "gpu");
  REQUIRE(decision.unscheduled.size() == 1);
  CHECK(decision.unscheduled[0].job_id == "closed-job");
}

TEST_CASE("fifo: the same snapshot gives the same decision") {
  SchedulingSnapshot snapshot;
  snapshot.queues = {Queue("b"), Queue("a")};
  snapshot.nodes = {Node("n2", "3", "8Gi"), Node("n1", "3", "8Gi")};
  for (int i = 0; i < 10; ++i) {
    snapshot.jobs.push_back(Job("job" + std::to_string(i), i % 2 ? "a" : "b", i));
  }
  auto first = FifoScheduler().Schedule(snapshot);
  std::reverse(snapshot.jobs.begin(), snapshot.jobs.end());
  std::reverse(snapshot.nodes.begin(), snapshot.nodes.end());
  auto second = FifoScheduler().Schedule(snapshot);

  REQUIRE(first.leases.size() == 6);
  REQUIRE(second.leases.size() == first.leases.size());
  for (size_t i = 0; i < first.leases.size(); ++i) {
    CHECK(first.leases[i].job_id == second.leases[i].job_id);
    CHECK(first.leases[i].node == second.leases[i].node);
  }
}

}  // namespace
}  // namespace armada::scheduling
