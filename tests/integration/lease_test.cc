#include <catch2/catch.hpp>

#include "server/scheduler/job_index.h"
#include "tests/integration/executor_driver.h"

namespace armada::testing {
namespace {

TEST_CASE("lease: jobs go from submitted to succeeded or failed through the executor API") {
  ServerFixture server;
  server.CreateQueue("q");
  auto ids = SubmitJobs(server, 2, "1");

  // No executor has reported yet: nothing to schedule onto.
  REQUIRE(*server.scheduler().RunCycle() == 0);
  REQUIRE(LeaseExchange(server, {}).leases.empty());
  REQUIRE(*server.scheduler().RunCycle() == 2);

  Exchange exchange = LeaseExchange(server, {});
  CHECK(exchange.ended);
  REQUIRE(exchange.leases.size() == 2);
  CHECK(exchange.leases[0].node_name() == "node-1");
  CHECK(exchange.leases[0].queue() == "q");
  // Once the executor holds the runs, they are not leased again.
  std::map<std::string, api::JobState> held;
  for (const auto& lease : exchange.leases) held[lease.job_run_id()] = api::LEASED;
  CHECK(LeaseExchange(server, held).leases.empty());

  std::vector<executorapi::RunEvent> events;
  for (const auto& lease : exchange.leases) {
    auto pending = RunEvent(lease);
    pending.mutable_pending()->set_pod_name("armada-" + lease.job().id() + "-0");
    auto running = RunEvent(lease);
    running.mutable_running();
    events.push_back(pending);
    events.push_back(running);
  }
  auto succeeded = RunEvent(exchange.leases[0]);
  succeeded.mutable_succeeded();
  auto failed = RunEvent(exchange.leases[1]);
  failed.mutable_failed()->set_reason("exit code 1");
  auto* exit = failed.mutable_failed()->add_containers();
  exit->set_name("main");
  exit->set_exit_code(1);
  events.push_back(succeeded);
  events.push_back(failed);
  Report(server, events);
  Report(server, events);  // a re-sent batch changes nothing

  auto stream = server.JobSetEvents("q", "s");
  const std::string first = exchange.leases[0].job().id();
  const std::string second = exchange.leases[1].job().id();
  CHECK(EventKinds(stream, first) == std::vector<std::string>{"submitted", "queued", "leased",
                                                              "pending", "running", "succeeded"});
  CHECK(EventKinds(stream, second) ==
        std::vector<std::string>{"submitted", "queued", "leased", "pending", "running", "failed"});
  const auto& failed_event = stream.back().message().failed();
  CHECK(failed_event.job_id() == second);
  REQUIRE(failed_event.container_statuses_size() == 1);
  CHECK(failed_event.container_statuses(0).exitcode() == 1);
  CHECK(failed_event.reason() == "exit code 1");
  for (const auto& e : stream) {
    if (e.message().has_leased()) CHECK(e.message().leased().cluster_id() == "exec-1");
  }

  // Finished runs the executor still reports are to be stopped.
  CHECK(LeaseExchange(server, held).cancelled.size() == 2);
}

TEST_CASE("lease: an executor at its own lease limit is sent no new leases") {
  ServerFixture server;
  server.CreateQueue("q");
  SubmitJobs(server, 1, "1");
  LeaseExchange(server, {});
  REQUIRE(*server.scheduler().RunCycle() == 1);
  TestExecutor full;
  full.at_lease_limit = true;
  CHECK(LeaseExchange(server, {}, full).leases.empty());
  CHECK(LeaseExchange(server, {}).leases.size() == 1);  // once it has room again
}

TEST_CASE("lease: jobs are only leased onto free capacity") {
  ServerFixture server;
  server.CreateQueue("q");
  SubmitJobs(server, 3, "3");  // 3 cpus each on a 4-cpu node
  LeaseExchange(server, {});
  REQUIRE(*server.scheduler().RunCycle() == 1);
  REQUIRE(*server.scheduler().RunCycle() == 0);  // the first still holds the cpus
}

TEST_CASE("lease: cancelling a leased job tells the executor to stop its run") {
  ServerFixture server;
  server.CreateQueue("q");
  const executorapi::JobRunLease lease = StartOneJob(server);
  const std::string run_id = lease.job_run_id();
  const std::vector<std::string> ids = {lease.job().id()};

  api::JobCancelRequest cancel;
  cancel.set_queue("q");
  cancel.set_job_set_id("s");
  cancel.add_job_ids(ids[0]);
  grpc::ClientContext context;
  api::CancellationResult result;
  REQUIRE(server.submit().CancelJobs(&context, cancel, &result).ok());

  Exchange after = LeaseExchange(server, {{run_id, api::RUNNING}});
  CHECK(after.cancelled == std::vector<std::string>{run_id});
  // The process ending afterwards does not turn the cancelled job into a failure.
  auto failed = RunEvent(lease);
  failed.mutable_failed()->set_reason("cancelled");
  Report(server, {failed});
  CHECK(EventKinds(server.JobSetEvents("q", "s"), ids[0]).back() == "cancelled");
}

TEST_CASE("lease: a started run the executor no longer reports fails as lost") {
  ServerFixture server;
  server.CreateQueue("q");
  const executorapi::JobRunLease lease = StartOneJob(server);
  const std::vector<std::string> ids = {lease.job().id()};
  auto running = RunEvent(lease);
  running.mutable_running();
  Report(server, {running});

  // The executor restarts and comes back without the run.
  CHECK(LeaseExchange(server, {}).leases.empty());
  auto events = server.JobSetEvents("q", "s");
  CHECK(EventKinds(events, ids[0]).back() == "failed");
  CHECK_THAT(events.back().message().failed().reason(), Catch::Contains("lost"));
}

TEST_CASE("lease: an executor that has not started its leases gets no more (back-pressure)") {
  server::ServerConfig config;
  config.max_unacknowledged_runs_per_executor = 2;
  ServerFixture server(config);
  server.CreateQueue("q");
  SubmitJobs(server, 4, "100m");
  LeaseExchange(server, {});
  REQUIRE(*server.scheduler().RunCycle() == 4);  // the executor was idle
  SubmitJobs(server, 2, "100m");
  // Four leased runs, none started: at the limit of 2, nothing more is leased.
  REQUIRE(*server.scheduler().RunCycle() == 0);

  Exchange exchange = LeaseExchange(server, {});
  REQUIRE(exchange.leases.size() == 4);
  std::vector<executorapi::RunEvent> started;
  for (int i = 0; i < 3; ++i) {
    auto running = RunEvent(exchange.leases[i]);
    running.mutable_running();
    started.push_back(running);
  }
  Report(server, started);  // one run still unacknowledged: below the limit
  CHECK(*server.scheduler().RunCycle() == 2);
}

std::vector<std::string> Ids(const std::vector<model::QueuedJob>& jobs) {
  std::vector<std::string> ids;
  for (const auto& job : jobs) ids.push_back(job.id);
  return ids;
}

std::vector<std::string> Ids(const std::vector<model::RunningJob>& jobs) {
  std::vector<std::string> ids;
  for (const auto& job : jobs) ids.push_back(job.id + "@" + job.node);
  return ids;
}

TEST_CASE("job index: follows the event log and agrees with a fresh load") {
  ServerFixture server;
  server.CreateQueue("q");
  auto first = SubmitJobs(server, 3, "1");
  server::JobIndex index;
  REQUIRE(index.Load(server.db()).ok());
  CHECK(index.QueuedJobs().size() == 3);

  SubmitJobs(server, 2, "1");
  api::JobCancelRequest cancel;
  cancel.add_job_ids(first[0]);
  grpc::ClientContext context;
  api::CancellationResult cancelled;
  REQUIRE(server.submit().CancelJobs(&context, cancel, &cancelled).ok());
  REQUIRE(index.Sync(server.db()).ok());
  CHECK(index.QueuedJobs().size() == 4);

  // Another replica (the fixture's own scheduler loop) leases them all.
  LeaseExchange(server, {});
  REQUIRE(*server.scheduler().RunCycle() == 4);
  REQUIRE(index.Sync(server.db()).ok());
  CHECK(index.QueuedJobs().empty());
  auto running = index.RunningJobs();
  REQUIRE(running.size() == 4);
  CHECK(running[0].node == "node-1");
  CHECK(running[0].executor == "exec-1");
  CHECK(running[0].requests.ToString() == "cpu=1,memory=1Gi");

  // A returned lease puts its job back in the queue, with what it needs to be scheduled.
  Exchange exchange = LeaseExchange(server, {});
  REQUIRE_FALSE(exchange.leases.empty());
  auto returned = RunEvent(exchange.leases[0]);
  returned.mutable_lease_returned()->set_reason("image not found");
  Report(server, {returned});
  REQUIRE(index.Sync(server.db()).ok());
  auto queued = index.QueuedJobs();
  REQUIRE(queued.size() == 1);
  CHECK(queued[0].id == exchange.leases[0].job().id());
  CHECK(queued[0].requests.ToString() == "cpu=1,memory=1Gi");

  // Loading from the tables now gives exactly what following the log gave.
  server::JobIndex fresh;
  REQUIRE(fresh.Load(server.db()).ok());
  CHECK(Ids(fresh.QueuedJobs()) == Ids(index.QueuedJobs()));
  CHECK(Ids(fresh.RunningJobs()) == Ids(index.RunningJobs()));
  CHECK(fresh.QueuedJobs()[0].submit_seq == queued[0].submit_seq);
  CHECK(fresh.QueuedJobs()[0].priority_class == queued[0].priority_class);
}

TEST_CASE("lease: the leader's scheduling rate limit holds across cycles") {
  server::ServerConfig config;
  config.scheduling.fair_share.maximum_scheduling_rate = 1;  // one job a second
  config.scheduling.fair_share.maximum_scheduling_burst = 2;
  ServerFixture server(config);
  server.CreateQueue("q");
  SubmitJobs(server, 5, "100m");
  LeaseExchange(server, {});
  CHECK(*server.scheduler().RunCycle() == 2);  // the burst
  CHECK(*server.scheduler().RunCycle() == 0);  // no time has passed: no new tokens
  server.clock().Advance(absl::Seconds(1));
  CHECK(*server.scheduler().RunCycle() == 1);
}

void Cordon(ServerFixture& server, bool cordoned) {
  api::ExecutorSettingsUpsertRequest request;
  request.set_name("exec-1");
  request.set_cordoned(cordoned);
  request.set_cordonreason("disk replacement");
  grpc::ClientContext context;
  google::protobuf::Empty empty;
  REQUIRE(server.executor_admin().UpsertExecutorSettings(&context, request, &empty).ok());
}

TEST_CASE("lease: a cordoned executor gets no new leases until it is uncordoned") {
  ServerFixture server;
  server.CreateQueue("q");
  SubmitJobs(server, 2, "100m");
  LeaseExchange(server, {});
  Cordon(server, true);
  CHECK(*server.scheduler().RunCycle() == 0);
  Cordon(server, false);
  CHECK(*server.scheduler().RunCycle() == 2);
}

TEST_CASE("lease: a deleted executor is forgotten until it reports again") {
  ServerFixture server;
  server.CreateQueue("q");
  SubmitJobs(server, 1, "100m");
  LeaseExchange(server, {});
  api::ExecutorDeleteRequest request;
  request.set_name("exec-1");
  for (auto expected : {grpc::StatusCode::OK, grpc::StatusCode::NOT_FOUND}) {
    grpc::ClientContext context;
    google::protobuf::Empty empty;
    CHECK(server.executor_admin().DeleteExecutor(&context, request, &empty).error_code() ==
          expected);
  }
  CHECK(*server.scheduler().RunCycle() == 0);  // no nodes known
  LeaseExchange(server, {});
  CHECK(*server.scheduler().RunCycle() == 1);
}

TEST_CASE("lease: a queue's own priority-class limits override the configured ones") {
  ServerFixture server;
  api::Queue queue;
  queue.set_name("q");
  queue.set_priority_factor(1);
  (*(*queue.mutable_resource_limits_by_priority_class_name())["armada-default"]
        .mutable_maximum_resource_fraction())["cpu"] = 0.5;
  grpc::ClientContext context;
  google::protobuf::Empty empty;
  REQUIRE(server.submit().CreateQueue(&context, queue, &empty).ok());
  SubmitJobs(server, 4, "1");  // the node has 4 cpus; the queue may hold 2 of them
  LeaseExchange(server, {});
  CHECK(*server.scheduler().RunCycle() == 2);
}

}  // namespace
}  // namespace armada::testing
