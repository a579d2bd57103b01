// Hostile input gets a clear error, never a crash or a wedge (issue 12,
// deliverable 5): submit refuses invalid UTF-8 anywhere in a job and input
// over its limits, naming item, field and value; the executor reports what
// its backends saw as valid UTF-8, and one event the server refuses does not
// hold back the events after it.

#include <stdlib.h>

#include <filesystem>
#include <mutex>
#include <set>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "executor/backends/kubernetes/kube_client.h"
#include "executor/backends/kubernetes/pod_spec_json.h"
#include "executor/backends/local/local_backend.h"
#include "executor/executor_agent.h"
#include "lib/common/utf8.h"
#include "server/http/rest_json.h"
#include "tests/integration/server_fixture.h"
#include "tests/integration/temp_dir.h"

namespace armada::testing {
namespace {

using executor::ExecutorAgent;

api::JobSubmitRequest Request(const std::string& queue, int jobs) {
  api::JobSubmitRequest request;
  request.set_queue(queue);
  request.set_job_set_id("s");
  for (int i = 0; i < jobs; ++i) *request.add_job_request_items() = JobItem({"true"});
  return request;
}

grpc::Status Submit(ServerFixture& server, const api::JobSubmitRequest& request) {
  grpc::ClientContext context;
  api::JobSubmitResponse response;
  return server.submit().SubmitJobs(&context, request, &response);
}

int64_t JobCount(ServerFixture& server) {
  int64_t n = 0;
  REQUIRE(server.db()
              .Run([&](pqxx::work& tx) {
                n = tx.exec1("SELECT count(*) FROM jobs")[0].as<int64_t>();
                return absl::OkStatus();
              })
              .ok());
  return n;
}

TEST_CASE("submit: invalid UTF-8 in a container's workingDir is refused, naming the field") {
  // Failure 3 of issue 12: this job used to be accepted, and its executor
  // could then never report on it.
  ServerFixture server;
  server.CreateQueue("q");
  api::JobSubmitRequest request = Request("q", 2);
  request.mutable_job_request_items(1)->mutable_pod_specs(0)->mutable_containers(0)->set_workingdir(
      "/tmp/\xff\xfe");
  grpc::Status status = Submit(server, request);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK_THAT(status.error_message(),
             Catch::StartsWith("job_request_items[1].pod_specs[0].containers[0].workingDir:") &&
                 Catch::Contains("\"/tmp/\\xff\\xfe\"") && Catch::Contains("not valid UTF-8"));
  CHECK(common::IsValidUtf8(status.error_message()));
  CHECK(JobCount(server) == 0);
}

TEST_CASE("submit: invalid UTF-8 anywhere in the Kubernetes types is found") {
  ServerFixture server;
  server.CreateQueue("q");
  struct Case {
    const char* name;
    std::function<void(api::JobSubmitRequestItem&)> mutate;
    std::string path;
  };
  const std::vector<Case> cases = {
      {"an argument",
       [](auto& item) { item.mutable_pod_specs(0)->mutable_containers(0)->add_args("a\xc3"); },
       "pod_specs[0].containers[0].args[0]"},
      {"an env value",
       [](auto& item) {
         auto* env = item.mutable_pod_specs(0)->mutable_containers(0)->add_env();
         env->set_name("X");
         env->set_value("\xed\xa0\x80");
       },
       "pod_specs[0].containers[0].env[0].value"},
      {"a node selector value",
       [](auto& item) { (*item.mutable_pod_specs(0)->mutable_nodeselector())["zone"] = "\x80"; },
       "pod_specs[0].nodeSelector[zone]"},
      {"a node selector key",
       [](auto& item) { (*item.mutable_pod_specs(0)->mutable_nodeselector())["\xfe"] = "a"; },
       "pod_specs[0].nodeSelector"},
      {"a toleration",
       [](auto& item) { item.mutable_pod_specs(0)->add_tolerations()->set_key("k\xff"); },
       "pod_specs[0].tolerations[0].key"},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      api::JobSubmitRequest request = Request("q", 1);
      c.mutate(*request.mutable_job_request_items(0));
      grpc::Status status = Submit(server, request);
      CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
      CHECK_THAT(status.error_message(),
                 Catch::StartsWith("job_request_items[0]." + c.path + ":") &&
                     Catch::Contains("not valid UTF-8"));
    }
  }
  CHECK(JobCount(server) == 0);
}

TEST_CASE("submit: labels, annotations and sizes over their limits are refused") {
  server::ServerConfig config;
  config.submit.max_request_bytes = 20000;
  ServerFixture server(config);
  server.CreateQueue("q");

  api::JobSubmitRequest bad_label = Request("q", 1);
  (*bad_label.mutable_job_request_items(0)->mutable_labels())["app"] = std::string(64, 'x');
  grpc::Status status = Submit(server, bad_label);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK_THAT(status.error_message(), Catch::StartsWith("job_request_items[0].labels[app]:"));

  api::JobSubmitRequest big = Request("q", 1);
  (*big.mutable_job_request_items(0)->mutable_annotations())["a"] = std::string(30000, 'x');
  status = Submit(server, big);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK_THAT(status.error_message(), Catch::Contains("submit.maxRequestBytes"));

  api::JobSubmitRequest bad_queue = Request("no such/queue", 1);
  status = Submit(server, bad_queue);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK_THAT(status.error_message(), Catch::StartsWith("queue: \"no such/queue\""));
  CHECK(JobCount(server) == 0);
}

TEST_CASE("queues: a name that is not a Kubernetes label value cannot be created") {
  ServerFixture server;
  for (const std::string& name :
       std::vector<std::string>{"has space", "-dash", std::string(64, 'q'), "a/b"}) {
    api::Queue queue;
    queue.set_name(name);
    queue.set_priority_factor(1);
    grpc::ClientContext context;
    google::protobuf::Empty empty;
    grpc::Status status = server.submit().CreateQueue(&context, queue, &empty);
    INFO(name);
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK_THAT(status.error_message(), Catch::StartsWith("name:"));
  }
  server.CreateQueue("fine_name-1.a");
}

TEST_CASE("JSON from outside data: invalid UTF-8 no longer throws where it is dumped") {
  ServerFixture server;
  // The leader's scheduling reports quote queue names, job ids and node
  // selectors; a strict dump() threw here and ended the leader.
  scheduling::SchedulingSnapshot snapshot;
  snapshot.now = absl::Now();
  model::QueueInfo queue;
  queue.name = "q\xff";
  snapshot.queues.push_back(queue);
  model::QueuedJob job;
  job.id = "job\xfe";
  job.queue = "q\xff";
  job.job_set = "s\xff";
  job.requests = model::ResourceList{{"cpu", 1000}};
  job.node_selector = {{"zone", "\xc3"}};
  snapshot.jobs.push_back(job);
  CHECK_NOTHROW(server.scheduling_reports().Record(snapshot, scheduling::Decision{}));

  // The Kubernetes backend renders a pod spec from the job and posts it.
  k8s::io::api::core::v1::PodSpec pod;
  auto* container = pod.add_containers();
  container->set_name("main");
  container->set_workingdir("/tmp/\xff");
  (*pod.mutable_nodeselector())["k\xfe"] = "v";
  auto rendered = executor::kubernetes::PodSpecWireToJson(pod.SerializeAsString());
  REQUIRE(rendered.ok());
  std::string text;
  CHECK_NOTHROW(text = executor::kubernetes::DumpJson(*rendered));
  CHECK(common::IsValidUtf8(text));
  CHECK_THAT(text, Catch::Contains("/tmp/\xEF\xBF\xBD"));

  // The REST gateway renders stored jobs.
  api::Job stored;
  stored.set_id("x");
  *stored.add_pod_specs() = pod;
  CHECK_NOTHROW(server::PrintRestJson(stored).status());
}

// ---- the executor side ----

// A backend whose failure reasons end in bytes that are not UTF-8, as a
// Kubernetes message quoting a job's own path or a process's output can.
class GarblingBackend : public executor::Backend {
 public:
  explicit GarblingBackend(executor::Backend& inner) : inner_(inner) {}
  absl::StatusOr<std::vector<executor::BackendNode>> Nodes() const override {
    return inner_.Nodes();
  }
  absl::StatusOr<std::vector<executor::ExistingRun>> Recover() override { return inner_.Recover(); }
  absl::Status Start(const executor::RunSpec& spec) override { return inner_.Start(spec); }
  void Cancel(const std::string& run_id) override { inner_.Cancel(run_id); }
  std::vector<executor::RunUpdate> Poll() override {
    std::vector<executor::RunUpdate> updates = inner_.Poll();
    for (auto& update : updates) {
      if (update.phase == executor::RunPhase::kFailed) update.reason += " in /tmp/\xff\xfe";
    }
    return updates;
  }
  void Forget(const std::string& run_id) override { inner_.Forget(run_id); }
  std::vector<std::string> ActiveRunIds() const override { return inner_.ActiveRunIds(); }
  absl::StatusOr<std::vector<executor::LogLine>> Logs(
      const executor::LogQuery& query) const override {
    return inner_.Logs(query);
  }

 private:
  executor::Backend& inner_;
};

executor::ExecutorConfig AgentConfig(const std::string& work_dir) {
  executor::ExecutorConfig config;
  config.executor_id = "exec-1";
  config.node_name = "node-1";
  config.capacity = model::ResourceList{{"cpu", 4000}, {"memory", int64_t{16} << 30 << 10}};
  config.work_dir = work_dir;
  return config;
}

std::unique_ptr<executor::LocalBackend> Local(const std::string& dir) {
  return std::make_unique<executor::LocalBackend>(executor::LocalBackend::Options{
      .work_root = dir,
      .node = {.name = "node-1",
               .allocatable = {{"cpu", 4000}, {"memory", int64_t{16} << 30 << 10}}}});
}

std::vector<std::string> SubmitItems(ServerFixture& server,
                                     const std::vector<api::JobSubmitRequestItem>& items) {
  api::JobSubmitRequest request;
  request.set_queue("q");
  request.set_job_set_id("s");
  for (const auto& item : items) *request.add_job_request_items() = item;
  grpc::ClientContext context;
  api::JobSubmitResponse response;
  REQUIRE(server.submit().SubmitJobs(&context, request, &response).ok());
  std::vector<std::string> ids;
  for (const auto& item : response.job_response_items()) ids.push_back(item.job_id());
  return ids;
}

std::string LastKind(ServerFixture& server, const std::string& job_id) {
  auto kinds = EventKinds(server.JobSetEvents("q", "s"), job_id);
  return kinds.empty() ? "" : kinds.back();
}

TEST_CASE(
    "executor: a failure reason with invalid bytes is reported sanitised and does not "
    "block the next job") {
  ServerFixture server;
  server.CreateQueue("q");
  TempDir dir;
  auto local = Local(dir.Path());
  GarblingBackend backend(*local);
  ExecutorAgent agent(AgentConfig(dir.Path()), backend,
                      grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  const auto failing = SubmitItems(server, {JobItem({"sh", "-c", "exit 3"})});
  const auto later = SubmitItems(server, {JobItem({"true"})});

  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (LastKind(server, failing[0]) != "failed" || LastKind(server, later[0]) != "succeeded") {
    REQUIRE(absl::Now() < give_up);
    absl::Status status = agent.RunOnce();
    INFO(status.ToString());
    REQUIRE(status.ok());  // before the fix: the report could not be parsed, every time
    REQUIRE(server.scheduler().RunCycle().ok());
    absl::SleepFor(absl::Milliseconds(20));
  }
  bool seen = false;
  for (const auto& event : server.JobSetEvents("q", "s")) {
    if (!event.message().has_failed()) continue;
    const std::string& reason = event.message().failed().reason();
    CHECK(common::IsValidUtf8(reason));
    CHECK_THAT(reason, Catch::Contains("/tmp/\xEF\xBF\xBD\xEF\xBF\xBD"));
    seen = true;
  }
  CHECK(seen);
}

// The executor API in front of the real one, refusing with INVALID_ARGUMENT
// every report batch that holds an event of a job it was told to refuse.
class RefusingProxy final : public executorapi::ExecutorApi::Service {
 public:
  explicit RefusingProxy(const std::string& target)
      : stub_(executorapi::ExecutorApi::NewStub(
            grpc::CreateChannel(target, grpc::InsecureChannelCredentials()))) {}

  void Refuse(const std::string& job_id) {
    std::lock_guard lock(mu_);
    refused_.insert(job_id);
  }
  int refusals() {
    std::lock_guard lock(mu_);
    return refusals_;
  }

  grpc::Status LeaseJobRuns(grpc::ServerContext*,
                            grpc::ServerReaderWriter<executorapi::LeaseStreamMessage,
                                                     executorapi::LeaseRequest>* stream) override {
    grpc::ClientContext context;
    auto upstream = stub_->LeaseJobRuns(&context);
    executorapi::LeaseRequest request;
    while (stream->Read(&request)) upstream->Write(request);
    upstream->WritesDone();
    executorapi::LeaseStreamMessage message;
    while (upstream->Read(&message)) stream->Write(message);
    return upstream->Finish();
  }

  grpc::Status ReportEvents(grpc::ServerContext*, const executorapi::EventList* request,
                            google::protobuf::Empty* response) override {
    {
      std::lock_guard lock(mu_);
      for (const auto& event : request->events()) {
        if (refused_.count(event.job_id())) {
          ++refusals_;
          return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                              "job " + event.job_id() + ": refused by the test");
        }
      }
    }
    grpc::ClientContext context;
    return stub_->ReportEvents(&context, *request, response);
  }

 private:
  std::unique_ptr<executorapi::ExecutorApi::Stub> stub_;
  std::mutex mu_;
  std::set<std::string> refused_;
  int refusals_ = 0;
};

TEST_CASE("executor: an event the server refuses is dropped, and the events after it go on") {
  ServerFixture server;
  server.CreateQueue("q");
  RefusingProxy proxy(server.address());
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&proxy);
  std::unique_ptr<grpc::Server> proxy_server = builder.BuildAndStart();
  REQUIRE(proxy_server);

  TempDir dir;
  auto backend = Local(dir.Path());
  ExecutorAgent agent(
      AgentConfig(dir.Path()), *backend,
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  // Both jobs in one request, so their events share report batches.
  const auto ids =
      SubmitItems(server, {JobItem({"sh", "-c", "sleep 0.2"}), JobItem({"sh", "-c", "sleep 0.2"})});
  proxy.Refuse(ids[0]);

  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (LastKind(server, ids[1]) != "succeeded") {
    REQUIRE(absl::Now() < give_up);
    absl::Status status = agent.RunOnce();
    INFO(status.ToString());
    REQUIRE(status.ok());
    REQUIRE(server.scheduler().RunCycle().ok());
    absl::SleepFor(absl::Milliseconds(20));
  }
  CHECK(proxy.refusals() > 0);
  // The refused job's events never reached the server; the agent gave them up.
  CHECK(LastKind(server, ids[0]) != "succeeded");
  proxy_server->Shutdown();
}

}  // namespace
}  // namespace armada::testing
