// The real executor (ExecutorAgent with the local and fake backends) against the
// server's services in process: jobs run end to end, cancels stop them, and an
// executor that dies and restarts adopts what still runs. Every job must end
// exactly once in its event stream.

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>

#include <catch2/catch.hpp>

#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "executor/backends/fake/fake_backend.h"
#include "executor/backends/local/local_backend.h"
#include "executor/binoculars_service.h"
#include "executor/executor_agent.h"
#include "tests/integration/executor_driver.h"
#include "tests/integration/temp_dir.h"

namespace armada::testing {
namespace {

using executor::ExecutorAgent;
using executor::ExecutorConfig;

constexpr absl::Duration kTimeout = absl::Seconds(30);

ExecutorConfig Config(const std::string& work_dir) {
  ExecutorConfig config;
  config.executor_id = "exec-1";
  config.node_name = "node-1";
  config.capacity = model::ResourceList{{"cpu", 4000}, {"memory", int64_t{16} << 30 << 10}};
  config.work_dir = work_dir;
  return config;
}

executor::LocalBackend::Options LocalOptions(const std::string& work_dir) {
  return {.work_root = work_dir,
          .node = {.name = "node-1",
                   .allocatable = {{"cpu", 4000}, {"memory", int64_t{16} << 30 << 10}}}};
}

std::vector<std::string> Submit(ServerFixture& server,
                                const std::vector<api::JobSubmitRequestItem>& items) {
  api::JobSubmitRequest request;
  request.set_queue("q");
  request.set_job_set_id("s");
  for (const auto& item : items) *request.add_job_request_items() = item;
  grpc::ClientContext context;
  api::JobSubmitResponse response;
  REQUIRE(server.submit().SubmitJobs(&context, request, &response).ok());
  std::vector<std::string> ids;
  for (const auto& item : response.job_response_items()) {
    REQUIRE(item.error().empty());
    ids.push_back(item.job_id());
  }
  return ids;
}

bool IsTerminal(const std::string& kind) {
  return kind == "succeeded" || kind == "failed" || kind == "cancelled";
}

// job id -> its event kinds.
std::map<std::string, std::vector<std::string>> KindsByJob(ServerFixture& server,
                                                           const std::vector<std::string>& ids) {
  const auto events = server.JobSetEvents("q", "s");
  std::map<std::string, std::vector<std::string>> kinds;
  for (const std::string& id : ids) kinds[id] = EventKinds(events, id);
  return kinds;
}

// Runs the agent and the scheduler until `done` holds; `tick` runs every round.
void Drive(ServerFixture& server, ExecutorAgent& agent, const std::function<bool()>& done,
           const std::function<void()>& tick = {}) {
  const absl::Time give_up = absl::Now() + kTimeout;
  while (!done()) {
    REQUIRE(absl::Now() < give_up);
    absl::Status status = agent.RunOnce();
    INFO(status.ToString());
    REQUIRE(status.ok());
    REQUIRE(server.scheduler().RunCycle().ok());
    if (tick) tick();
    absl::SleepFor(absl::Milliseconds(20));
  }
}

// True when every job has reached the given last event kind.
std::function<bool()> AllReached(ServerFixture& server, const std::vector<std::string>& ids,
                                 const std::function<bool(const std::string&)>& last_ok) {
  return [&server, ids, last_ok] {
    for (const auto& [id, kinds] : KindsByJob(server, ids)) {
      if (kinds.empty() || !last_ok(kinds.back())) return false;
    }
    return true;
  };
}

void CheckEndedOnce(ServerFixture& server, const std::vector<std::string>& ids) {
  for (const auto& [id, kinds] : KindsByJob(server, ids)) {
    INFO("job " << id);
    CHECK(std::count_if(kinds.begin(), kinds.end(), IsTerminal) == 1);
  }
}

std::shared_ptr<grpc::Channel> Channel(ServerFixture& server) {
  return grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
}

TEST_CASE("executor agent: the local backend runs jobs end to end") {
  ServerFixture server;
  server.CreateQueue("q");
  TempDir dir;
  executor::LocalBackend backend(LocalOptions(dir.Path()));
  ExecutorAgent agent(Config(dir.Path()), backend, Channel(server));
  const auto ids =
      Submit(server, {JobItem({"sh", "-c", "exit 0"}), JobItem({"sh", "-c", "exit 3"})});

  Drive(server, agent, AllReached(server, ids, IsTerminal));
  // One more round delivers nothing new: the final events were acknowledged once.
  REQUIRE(agent.RunOnce().ok());

  const auto kinds = KindsByJob(server, ids);
  CHECK(kinds.at(ids[0]) == std::vector<std::string>{"submitted", "queued", "leased", "pending",
                                                     "running", "succeeded"});
  CHECK(kinds.at(ids[1]).back() == "failed");
  CheckEndedOnce(server, ids);
}

TEST_CASE("executor agent: a cancelled job's process is stopped") {
  ServerFixture server;
  server.CreateQueue("q");
  TempDir dir;
  executor::LocalBackend backend(LocalOptions(dir.Path()));
  ExecutorAgent agent(Config(dir.Path()), backend, Channel(server));
  const auto ids = Submit(server, {JobItem({"sleep", "30"})});
  Drive(server, agent,
        AllReached(server, ids, [](const std::string& kind) { return kind == "running"; }));

  api::JobCancelRequest request;
  request.set_queue("q");
  request.set_job_set_id("s");
  request.add_job_ids(ids[0]);
  grpc::ClientContext context;
  api::CancellationResult result;
  REQUIRE(server.submit().CancelJobs(&context, request, &result).ok());

  Drive(server, agent, AllReached(server, ids, IsTerminal));
  CHECK(KindsByJob(server, ids).at(ids[0]).back() == "cancelled");
  CHECK(backend.ActiveRunIds().empty());
  CheckEndedOnce(server, ids);
}

TEST_CASE("executor agent: a restarted executor adopts the processes that still run") {
  ServerFixture server;
  server.CreateQueue("q");
  TempDir dir;
  const auto ids = Submit(
      server, {JobItem({"sh", "-c", "sleep 2; exit 0"}), JobItem({"sh", "-c", "sleep 2; exit 4"})});
  {
    // The first executor is "killed": its backend is never destroyed, so its processes go
    // on without it, as after SIGKILL.
    auto* abandoned = new executor::LocalBackend(LocalOptions(dir.Path()));
    ExecutorAgent first(Config(dir.Path()), *abandoned, Channel(server));
    Drive(server, first,
          AllReached(server, ids, [](const std::string& kind) { return kind == "running"; }));
  }
  executor::LocalBackend backend(LocalOptions(dir.Path()));
  ExecutorAgent second(Config(dir.Path()), backend, Channel(server));
  Drive(server, second, AllReached(server, ids, IsTerminal));

  const auto kinds = KindsByJob(server, ids);
  CHECK(kinds.at(ids[0]).back() == "succeeded");
  CHECK(kinds.at(ids[1]).back() == "failed");
  CheckEndedOnce(server, ids);
  // Nothing was leased twice: one run per job.
  for (const auto& [id, k] : kinds) CHECK(std::count(k.begin(), k.end(), "leased") == 1);
}

TEST_CASE("executor agent: the fake backend runs many jobs on many nodes") {
  ServerFixture server;
  server.CreateQueue("q");
  common::SimulatedClock fake_clock;
  executor::FakeBackend::Options options;
  options.node_groups = {{.name = "cpu",
                          .count = 40,
                          .allocatable = {{"cpu", 2000}, {"memory", int64_t{8} << 30 << 10}}},
                         {.name = "big", .count = 10, .labels = {{"size", "big"}}}};
  auto backend = executor::FakeBackend::Create(options, fake_clock);
  REQUIRE(backend.ok());
  TempDir dir;
  ExecutorAgent agent(Config(dir.Path()), **backend, Channel(server));
  std::vector<api::JobSubmitRequestItem> items;
  for (int i = 0; i < 60; ++i) items.push_back(JobItem({"sleep", "10"}, "1", "1Gi"));
  auto failing = JobItem({"sh", "-c", "sleep 1"}, "1", "1Gi");
  (*failing.mutable_annotations())[executor::kFakeRuntimeAnnotation] = "3s";
  items.push_back(failing);
  const auto ids = Submit(server, items);

  Drive(server, agent, AllReached(server, ids, IsTerminal),
        [&] { fake_clock.Advance(absl::Seconds(1)); });
  CheckEndedOnce(server, ids);
  for (const auto& [id, kinds] : KindsByJob(server, ids)) CHECK(kinds.back() == "succeeded");
}

// The executor's Binoculars on a loopback port, over `backend`, wanting `token`.
struct ExecutorBinoculars {
  ExecutorBinoculars(const executor::Backend& backend, const std::string& token_file) {
    auto token = net::AuthorizationSource::Create({.token_file = token_file});
    REQUIRE(token.ok());
    service = std::make_unique<executor::BinocularsService>(backend, *token);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service.get());
    server = builder.BuildAndStart();
    REQUIRE(server != nullptr);
    address = "127.0.0.1:" + std::to_string(port);
  }
  ~ExecutorBinoculars() { server->Shutdown(); }

  std::unique_ptr<executor::BinocularsService> service;
  std::unique_ptr<grpc::Server> server;
  std::string address;
};

grpc::Status Logs(ServerFixture& server, binoculars::LogRequest request,
                  binoculars::LogResponse& response) {
  grpc::ClientContext context;
  return server.binoculars().Logs(&context, request, &response);
}

binoculars::LogRequest LogsOf(const std::string& job_id) {
  binoculars::LogRequest request;
  request.set_job_id(job_id);
  return request;
}

std::vector<std::string> Lines(const binoculars::LogResponse& response) {
  std::vector<std::string> lines;
  for (const auto& line : response.log()) lines.push_back(line.line());
  return lines;
}

TEST_CASE("executor agent: a job's output reaches any client through the server's Binoculars") {
  TempDir dir;
  const std::string token_file = dir.Path() + "/binoculars-token";
  std::ofstream(token_file) << "s3cret\n";
  executor::LocalBackend backend(LocalOptions(dir.Path() + "/runs"));
  ExecutorBinoculars executor_binoculars(backend, token_file);
  server::ServerConfig config;
  config.binoculars.executor_url_pattern = "127.0.0.1:1";  // a pattern that reaches nothing...
  config.binoculars.executor_urls["exec-1"] = executor_binoculars.address;  // ...this wins
  config.binoculars.token_file = token_file;
  ServerFixture server(config);
  server.CreateQueue("q");
  ExecutorAgent agent(Config(dir.Path() + "/runs"), backend, Channel(server));
  const auto ids = Submit(server, {JobItem({"sh", "-c", "echo hello; echo world; echo oops >&2"}),
                                   JobItem({"sleep", "60"})});

  // Before it runs, there is nothing to read and the server says why.
  binoculars::LogResponse response;
  grpc::Status status = Logs(server, LogsOf(ids[0]), response);
  CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK_THAT(status.error_message(), Catch::Contains("has not run yet"));

  Drive(server, agent, [&] {
    const auto kinds = KindsByJob(server, ids);
    return kinds.at(ids[0]).back() == "succeeded" && kinds.at(ids[1]).back() == "running";
  });

  SECTION("a finished job's stdout then stderr, by job id alone") {
    REQUIRE(Logs(server, LogsOf(ids[0]), response).ok());
    CHECK(Lines(response) == std::vector<std::string>{"hello", "world", "oops"});
  }
  SECTION("tailLines keeps the last lines") {
    binoculars::LogRequest request = LogsOf(ids[0]);
    request.mutable_log_options()->set_taillines(1);
    REQUIRE(Logs(server, request, response).ok());
    CHECK(Lines(response) == std::vector<std::string>{"oops"});
  }
  SECTION("a run named by its id, in capitals too") {
    std::string run_id;
    REQUIRE(server.db()
                .Run([&](pqxx::work& tx) {
                  run_id = tx.exec_params1("SELECT run_id FROM runs WHERE job_id = $1", ids[0])[0]
                               .as<std::string>();
                  return absl::OkStatus();
                })
                .ok());
    binoculars::LogRequest request = LogsOf(ids[0]);
    request.set_run_id(absl::AsciiStrToUpper(run_id));
    REQUIRE(Logs(server, request, response).ok());
    CHECK(Lines(response) == std::vector<std::string>{"hello", "world", "oops"});
  }
  SECTION("a running job's output so far") {
    REQUIRE(Logs(server, LogsOf(ids[1]), response).ok());
    CHECK(response.log().empty());
  }
  SECTION("an unknown job is NOT_FOUND; a malformed request names its field") {
    CHECK(Logs(server, LogsOf("01hzzzzzzzzzzzzzzzzzzzzzzz"), response).error_code() ==
          grpc::StatusCode::NOT_FOUND);
    binoculars::LogRequest request = LogsOf(ids[0]);
    request.set_since_time("yesterday");
    status = Logs(server, request, response);
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK_THAT(status.error_message(), Catch::Contains("sinceTime"));
    request = LogsOf(ids[0]);
    request.set_pod_number(3);
    CHECK(Logs(server, request, response).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  }
  SECTION("the executor refuses callers without its token") {
    auto stub = binoculars::Binoculars::NewStub(
        grpc::CreateChannel(executor_binoculars.address, grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    CHECK(stub->Logs(&context, LogsOf(ids[0]), &response).error_code() ==
          grpc::StatusCode::UNAUTHENTICATED);
  }
}

TEST_CASE("executor agent: Binoculars errors name the executor whose address is missing or down") {
  TempDir dir;
  executor::LocalBackend backend(LocalOptions(dir.Path()));
  server::ServerConfig config;
  const bool configured = GENERATE(false, true);
  if (configured) config.binoculars.executor_url_pattern = "127.0.0.1:1";  // nothing listens
  config.binoculars.timeout = absl::Seconds(2);
  ServerFixture server(config);
  server.CreateQueue("q");
  ExecutorAgent agent(Config(dir.Path()), backend, Channel(server));
  const auto ids = Submit(server, {JobItem({"sh", "-c", "echo hi"})});
  Drive(server, agent, AllReached(server, ids, IsTerminal));

  binoculars::LogResponse response;
  const grpc::Status status = Logs(server, LogsOf(ids[0]), response);
  CHECK(status.error_code() ==
        (configured ? grpc::StatusCode::UNAVAILABLE : grpc::StatusCode::FAILED_PRECONDITION));
  CHECK_THAT(status.error_message(), Catch::Contains("exec-1"));
}

}  // namespace
}  // namespace armada::testing
