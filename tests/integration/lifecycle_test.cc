// Cancel, preempt, reprioritize, lease returns and lease expiry through the
// real services: what a user sees in the event stream and what the executor
// is told.

#include <thread>

#include <catch2/catch.hpp>

#include "tests/integration/executor_driver.h"

namespace armada::testing {
namespace {

using Kinds = std::vector<std::string>;

std::vector<std::string> Cancel(ServerFixture& server, const std::vector<std::string>& ids) {
  api::JobCancelRequest request;
  request.set_queue("q");
  request.set_job_set_id("s");
  for (const auto& id : ids) request.add_job_ids(id);
  grpc::ClientContext context;
  api::CancellationResult result;
  REQUIRE(server.submit().CancelJobs(&context, request, &result).ok());
  return {result.cancelled_ids().begin(), result.cancelled_ids().end()};
}

api::PreemptionResult Preempt(ServerFixture& server, const std::vector<std::string>& ids) {
  api::JobPreemptRequest request;
  request.set_queue("q");
  request.set_job_set_id("s");
  request.set_reason("maintenance");
  for (const auto& id : ids) request.add_job_ids(id);
  grpc::ClientContext context;
  api::PreemptionResult result;
  REQUIRE(server.submit().PreemptJobs(&context, request, &result).ok());
  return result;
}

TEST_CASE("cancel: a queued job is cancelled at once") {
  ServerFixture server;
  server.CreateQueue("q");
  auto ids = SubmitJobs(server, 1, "1");
  CHECK(Cancel(server, ids) == ids);
  CHECK(EventKinds(server.JobSetEvents("q", "s"), ids[0]) ==
        Kinds{"submitted", "queued", "cancelling", "cancelled"});
  // Again: nothing more happens and nothing more is announced.
  CHECK(Cancel(server, ids).empty());
  CHECK(EventKinds(server.JobSetEvents("q", "s"), ids[0]).size() == 4);
}

TEST_CASE("cancel: a running job is cancelling until its executor stops the run") {
  ServerFixture server;
  server.CreateQueue("q");
  const auto lease = StartOneJob(server);
  const std::string id = lease.job().id();
  Report(server, {Running(lease)});
  CHECK(Cancel(server, {id}) == std::vector<std::string>{id});
  CHECK(EventKinds(server.JobSetEvents("q", "s"), id).back() == "cancelling");

  // The node stays busy: a second job of the whole node's size is not leased.
  SubmitJobs(server, 1, "4");
  CHECK(*server.scheduler().RunCycle() == 0);

  // The executor is told to stop the run, and reports it stopped.
  Exchange exchange = LeaseExchange(server, {{lease.job_run_id(), api::RUNNING}});
  CHECK(exchange.cancelled == std::vector<std::string>{lease.job_run_id()});
  auto stopped = RunEvent(lease);
  stopped.mutable_failed()->set_reason("cancelled");
  stopped.mutable_failed()->set_cancelled(true);
  Report(server, {stopped});
  Report(server, {stopped});  // a re-sent report changes nothing
  CHECK(EventKinds(server.JobSetEvents("q", "s"), id) ==
        Kinds{"submitted", "queued", "leased", "running", "cancelling", "cancelled"});
  // Now the node is free.
  LeaseExchange(server, {});
  CHECK(*server.scheduler().RunCycle() == 1);
}

TEST_CASE("cancel: a leased run the executor never received is cancelled at its next exchange") {
  ServerFixture server;
  server.CreateQueue("q");
  auto ids = SubmitJobs(server, 1, "1");
  LeaseExchange(server, {});
  REQUIRE(*server.scheduler().RunCycle() == 1);
  Cancel(server, ids);
  Exchange exchange = LeaseExchange(server, {});
  CHECK(exchange.leases.empty());  // not handed out any more
  CHECK(EventKinds(server.JobSetEvents("q", "s"), ids[0]) ==
        Kinds{"submitted", "queued", "leased", "cancelling", "cancelled"});
}

TEST_CASE("cancel: racing the scheduler, each job ends cancelled exactly once") {
  ServerFixture server;
  server.CreateQueue("q");
  TestExecutor roomy;  // room for every job at once
  roomy.cpu = "1000";
  roomy.memory = "1000Ti";
  LeaseExchange(server, {}, roomy);
  constexpr int kRounds = 1000;
  std::vector<std::string> ids;
  for (int round = 0; round < kRounds; ++round) {
    const std::string id = SubmitJobs(server, 1, "0.001", "q", "s")[0];
    ids.push_back(id);
    std::thread cancel([&] { Cancel(server, {id}); });
    REQUIRE(server.scheduler().RunCycle().ok());
    cancel.join();
    if (round % 100 == 99) LeaseExchange(server, {}, roomy);  // ends cancels of leased runs
  }
  LeaseExchange(server, {}, roomy);
  std::map<std::string, Kinds> kinds_by_job;
  for (const auto& event : server.JobSetEvents("q", "s")) {
    const auto kinds = EventKinds({event});
    if (kinds.empty()) continue;
    const auto& message = event.message();
    std::string job_id = message.has_cancelled()    ? message.cancelled().job_id()
                         : message.has_cancelling() ? message.cancelling().job_id()
                         : message.has_leased()     ? message.leased().job_id()
                         : message.has_submitted()  ? message.submitted().job_id()
                         : message.has_queued()     ? message.queued().job_id()
                                                    : "other:" + kinds[0];
    kinds_by_job[job_id].push_back(kinds[0]);
  }
  int leased_first = 0;
  for (const auto& id : ids) {
    const Kinds& kinds = kinds_by_job[id];
    INFO(id);
    CHECK(std::count(kinds.begin(), kinds.end(), "cancelled") == 1);
    CHECK(std::count(kinds.begin(), kinds.end(), "cancelling") == 1);
    CHECK(kinds.back() == "cancelled");
    leased_first += std::count(kinds.begin(), kinds.end(), "leased");
  }
  CHECK(kinds_by_job.count("other:failed") == 0);
  CHECK(kinds_by_job.count("other:succeeded") == 0);
  // Both orders happened: some cancels came before the lease, some after.
  WARN("jobs leased before their cancel: " << leased_first << " of " << kRounds);
}

TEST_CASE("preempt: a running job is preempted and fails, a queued one is left alone") {
  server::ServerConfig config;
  config.retry.requeue_preempted = false;  // Armada's behaviour
  ServerFixture server(config);
  server.CreateQueue("q");
  const auto lease = StartOneJob(server);
  const std::string running = lease.job().id();
  Report(server, {Running(lease)});
  const std::string queued = SubmitJobs(server, 1, "8")[0];  // fits nowhere, stays queued

  api::PreemptionResult result = Preempt(server, {running, queued, "no-such-job"});
  CHECK(result.preemption_results().at(running).empty());
  CHECK_THAT(result.preemption_results().at(queued), Catch::Contains("queued"));
  CHECK(result.preemption_results().at("no-such-job") == "job not found");

  auto events = server.JobSetEvents("q", "s");
  CHECK(EventKinds(events, running) ==
        Kinds{"submitted", "queued", "leased", "running", "preempting", "preempted", "failed"});
  for (const auto& event : events) {
    if (!event.message().has_preempted()) continue;
    CHECK(event.message().preempted().run_id() == lease.job_run_id());
    CHECK(event.message().preempted().reason() == "maintenance");
  }
  // The executor is told to stop the run.
  CHECK(LeaseExchange(server, {{lease.job_run_id(), api::RUNNING}}).cancelled ==
        std::vector<std::string>{lease.job_run_id()});
}

TEST_CASE("preempt: by default the preempted job is requeued, unless its annotation says not") {
  ServerFixture server;
  server.CreateQueue("q");
  const auto lease = StartOneJob(server);
  const std::string requeued = lease.job().id();
  Report(server, {Running(lease)});
  Preempt(server, {requeued});
  CHECK(EventKinds(server.JobSetEvents("q", "s"), requeued) ==
        Kinds{"submitted", "queued", "leased", "running", "preempting", "preempted"});
  // Requeued once the executor no longer holds the old run.
  LeaseExchange(server, {});
  CHECK(EventKinds(server.JobSetEvents("q", "s"), requeued) ==
        Kinds{"submitted", "queued", "leased", "running", "preempting", "preempted", "queued"});
  // It runs again in the next cycle (the node is free once the executor stops the old run).
  LeaseExchange(server, {});
  CHECK(*server.scheduler().RunCycle() == 1);

  api::JobSubmitRequest request;
  request.set_queue("q");
  request.set_job_set_id("s");
  auto item = JobItem({"sleep", "60"}, "1");
  (*item.mutable_annotations())["armadaproject.io/requeueOnPreemption"] = "false";
  *request.add_job_request_items() = item;
  grpc::ClientContext context;
  api::JobSubmitResponse response;
  REQUIRE(server.submit().SubmitJobs(&context, request, &response).ok());
  const std::string final_id = response.job_response_items(0).job_id();
  LeaseExchange(server, {});
  REQUIRE(*server.scheduler().RunCycle() == 1);
  Preempt(server, {final_id});
  CHECK(EventKinds(server.JobSetEvents("q", "s"), final_id).back() == "failed");
}

TEST_CASE("reprioritize: the next cycle schedules by the new priority") {
  ServerFixture server;
  server.CreateQueue("q");
  auto ids = SubmitJobs(server, 2, "4");  // one node of 4 cpus: one at a time
  LeaseExchange(server, {});
  REQUIRE(server.scheduler().RunCycle().ok());  // index loaded; first job leased
  auto first = LeaseExchange(server, {});
  REQUIRE(first.leases.size() == 1);
  CHECK(first.leases[0].job().id() == ids[0]);

  // Three more; the last one goes to the front of the queue.
  auto more = SubmitJobs(server, 3, "4");
  api::JobReprioritizeRequest request;
  request.add_job_ids(more[2]);
  request.add_job_ids("no-such-job");
  request.set_new_priority(0);
  for (const auto& id : {ids[1], more[0], more[1]}) {
    api::JobReprioritizeRequest lower;
    lower.add_job_ids(id);
    lower.set_new_priority(5);
    grpc::ClientContext context;
    api::JobReprioritizeResponse response;
    REQUIRE(server.submit().ReprioritizeJobs(&context, lower, &response).ok());
  }
  grpc::ClientContext context;
  api::JobReprioritizeResponse response;
  REQUIRE(server.submit().ReprioritizeJobs(&context, request, &response).ok());
  CHECK(response.reprioritization_results().at(more[2]).empty());
  CHECK(response.reprioritization_results().at("no-such-job") == "job not found");
  CHECK(EventKinds(server.JobSetEvents("q", "s"), more[2]) ==
        Kinds{"submitted", "queued", "reprioritizing", "reprioritized"});

  // The first job ends; the reprioritized one is next.
  auto done = RunEvent(first.leases[0]);
  done.mutable_succeeded();
  Report(server, {done});
  LeaseExchange(server, {});
  REQUIRE(*server.scheduler().RunCycle() == 1);
  auto next = LeaseExchange(server, {});
  REQUIRE(next.leases.size() == 1);
  CHECK(next.leases[0].job().id() == more[2]);
}

TEST_CASE("reprioritize: a whole job set, and a priority that is not a whole number is refused") {
  ServerFixture server;
  server.CreateQueue("q");
  auto ids = SubmitJobs(server, 3, "1");
  api::JobReprioritizeRequest request;
  request.set_queue("q");
  request.set_job_set_id("s");
  request.set_new_priority(7);
  grpc::ClientContext context;
  api::JobReprioritizeResponse response;
  REQUIRE(server.submit().ReprioritizeJobs(&context, request, &response).ok());
  CHECK(response.reprioritization_results().size() == 3);

  request.set_new_priority(-1.5);
  grpc::ClientContext context2;
  grpc::Status status = server.submit().ReprioritizeJobs(&context2, request, &response);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK_THAT(status.error_message(), Catch::Contains("new_priority"));
}

TEST_CASE("lease return: the job is requeued onto another node, up to maxRetries") {
  server::ServerConfig config;
  config.retry.max_retries = 1;
  ServerFixture server(config);
  server.CreateQueue("q");
  TestExecutor executor;
  executor.nodes = {"node-a", "node-b"};
  auto ids = SubmitJobs(server, 1, "4");
  LeaseExchange(server, {}, executor);

  std::vector<std::string> nodes;
  for (int attempt = 0; attempt < 2; ++attempt) {
    REQUIRE(*server.scheduler().RunCycle() == 1);
    Exchange exchange = LeaseExchange(server, {}, executor);
    REQUIRE(exchange.leases.size() == 1);
    nodes.push_back(exchange.leases[0].node_name());
    auto returned = RunEvent(exchange.leases[0]);
    returned.mutable_lease_returned()->set_reason("image pull failed");
    returned.mutable_lease_returned()->set_run_attempted(true);
    Report(server, {returned});
  }
  CHECK(nodes[0] != nodes[1]);  // the retry avoided the node it had started on
  auto events = server.JobSetEvents("q", "s");
  CHECK(EventKinds(events, ids[0]) == Kinds{"submitted", "queued", "leased", "lease_returned",
                                            "queued", "leased", "lease_returned", "failed"});
  CHECK_THAT(events.back().message().failed().reason(), Catch::Contains("maxRetries 1"));
}

TEST_CASE("lease return: a run that never started does not use up an attempt") {
  server::ServerConfig config;
  config.retry.max_retries = 0;
  ServerFixture server(config);
  server.CreateQueue("q");
  auto lease = StartOneJob(server);
  auto returned = RunEvent(lease);
  returned.mutable_lease_returned()->set_reason("executor full");
  Report(server, {returned});
  CHECK(EventKinds(server.JobSetEvents("q", "s"), lease.job().id()).back() == "queued");
}

TEST_CASE("lease expiry: the runs of a silent executor expire and their jobs are requeued") {
  server::ServerConfig config;
  config.executor_timeout = absl::Seconds(60);
  ServerFixture server(config);
  server.CreateQueue("q");
  const auto lease = StartOneJob(server);
  Report(server, {Running(lease)});
  server.clock().Advance(absl::Seconds(30));
  CHECK(*server.scheduler().ExpireSilentExecutors() == 0);
  server.clock().Advance(absl::Seconds(31));
  CHECK(*server.scheduler().ExpireSilentExecutors() == 1);
  auto events = server.JobSetEvents("q", "s");
  CHECK(EventKinds(events, lease.job().id()) ==
        Kinds{"submitted", "queued", "leased", "running", "lease_expired", "queued"});
  // When it comes back it is told to stop the run.
  CHECK(LeaseExchange(server, {{lease.job_run_id(), api::RUNNING}}).cancelled ==
        std::vector<std::string>{lease.job_run_id()});
}

}  // namespace
}  // namespace armada::testing
