// Executors' reports arrive in batches (one ReportEvents call per exchange):
// a batch is applied as if its reports came one by one, in order, whatever
// mix of runs, jobs and rare cases (a refused run, a returned lease, a cancel
// under way) it carries.

#include <algorithm>
#include <optional>

#include <catch2/catch.hpp>

#include "tests/integration/executor_driver.h"

namespace armada::testing {
namespace {

using Kinds = std::vector<std::string>;

// What the runs table holds for a run, as a user of GetJobRunDetails sees it.
struct StoredRun {
  std::string state;
  bool has_pending_at = false;
  bool has_running_at = false;
  bool has_finished_at = false;
  std::optional<int> exit_code;
  std::string error;
  bool attempted = false;
};

StoredRun ReadRun(ServerFixture& server, const std::string& run_id) {
  StoredRun run;
  REQUIRE(server.db()
              .Run([&](pqxx::work& tx) {
                auto row = tx.exec_params1(
                    "SELECT state, pending_at IS NOT NULL, running_at IS NOT NULL, "
                    "finished_at IS NOT NULL, exit_code, coalesce(error, ''), attempted "
                    "FROM runs WHERE run_id = $1::uuid",
                    run_id);
                run.state = row[0].as<std::string>();
                run.has_pending_at = row[1].as<bool>();
                run.has_running_at = row[2].as<bool>();
                run.has_finished_at = row[3].as<bool>();
                if (!row[4].is_null()) run.exit_code = row[4].as<int>();
                run.error = row[5].as<std::string>();
                run.attempted = row[6].as<bool>();
                return absl::OkStatus();
              })
              .ok());
  return run;
}

executorapi::RunEvent Pending(const executorapi::JobRunLease& lease) {
  auto event = RunEvent(lease);
  event.mutable_pending()->set_pod_name("pod");
  return event;
}

executorapi::RunEvent Failed(const executorapi::JobRunLease& lease, int exit_code) {
  auto event = RunEvent(lease);
  auto* container = event.mutable_failed()->add_containers();
  container->set_name("main");
  container->set_exit_code(exit_code);
  event.mutable_failed()->set_reason("exit code " + std::to_string(exit_code));
  return event;
}

// Leases `count` one-cpu jobs to exec-1's node; the leases, in job id order.
std::vector<executorapi::JobRunLease> LeaseJobs(ServerFixture& server, int count) {
  SubmitJobs(server, count, "1");
  LeaseExchange(server, {});
  REQUIRE(*server.scheduler().RunCycle() == count);
  Exchange exchange = LeaseExchange(server, {});
  REQUIRE(exchange.leases.size() == static_cast<size_t>(count));
  std::sort(exchange.leases.begin(), exchange.leases.end(),
            [](const auto& a, const auto& b) { return a.job().id() < b.job().id(); });
  return exchange.leases;
}

TEST_CASE("report batch: a run's whole life in one call ends its job, each phase recorded") {
  ServerFixture server;
  server.CreateQueue("q");
  const auto lease = LeaseJobs(server, 1)[0];
  const std::string id = lease.job().id();
  Report(server, {Pending(lease), Running(lease), Succeeded(lease)});

  CHECK(EventKinds(server.JobSetEvents("q", "s"), id) ==
        Kinds{"submitted", "queued", "leased", "pending", "running", "succeeded"});
  const StoredRun run = ReadRun(server, lease.job_run_id());
  CHECK(run.state == "succeeded");
  CHECK(run.has_pending_at);
  CHECK(run.has_running_at);
  CHECK(run.has_finished_at);
  CHECK(run.exit_code == 0);
  CHECK(run.attempted);

  // The executor did not hear the answer and sends the same batch again.
  Report(server, {Pending(lease), Running(lease), Succeeded(lease)});
  CHECK(EventKinds(server.JobSetEvents("q", "s"), id).size() == 6);
}

TEST_CASE("report batch: many jobs, an unknown run and a returned lease in one call") {
  server::ServerConfig config;
  config.retry.max_retries = 3;
  ServerFixture server(config);
  server.CreateQueue("q");
  const auto leases = LeaseJobs(server, 3);
  executorapi::RunEvent unknown = Running(leases[0]);
  unknown.set_run_id("00000000-0000-4000-8000-000000000001");
  executorapi::RunEvent returned = RunEvent(leases[1]);
  returned.mutable_lease_returned()->set_reason("node draining");
  returned.mutable_lease_returned()->set_run_attempted(true);
  // Reports after the return, about the same run, are too late to matter.
  Report(server, {Running(leases[0]), Pending(leases[1]), unknown, Running(leases[2]), returned,
                  Succeeded(leases[1]), Failed(leases[2], 3), Succeeded(leases[0])});

  const auto events = server.JobSetEvents("q", "s");
  CHECK(EventKinds(events, leases[0].job().id()) ==
        Kinds{"submitted", "queued", "leased", "running", "succeeded"});
  CHECK(EventKinds(events, leases[1].job().id()) ==
        Kinds{"submitted", "queued", "leased", "pending", "lease_returned", "queued"});
  CHECK(EventKinds(events, leases[2].job().id()) ==
        Kinds{"submitted", "queued", "leased", "running", "failed"});

  const StoredRun returned_run = ReadRun(server, leases[1].job_run_id());
  CHECK(returned_run.state == "lease_returned");
  CHECK(returned_run.attempted);  // it counts against the job's retries
  CHECK(returned_run.error == "node draining");
  const StoredRun failed_run = ReadRun(server, leases[2].job_run_id());
  CHECK(failed_run.state == "failed");
  CHECK(failed_run.exit_code == 3);
  CHECK(failed_run.error == "exit code 3");

  CHECK(StoredJobState(server, leases[0].job().id()) == "succeeded");
  CHECK(StoredJobState(server, leases[1].job().id()) == "queued");  // for the next cycle
  CHECK(StoredJobState(server, leases[2].job().id()) == "failed");
}

TEST_CASE("report batch: a cancel under way ends with the run's end, beside ordinary reports") {
  ServerFixture server;
  server.CreateQueue("q");
  const auto leases = LeaseJobs(server, 2);
  Report(server, {Running(leases[0]), Running(leases[1])});
  {
    api::JobCancelRequest request;
    request.set_queue("q");
    request.set_job_set_id("s");
    request.add_job_ids(leases[0].job().id());
    grpc::ClientContext context;
    api::CancellationResult result;
    REQUIRE(server.submit().CancelJobs(&context, request, &result).ok());
  }
  Report(server, {Succeeded(leases[1]), Failed(leases[0], 143)});

  const auto events = server.JobSetEvents("q", "s");
  CHECK(EventKinds(events, leases[0].job().id()) ==
        Kinds{"submitted", "queued", "leased", "running", "cancelling", "cancelled"});
  CHECK(EventKinds(events, leases[1].job().id()) ==
        Kinds{"submitted", "queued", "leased", "running", "succeeded"});
  CHECK(ReadRun(server, leases[0].job_run_id()).state == "cancelled");
  CHECK(StoredJobState(server, leases[0].job().id()) == "cancelled");
  CHECK(ReadRun(server, leases[1].job_run_id()).state == "succeeded");
}

}  // namespace
}  // namespace armada::testing
