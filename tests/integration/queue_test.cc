// api.QueueService beyond create/get/delete: batches, updates, cordons, and
// cancel or preempt on a queue, an executor or a node.

#include <catch2/catch.hpp>

#include "tests/integration/executor_driver.h"

namespace armada::testing {
namespace {

api::Queue MakeQueue(const std::string& name, double priority_factor) {
  api::Queue queue;
  queue.set_name(name);
  queue.set_priority_factor(priority_factor);
  return queue;
}

std::string StateOf(ServerFixture& server, const std::string& job_id) {
  auto kinds = EventKinds(server.JobSetEvents("q", "s"), job_id);
  return kinds.empty() ? "" : kinds.back();
}

TEST_CASE("queues: batch create and update report each failure and apply the rest") {
  ServerFixture server;
  api::QueueList list;
  *list.add_queues() = MakeQueue("a", 1);
  *list.add_queues() = MakeQueue("", 1);     // no name
  *list.add_queues() = MakeQueue("b", 0.5);  // priority factor below 1
  {
    grpc::ClientContext context;
    api::BatchQueueCreateResponse response;
    REQUIRE(server.queues().CreateQueues(&context, list, &response).ok());
    REQUIRE(response.failed_queues_size() == 2);
    CHECK_THAT(response.failed_queues(0).error(), Catch::Contains("name"));
    CHECK_THAT(response.failed_queues(1).error(), Catch::Contains("priority_factor"));
  }
  {
    api::Queue updated = MakeQueue("a", 3);
    updated.add_user_owners("alice");
    grpc::ClientContext context;
    google::protobuf::Empty empty;
    REQUIRE(server.submit().UpdateQueue(&context, updated, &empty).ok());
    grpc::ClientContext get_context;
    api::QueueGetRequest get;
    get.set_name("a");
    api::Queue got;
    REQUIRE(server.queues().GetQueue(&get_context, get, &got).ok());
    CHECK(got.priority_factor() == 3);
    CHECK(got.user_owners(0) == "alice");
  }
  {
    grpc::ClientContext context;
    google::protobuf::Empty empty;
    auto status = server.queues().UpdateQueue(&context, MakeQueue("missing", 1), &empty);
    CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK_THAT(status.error_message(), Catch::Contains("missing"));
  }
  {
    api::QueueList updates;
    *updates.add_queues() = MakeQueue("a", 2);
    *updates.add_queues() = MakeQueue("missing", 1);
    grpc::ClientContext context;
    api::BatchQueueUpdateResponse response;
    REQUIRE(server.queues().UpdateQueues(&context, updates, &response).ok());
    REQUIRE(response.failed_queues_size() == 1);
    CHECK(response.failed_queues(0).queue().name() == "missing");
  }
}

TEST_CASE("queues: the stream lists queues up to num, then the end marker") {
  ServerFixture server;
  for (const char* name : {"a", "b", "c"}) server.CreateQueue(name);
  for (uint32_t num : {0u, 2u}) {
    api::StreamingQueueGetRequest request;
    request.set_num(num);
    grpc::ClientContext context;
    auto reader = server.queues().GetQueues(&context, request);
    std::vector<std::string> names;
    bool ended = false;
    api::StreamingQueueMessage message;
    while (reader->Read(&message)) {
      if (message.has_queue()) names.push_back(message.queue().name());
      if (message.has_end()) ended = true;
    }
    REQUIRE(reader->Finish().ok());
    CHECK(ended);
    CHECK(names.size() == (num == 0 ? 3u : num));
    CHECK(names[0] == "a");
  }
}

TEST_CASE("queues: a cordoned queue gets no new leases until it is uncordoned") {
  ServerFixture server;
  server.CreateQueue("q");
  auto ids = SubmitJobs(server, 1, "1");
  api::QueueCordonRequest cordon;
  cordon.set_name("q");
  grpc::ClientContext context;
  google::protobuf::Empty empty;
  REQUIRE(server.queues().CordonQueue(&context, cordon, &empty).ok());
  LeaseExchange(server, {});
  CHECK(*server.scheduler().RunCycle() == 0);

  api::QueueGetRequest get;
  get.set_name("q");
  api::Queue queue;
  grpc::ClientContext get_context;
  REQUIRE(server.queues().GetQueue(&get_context, get, &queue).ok());
  CHECK(queue.cordoned());

  api::QueueUncordonRequest uncordon;
  uncordon.set_name("q");
  grpc::ClientContext context2;
  REQUIRE(server.queues().UncordonQueue(&context2, uncordon, &empty).ok());
  CHECK(*server.scheduler().RunCycle() == 1);

  cordon.set_name("missing");
  grpc::ClientContext context3;
  CHECK(server.queues().CordonQueue(&context3, cordon, &empty).error_code() ==
        grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("queues: cancel on a queue honours the state filter, preempt takes running jobs") {
  ServerFixture server;
  server.CreateQueue("q");
  const auto lease = StartOneJob(server);
  auto running = RunEvent(lease);
  running.mutable_running();
  Report(server, {running});
  const std::string queued = SubmitJobs(server, 1, "8")[0];  // fits nowhere

  api::QueueCancelRequest cancel;
  cancel.set_name("q");
  cancel.add_jobstates(api::QUEUED);
  grpc::ClientContext context;
  google::protobuf::Empty empty;
  REQUIRE(server.queues().CancelOnQueue(&context, cancel, &empty).ok());
  CHECK(StateOf(server, queued) == "cancelled");
  CHECK(StateOf(server, lease.job().id()) == "running");

  cancel.clear_jobstates();
  cancel.add_jobstates(api::SUCCEEDED);
  grpc::ClientContext bad;
  auto status = server.queues().CancelOnQueue(&bad, cancel, &empty);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK_THAT(status.error_message(), Catch::Contains("SUCCEEDED"));

  api::QueuePreemptRequest preempt;
  preempt.set_name("q");
  preempt.add_priorityclasses("no-such-class");
  grpc::ClientContext context2;
  REQUIRE(server.queues().PreemptOnQueue(&context2, preempt, &empty).ok());
  CHECK(StateOf(server, lease.job().id()) == "running");  // filtered out
  preempt.clear_priorityclasses();
  grpc::ClientContext context3;
  REQUIRE(server.queues().PreemptOnQueue(&context3, preempt, &empty).ok());
  // Preempted jobs are requeued (requeuePreemptedJobs, on by default) once
  // the executor no longer holds the old run.
  CHECK(StateOf(server, lease.job().id()) == "preempted");
  LeaseExchange(server, {});
  CHECK(StateOf(server, lease.job().id()) == "queued");
  CHECK(EventKinds(server.JobSetEvents("q", "s"), lease.job().id()).end()[-2] == "preempted");
}

TEST_CASE("executors and nodes: cancel and preempt act on the jobs running there") {
  ServerFixture server;
  server.CreateQueue("q");
  TestExecutor executor;
  executor.nodes = {"node-1", "node-2"};
  executor.cpu = "1";
  auto ids = SubmitJobs(server, 2, "1");
  LeaseExchange(server, {}, executor);
  REQUIRE(*server.scheduler().RunCycle() == 2);
  Exchange exchange = LeaseExchange(server, {}, executor);
  REQUIRE(exchange.leases.size() == 2);
  std::map<std::string, std::string> job_on_node;
  for (const auto& lease : exchange.leases) job_on_node[lease.node_name()] = lease.job().id();

  api::NodeCancelRequest on_node;
  on_node.set_name("node-1");
  on_node.set_executor("exec-1");
  grpc::ClientContext context;
  google::protobuf::Empty empty;
  REQUIRE(server.nodes().CancelOnNode(&context, on_node, &empty).ok());
  CHECK(StateOf(server, job_on_node["node-1"]) == "cancelling");
  CHECK(StateOf(server, job_on_node["node-2"]) == "leased");

  api::ExecutorPreemptRequest on_executor;
  on_executor.set_name("exec-1");
  grpc::ClientContext context2;
  REQUIRE(server.executor_admin().PreemptOnExecutor(&context2, on_executor, &empty).ok());
  CHECK(StateOf(server, job_on_node["node-2"]) == "preempted");
  // Requeued once the executor stopped it (it holds only the job being cancelled).
  for (const auto& lease : exchange.leases) {
    if (lease.node_name() == "node-1") LeaseExchange(server, {{lease.job_run_id(), api::RUNNING}}, executor);
  }
  CHECK(StateOf(server, job_on_node["node-2"]) == "queued");
  // The job being cancelled is not preempted as well.
  CHECK(StateOf(server, job_on_node["node-1"]) == "cancelling");
}

}  // namespace
}  // namespace armada::testing
