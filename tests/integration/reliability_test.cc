// What the system promises about jobs through failures on its own side:
// executors judged alive by their calls, grace after a leader change or an
// outage, late reports applied, one copy of a job at a time, a cap on runs,
// fenced leaders and bounded decision writes.

#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

#include "lib/store/job_store.h"
#include "server/scheduler/leader_lock.h"
#include "tests/integration/executor_driver.h"

namespace armada::testing {
namespace {

using Kinds = std::vector<std::string>;

void Preempt(ServerFixture& server, const std::string& job_id) {
  api::JobPreemptRequest request;
  request.set_queue("q");
  request.set_job_set_id("s");
  request.add_job_ids(job_id);
  grpc::ClientContext context;
  api::PreemptionResult result;
  REQUIRE(server.submit().PreemptJobs(&context, request, &result).ok());
}

server::ServerConfig WithTimeout(absl::Duration timeout) {
  server::ServerConfig config;
  config.executor_timeout = timeout;
  return config;
}

TEST_CASE("liveness: an executor that only reports events stays alive") {
  ServerFixture server(WithTimeout(absl::Seconds(60)));
  server.CreateQueue("q");
  const auto lease = StartOneJob(server);
  Report(server, {Running(lease)});
  for (int i = 0; i < 3; ++i) {
    server.clock().Advance(absl::Seconds(40));
    Report(server, {Running(lease)});  // a repeat: nothing to apply, but a heartbeat
    CHECK(*server.scheduler().ExpireSilentExecutors() == 0);
  }
  CHECK(StoredJobState(server, lease.job().id()) == "running");
}

TEST_CASE("liveness: a new leader gives every executor executorTimeout before expiring") {
  ServerFixture server(WithTimeout(absl::Seconds(60)));
  server.CreateQueue("q");
  const auto lease = StartOneJob(server);
  Report(server, {Running(lease)});
  // The executor falls silent; much later a new leader takes over (the old
  // one's lock is released when its loop is replaced).
  server.clock().Advance(absl::Seconds(300));
  server::ServerConfig config = WithTimeout(absl::Seconds(60));
  config.database_url = DatabaseUrl();
  server.ReplaceScheduler(config);
  CHECK(*server.scheduler().ExpireSilentExecutors() == 0);  // grace: maybe we missed its calls
  server.clock().Advance(absl::Seconds(59));
  CHECK(*server.scheduler().ExpireSilentExecutors() == 0);
  server.clock().Advance(absl::Seconds(2));
  CHECK(*server.scheduler().ExpireSilentExecutors() == 1);
}

TEST_CASE("liveness: an expired run's job is requeued, and its late success is applied") {
  ServerFixture server(WithTimeout(absl::Seconds(60)));
  server.CreateQueue("q");
  const auto lease = StartOneJob(server);
  Report(server, {Running(lease)});
  server.clock().Advance(absl::Seconds(61));
  REQUIRE(*server.scheduler().ExpireSilentExecutors() == 1);
  CHECK(StoredJobState(server, lease.job().id()) == "queued");
  // The executor was only cut off: its job finished meanwhile, and it says so.
  Report(server, {Succeeded(lease)});
  CHECK(StoredJobState(server, lease.job().id()) == "succeeded");
  CHECK(EventKinds(server.JobSetEvents("q", "s"), lease.job().id()) ==
        Kinds{"submitted", "queued", "leased", "running", "lease_expired", "queued", "succeeded"});
  // And it is not leased again.
  LeaseExchange(server, {});
  CHECK(*server.scheduler().RunCycle() == 0);
}

TEST_CASE("liveness: a late report of a run whose job was leased again is not applied") {
  ServerFixture server(WithTimeout(absl::Seconds(60)));
  server.CreateQueue("q");
  const auto lease = StartOneJob(server);
  server.clock().Advance(absl::Seconds(61));
  REQUIRE(*server.scheduler().ExpireSilentExecutors() == 1);
  TestExecutor other;
  other.id = "exec-2";
  LeaseExchange(server, {}, other);
  REQUIRE(*server.scheduler().RunCycle() == 1);
  Report(server, {Succeeded(lease)});  // the old run, from the executor declared dead
  CHECK(StoredJobState(server, lease.job().id()) == "leased");
}

TEST_CASE("at most one copy: a preempted job is requeued only once its run stopped") {
  ServerFixture server;
  server.CreateQueue("q");
  const auto lease = StartOneJob(server);
  Report(server, {Running(lease)});
  Preempt(server, lease.job().id());
  CHECK(EventKinds(server.JobSetEvents("q", "s"), lease.job().id()).back() == "preempted");
  // The executor still has it: told to stop, and the job is not queued yet.
  Exchange exchange = LeaseExchange(server, {{lease.job_run_id(), api::RUNNING}});
  CHECK(exchange.cancelled == std::vector<std::string>{lease.job_run_id()});
  CHECK(StoredJobState(server, lease.job().id()) != "queued");
  CHECK(*server.scheduler().RunCycle() == 0);
  // It stopped: now the job goes back to its queue and runs again.
  LeaseExchange(server, {});
  CHECK(EventKinds(server.JobSetEvents("q", "s"), lease.job().id()).back() == "queued");
  CHECK(*server.scheduler().RunCycle() == 1);
}

TEST_CASE("at most one copy: a preempted run's stop is confirmed by its final report") {
  ServerFixture server;
  server.CreateQueue("q");
  const auto lease = StartOneJob(server);
  Report(server, {Running(lease)});
  Preempt(server, lease.job().id());
  auto stopped = RunEvent(lease);
  stopped.mutable_failed()->set_reason("killed");
  stopped.mutable_failed()->set_cancelled(true);
  Report(server, {stopped});
  CHECK(StoredJobState(server, lease.job().id()) == "queued");
}

TEST_CASE("retries: every run counts against maxAttemptedRuns, started or not") {
  server::ServerConfig config;
  config.retry.max_attempted_runs = 3;
  ServerFixture server(config);
  server.CreateQueue("q");
  auto ids = SubmitJobs(server, 1, "1");
  LeaseExchange(server, {});
  for (int attempt = 0; attempt < 3; ++attempt) {
    REQUIRE(*server.scheduler().RunCycle() == 1);
    Exchange exchange = LeaseExchange(server, {});
    REQUIRE(exchange.leases.size() == 1);
    auto returned = RunEvent(exchange.leases[0]);
    returned.mutable_lease_returned()->set_reason("pod cannot be created");
    Report(server, {returned});
  }
  CHECK(StoredJobState(server, ids[0]) == "failed");
  auto events = server.JobSetEvents("q", "s");
  CHECK(events.back().message().failed().failure_category() == "retries_exhausted");
  CHECK_THAT(events.back().message().failed().reason(), Catch::Contains("maxAttemptedRuns 3"));
  CHECK(*server.scheduler().RunCycle() == 0);
}

TEST_CASE("executor identity: a report about another executor's run is refused") {
  ServerFixture server;
  server.CreateQueue("q");
  const auto lease = StartOneJob(server);
  Report(server, {Succeeded(lease)}, "impostor");
  CHECK(StoredJobState(server, lease.job().id()) == "leased");
}

TEST_CASE("bounded cycles: at most maxLeasesPerCycle, written in small transactions") {
  server::ServerConfig config;
  config.max_leases_per_cycle = 5;
  config.leases_per_transaction = 2;
  ServerFixture server(config);
  server.CreateQueue("q");
  TestExecutor roomy;
  roomy.cpu = "100";
  LeaseExchange(server, {}, roomy);
  SubmitJobs(server, 12, "1");
  CHECK(*server.scheduler().RunCycle() == 5);
  CHECK(*server.scheduler().RunCycle() == 5);
  CHECK(*server.scheduler().RunCycle() == 2);
  CHECK(LeaseExchange(server, {}, roomy).leases.size() == 12);
}

TEST_CASE("fencing: a leader that lost its lock writes no decision") {
  ServerFixture server;
  server.CreateQueue("q");
  server::LeaderLock first(DatabaseUrl(), absl::Seconds(15));
  server::LeaderLock second(DatabaseUrl(), absl::Seconds(15));
  REQUIRE(first.Check());
  CHECK_FALSE(second.Check());
  const int64_t first_term = first.term();
  // The first leader's session dies (as when PostgreSQL ends a frozen
  // leader's session); it does not know yet.
  REQUIRE(server.db()
              .Run([&](pqxx::work& tx) {
                tx.exec(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()");
                return absl::OkStatus();
              })
              .ok());
  // Wait (bounded) until the server has ended it and the lock is free.
  bool taken = false;
  for (int i = 0; i < 100 && !taken; ++i) {
    taken = second.Check();
    if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(taken);
  CHECK(second.term() > first_term);
  absl::Status fenced = server.db().Run([&](pqxx::work& tx) { return first.Fence(tx); });
  CHECK(fenced.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(server.db().Run([&](pqxx::work& tx) { return second.Fence(tx); }).ok());
}

TEST_CASE("fencing: a second replica does not schedule while the first leads") {
  ServerFixture server;
  server.CreateQueue("q");
  SubmitJobs(server, 1, "1");
  LeaseExchange(server, {});
  REQUIRE(server.scheduler().RunCycle().ok());  // the fixture's loop is leader
  auto scheduler = scheduling::MakeScheduler(scheduling::SchedulingConfig{});
  REQUIRE(scheduler.ok());
  server::ServerConfig config;
  server::SchedulerLoop other(server.db(), **scheduler, server.clock(), config);
  CHECK(other.RunCycle().status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK_FALSE(other.is_leader());
}

}  // namespace
}  // namespace armada::testing
