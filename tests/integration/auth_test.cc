// Authentication and authorisation through the real services, with the
// config of examples/auth/server.yaml: every rpc of every service refuses a
// caller without credentials, with wrong ones, or without the permission,
// and serves one who holds it; the executor-impostor attack fails.

#include <cstdlib>
#include <set>

#include <google/protobuf/descriptor.h>
#include <grpcpp/generic/generic_stub.h>
#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "lib/auth/password_hash.h"
#include "lib/store/job_store.h"
#include "server/server_config.h"
#include "tests/integration/executor_driver.h"
#include "tests/unit/auth/fake_idp.h"

namespace armada::testing {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MethodDescriptor;

std::string Basic(const std::string& user, const std::string& password) {
  return "Basic " + absl::Base64Escape(user + ":" + password);
}
const std::string kAdmin = Basic("admin", "admin-password");
const std::string kAlice = Basic("alice", "alice-password");
const std::string kBob = Basic("bob", "bob-password");
const std::string kExecutor = Basic("executor", "executor-password");
const std::string kWrongPassword = Basic("alice", "bob-password");

server::ServerConfig ExampleConfig() {
  // The example takes its URLs from the environment, as the server does.
  setenv("DATABASE_URL", DatabaseUrl().c_str(), /*overwrite=*/0);
  setenv("REDIS_URL", RedisUrl().c_str(), /*overwrite=*/0);
  auto config =
      server::LoadServerConfig(std::string(ARMADA_SOURCE_DIR) + "/examples/auth/server.yaml");
  INFO(config.status().message());
  REQUIRE(config.ok());
  return *config;
}

// CreateQueue of a queue of priority factor 1 (with `permissions`, if any)
// as the caller `authorization` names.
grpc::Status CreateQueueAs(ServerFixture& server, const std::string& authorization,
                           const std::string& name, api::Queue queue = {}) {
  queue.set_name(name);
  queue.set_priority_factor(1);
  grpc::ClientContext context;
  context.AddMetadata("authorization", authorization);
  google::protobuf::Empty empty;
  return server.queues().CreateQueue(&context, queue, &empty);
}

// SubmitJobs of `count` jobs running `true` to queue/job set "s".
grpc::Status SubmitAs(ServerFixture& server, const std::string& authorization,
                      const std::string& queue, int count) {
  api::JobSubmitRequest request;
  request.set_queue(queue);
  request.set_job_set_id("s");
  for (int i = 0; i < count; ++i) *request.add_job_request_items() = JobItem({"true"});
  grpc::ClientContext context;
  context.AddMetadata("authorization", authorization);
  api::JobSubmitResponse response;
  return server.submit().SubmitJobs(&context, request, &response);
}

// The one value `sql` selects, as text.
std::string QueryValue(ServerFixture& server, const std::string& sql) {
  std::string value;
  REQUIRE(server.db()
              .Run([&](pqxx::work& tx) {
                value = tx.exec1(sql)[0].as<std::string>();
                return absl::OkStatus();
              })
              .ok());
  return value;
}

// Queue team-a as examples/auth/queue-team-a.yaml makes it, created by admin.
void CreateTeamA(ServerFixture& server) {
  api::Queue queue;
  auto* permission = queue.add_permissions();
  auto* subject = permission->add_subjects();
  subject->set_kind("Group");
  subject->set_name("team-a");
  for (const char* verb : {"submit", "cancel", "watch"}) permission->add_verbs(verb);
  REQUIRE(CreateQueueAs(server, kAdmin, "team-a", queue).ok());
}

// A request for `method` with the fields a check looks at filled in: the
// queue team-a, job set "set-1", executor "local".
std::unique_ptr<Message> RequestFor(const MethodDescriptor& method) {
  const Descriptor* type = method.input_type();
  std::unique_ptr<Message> request(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
  const auto* reflection = request->GetReflection();
  // A queue name the admin's allowed DeleteQueue cannot actually delete.
  const std::string queue = method.name() == "DeleteQueue" ? "no-such-queue" : "team-a";
  const std::map<std::string, std::string> values = {
      {"queue", queue},         {"name", queue},     {"queue_name", queue},
      {"job_set_id", "set-1"},  {"id", "set-1"},     {"jobset", "set-1"},
      {"executor_id", "local"}, {"pool", "default"}, {"external_job_uri", "uri"}};
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    auto value = values.find(field->name());
    if (value == values.end() || field->is_repeated() ||
        field->type() != FieldDescriptor::TYPE_STRING) {
      continue;
    }
    reflection->SetString(request.get(), field, value->second);
  }
  return request;
}

// Calls `method` (any kind: unary or streaming) with one request message and
// returns the status the server ends it with. Streams that would stay open
// for an allowed caller end at the deadline (DEADLINE_EXCEEDED: allowed).
grpc::Status Call(grpc::GenericStub& stub, const MethodDescriptor& method,
                  const std::string& authorization) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  if (!authorization.empty()) context.AddMetadata("authorization", authorization);
  grpc::CompletionQueue queue;
  const std::string path = "/" + method.service()->full_name() + "/" + method.name();
  auto call = stub.PrepareCall(&context, path, &queue);
  void* tag;
  bool ok;
  call->StartCall(reinterpret_cast<void*>(1));
  queue.Next(&tag, &ok);
  std::string payload = RequestFor(method)->SerializeAsString();
  grpc::Slice slice(payload);
  grpc::ByteBuffer buffer(&slice, 1);
  call->WriteLast(buffer, grpc::WriteOptions(), reinterpret_cast<void*>(2));
  queue.Next(&tag, &ok);
  grpc::ByteBuffer reply;
  // Read until the server is done; the status comes with Finish.
  while (true) {
    call->Read(&reply, reinterpret_cast<void*>(3));
    queue.Next(&tag, &ok);
    if (!ok) break;
  }
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(4));
  queue.Next(&tag, &ok);
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
  return status;
}

// Who is refused for lack of a permission, and who is allowed, per rpc.
struct Expectation {
  std::string insufficient;  // empty: every authenticated caller may call it
  std::string allowed;
};

const std::map<std::string, Expectation>& Table() {
  static const std::map<std::string, Expectation> table = {
      // Queue verbs: team-a grants group team-a submit, cancel and watch.
      {"api.Submit/SubmitJobs", {kBob, kAlice}},
      {"api.Submit/CancelJobs", {kBob, kAlice}},
      {"api.Submit/CancelJobSet", {kBob, kAlice}},
      {"api.Submit/ReprioritizeJobs", {kAlice, kAdmin}},
      {"api.Submit/PreemptJobs", {kAlice, kAdmin}},
      {"api.Event/GetJobSetEvents", {kBob, kAlice}},
      {"api.Event/Watch", {kBob, kAlice}},
      // Global permissions.
      {"api.Submit/CreateQueue", {kAlice, kAdmin}},
      {"api.Submit/CreateQueues", {kAlice, kAdmin}},
      {"api.Submit/UpdateQueue", {kAlice, kAdmin}},
      {"api.Submit/UpdateQueues", {kAlice, kAdmin}},
      {"api.Submit/DeleteQueue", {kAlice, kAdmin}},
      {"api.QueueService/CreateQueue", {kAlice, kAdmin}},
      {"api.QueueService/CreateQueues", {kAlice, kAdmin}},
      {"api.QueueService/UpdateQueue", {kAlice, kAdmin}},
      {"api.QueueService/UpdateQueues", {kAlice, kAdmin}},
      {"api.QueueService/DeleteQueue", {kAlice, kAdmin}},
      {"api.QueueService/CordonQueue", {kAlice, kAdmin}},
      {"api.QueueService/UncordonQueue", {kAlice, kAdmin}},
      {"api.QueueService/PreemptOnQueue", {kAlice, kAdmin}},
      {"api.QueueService/CancelOnQueue", {kAlice, kAdmin}},
      {"api.Executor/UpsertExecutorSettings", {kAlice, kAdmin}},
      {"api.Executor/DeleteExecutorSettings", {kAlice, kAdmin}},
      {"api.Executor/DeleteExecutor", {kAlice, kAdmin}},
      {"api.Executor/PreemptOnExecutor", {kAlice, kAdmin}},
      {"api.Executor/CancelOnExecutor", {kAlice, kAdmin}},
      {"api.Node/PreemptOnNode", {kAlice, kAdmin}},
      {"api.Node/CancelOnNode", {kAlice, kAdmin}},
      {"executorapi.ExecutorApi/LeaseJobRuns", {kAlice, kExecutor}},
      {"executorapi.ExecutorApi/ReportEvents", {kAlice, kExecutor}},
      // Any authenticated caller (as in Armada).
      {"api.Submit/GetQueue", {"", kBob}},
      {"api.Submit/GetQueues", {"", kBob}},
      {"api.Submit/Health", {"", kBob}},
      {"api.QueueService/GetQueue", {"", kBob}},
      {"api.QueueService/GetQueues", {"", kBob}},
      {"api.Event/Health", {"", kBob}},
      {"api.Jobs/GetJobStatus", {"", kBob}},
      {"api.Jobs/GetJobStatusUsingExternalJobUri", {"", kBob}},
      {"api.Jobs/GetJobDetails", {"", kBob}},
      {"api.Jobs/GetJobErrors", {"", kBob}},
      {"api.Jobs/GetJobRunDetails", {"", kBob}},
      {"api.Jobs/GetActiveQueues", {"", kBob}},
      {"schedulerobjects.SchedulerReporting/GetSchedulingReport", {"", kBob}},
      {"schedulerobjects.SchedulerReporting/GetQueueReport", {"", kBob}},
      {"schedulerobjects.SchedulerReporting/GetJobReport", {"", kBob}},
      // Lookout: any authenticated caller; answers hold only watchable queues.
      {"lookout.Lookout/GetJobs", {"", kBob}},
      {"lookout.Lookout/GroupJobs", {"", kBob}},
      {"lookout.Lookout/GetJobSpec", {"", kBob}},
      {"lookout.Lookout/GetJobError", {"", kBob}},
      {"lookout.Lookout/GetJobRunError", {"", kBob}},
      {"lookout.Lookout/GetJobRunDebugMessage", {"", kBob}},
      {"lookout.Lookout/GetJobEvents", {"", kBob}},
      {"lookout.Lookout/GetQueueStats", {"", kBob}},
      {"lookout.Lookout/GetVersion", {"", kBob}},
      // Binoculars: any authenticated caller; a job of a queue not watchable is NOT_FOUND.
      {"binoculars.Binoculars/Logs", {"", kBob}},
      {"binoculars.Binoculars/Cordon", {"", kBob}},
  };
  return table;
}

bool Refused(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
         status.error_code() == grpc::StatusCode::PERMISSION_DENIED;
}

TEST_CASE("auth: the table covers every method of every service the server registers") {
  std::set<std::string> served;
  for (const char* service :
       {"api.Submit", "api.QueueService", "api.Event", "api.Executor", "api.Node", "api.Jobs",
        "schedulerobjects.SchedulerReporting", "executorapi.ExecutorApi", "lookout.Lookout",
        "binoculars.Binoculars"}) {
    const auto* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
    REQUIRE(descriptor != nullptr);
    for (int i = 0; i < descriptor->method_count(); ++i) {
      served.insert(std::string(service) + "/" + descriptor->method(i)->name());
    }
  }
  std::set<std::string> tabled;
  for (const auto& [method, expectation] : Table()) tabled.insert(method);
  CHECK(served == tabled);
}

TEST_CASE("auth: every rpc checks the caller before doing anything") {
  ServerFixture server(ExampleConfig());
  CreateTeamA(server);
  grpc::GenericStub stub(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
  for (const auto& [name, expectation] : Table()) {
    const std::string service = name.substr(0, name.find('/'));
    const auto* method = google::protobuf::DescriptorPool::generated_pool()
                             ->FindServiceByName(service)
                             ->FindMethodByName(name.substr(name.find('/') + 1));
    REQUIRE(method != nullptr);
    SECTION(name) {
      grpc::Status anonymous = Call(stub, *method, "");
      INFO("no credentials: " << anonymous.error_message());
      CHECK(anonymous.error_code() == grpc::StatusCode::UNAUTHENTICATED);

      grpc::Status wrong = Call(stub, *method, kWrongPassword);
      INFO("wrong password: " << wrong.error_message());
      CHECK(wrong.error_code() == grpc::StatusCode::UNAUTHENTICATED);

      if (!expectation.insufficient.empty()) {
        grpc::Status denied = Call(stub, *method, expectation.insufficient);
        INFO("insufficient: " << denied.error_message());
        CHECK(denied.error_code() == grpc::StatusCode::PERMISSION_DENIED);
      }
      grpc::Status allowed = Call(stub, *method, expectation.allowed);
      INFO("allowed: " << allowed.error_code() << " " << allowed.error_message());
      CHECK_FALSE(Refused(allowed));
    }
  }
}

TEST_CASE("auth: a job's logs are for those who may watch its queue") {
  ServerFixture server(ExampleConfig());
  CreateTeamA(server);
  api::JobSubmitRequest submit;
  submit.set_queue("team-a");
  submit.set_job_set_id("set-1");
  *submit.add_job_request_items() = JobItem({"true"});
  grpc::ClientContext submit_context;
  submit_context.AddMetadata("authorization", kAlice);
  api::JobSubmitResponse submitted;
  REQUIRE(server.submit().SubmitJobs(&submit_context, submit, &submitted).ok());
  const std::string job_id = submitted.job_response_items(0).job_id();
  auto logs = [&](const std::string& authorization) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", authorization);
    binoculars::LogRequest request;
    request.set_job_id(job_id);
    binoculars::LogResponse response;
    return server.binoculars().Logs(&context, request, &response);
  };
  // Bob may not watch team-a: to him the job does not exist.
  const grpc::Status bob = logs(kBob);
  CHECK(bob.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(bob.error_message() == "job " + job_id + " not found");
  // Alice may: she learns that it has not run yet.
  const grpc::Status alice = logs(kAlice);
  CHECK(alice.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(alice.error_message() == "job " + job_id + " has not run yet");
}

TEST_CASE("auth: the example's story: anonymous, bob and alice submit to team-a") {
  ServerFixture server(ExampleConfig());
  CreateTeamA(server);
  api::JobSubmitRequest request;
  request.set_queue("team-a");
  request.set_job_set_id("set-1");
  *request.add_job_request_items() = JobItem({"true"});
  auto submit = [&](const std::string& authorization) {
    grpc::ClientContext context;
    if (!authorization.empty()) context.AddMetadata("authorization", authorization);
    api::JobSubmitResponse response;
    grpc::Status status = server.submit().SubmitJobs(&context, request, &response);
    return std::pair{status, response};
  };
  auto [anonymous, none] = submit("");
  CHECK(anonymous.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(anonymous.error_message() == "no credentials: this server accepts Basic");
  auto [bob, refused] = submit(kBob);
  CHECK(bob.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(bob.error_message() ==
        "user bob may not submit on queue team-a: it needs the queue's submit verb or the global "
        "permission submit_any_jobs");
  auto [alice, response] = submit(kAlice);
  REQUIRE(alice.ok());
  REQUIRE(response.job_response_items_size() == 1);

  // The owner is the real principal, in the job and in its submitted event.
  api::JobDetailsRequest details_request;
  details_request.add_job_ids(response.job_response_items(0).job_id());
  details_request.set_expand_job_spec(true);
  api::JobDetailsResponse details;
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", kAlice);
    REQUIRE(server.jobs().GetJobDetails(&context, details_request, &details).ok());
  }
  REQUIRE(details.job_details().size() == 1);
  CHECK(details.job_details().begin()->second.job_spec().owner() == "alice");
  // Bob may not watch team-a, so its job specs are not his to read.
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", kBob);
    api::JobDetailsResponse hidden;
    REQUIRE(server.jobs().GetJobDetails(&context, details_request, &hidden).ok());
    CHECK(hidden.job_details().empty());
  }
  auto events = server.JobSetEvents("team-a", "set-1", "", kAlice);
  REQUIRE(!events.empty());
  CHECK(events[0].message().submitted().job().owner() == "alice");
  // The queue alice's admin created names its creator as owner.
  grpc::ClientContext context;
  context.AddMetadata("authorization", kBob);
  api::QueueGetRequest get;
  get.set_name("team-a");
  api::Queue queue;
  REQUIRE(server.queues().GetQueue(&context, get, &queue).ok());
  CHECK(std::vector<std::string>(queue.user_owners().begin(), queue.user_owners().end()) ==
        std::vector<std::string>{"admin"});
}

TEST_CASE("auth: cancel requests name their queue, or need cancel_any_jobs") {
  ServerFixture server(ExampleConfig());
  CreateTeamA(server);
  api::JobCancelRequest request;
  request.add_job_ids("01hzzzzzzzzzzzzzzzzzzzzzzz");
  grpc::ClientContext context;
  context.AddMetadata("authorization", kAlice);
  api::CancellationResult result;
  grpc::Status status = server.submit().CancelJobs(&context, request, &result);
  CHECK(status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(status.error_message().find("without naming the queue") != std::string::npos);
}

// Two executor principals with execute_jobs, each meant for its own cluster.
server::ServerConfig TwoExecutorsConfig() {
  server::ServerConfig config;
  auto& auth = config.auth;
  auth.configured = true;
  for (const char* user : {"exec-a", "exec-b", "admin"}) {
    auth.basic_users[user] = {*auth::HashPassword(std::string(user) + "-password"),
                              {std::string(user) == "admin" ? "admins" : "executors"}};
  }
  auth.permissions.groups[auth::Permission::kExecuteJobs] = {"executors"};
  auth.permissions.groups[auth::Permission::kSubmitAnyJobs] = {"admins"};
  auth.permissions.groups[auth::Permission::kCreateQueue] = {"admins"};
  auth.permissions.groups[auth::Permission::kWatchAllEvents] = {"admins"};
  return config;
}

TEST_CASE("auth: an executor impostor gets neither leases nor the runs of the real one") {
  ServerFixture server(TwoExecutorsConfig());
  const std::string admin = Basic("admin", "admin-password");
  REQUIRE(CreateQueueAs(server, admin, "q").ok());
  REQUIRE(SubmitAs(server, admin, "q", 2).ok());

  TestExecutor real;
  real.id = "cluster-a";
  real.authorization = Basic("exec-a", "exec-a-password");
  LeaseExchange(server, {}, real);  // binds cluster-a to exec-a
  REQUIRE(*server.scheduler().RunCycle() == 2);
  Exchange leased = LeaseExchange(server, {}, real);
  REQUIRE(leased.leases.size() == 2);
  const executorapi::JobRunLease& lease = leased.leases[0];
  REQUIRE(TryReport(server, {Running(lease)}, "cluster-a", real.authorization).ok());

  // exec-b sends cluster-a's id, with no nodes and no runs: refused, so the
  // real executor's runs are neither lost nor handed over.
  const std::string impostor = Basic("exec-b", "exec-b-password");
  {
    executorapi::LeaseRequest request;
    request.set_executor_id("cluster-a");
    request.set_pool("default");
    grpc::ClientContext context;
    context.AddMetadata("authorization", impostor);
    auto stream = server.executor_api().LeaseJobRuns(&context);
    REQUIRE(stream->Write(request));
    stream->WritesDone();
    executorapi::LeaseStreamMessage message;
    CHECK_FALSE(stream->Read(&message));
    grpc::Status status = stream->Finish();
    CHECK(status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
    CHECK(status.error_message() ==
          "user exec-b may not act as executor cluster-a: the id is bound to another principal");
  }
  executorapi::RunEvent failed = RunEvent(lease);
  failed.mutable_failed();
  CHECK(TryReport(server, {failed}, "cluster-a", impostor).error_code() ==
        grpc::StatusCode::PERMISSION_DENIED);

  // Under its own id, exec-b may not report or adopt cluster-a's runs either.
  TestExecutor other;
  other.id = "cluster-b";
  other.authorization = impostor;
  CHECK(TryReport(server, {failed}, "cluster-b", impostor).ok());  // applied to nothing
  Exchange adopted = LeaseExchange(server, {{lease.job_run_id(), api::JobState::RUNNING}}, other);
  CHECK(adopted.leases.empty());
  CHECK(adopted.cancelled == std::vector<std::string>{lease.job_run_id()});

  // The real executor still holds both runs, and its job still runs.
  Exchange again = LeaseExchange(server,
                                 {{leased.leases[0].job_run_id(), api::JobState::RUNNING},
                                  {leased.leases[1].job_run_id(), api::JobState::PENDING}},
                                 real);
  CHECK(again.cancelled.empty());
  CHECK(QueryValue(server, "SELECT state FROM jobs WHERE job_id = '" + lease.job().id() + "'") ==
        "running");
}

TEST_CASE("auth: an anonymous executor binds nothing, so enabling auth later locks no one out") {
  ServerFixture server;  // no auth section: every caller is anonymous
  TestExecutor executor;
  executor.id = "cluster-a";
  LeaseExchange(server, {}, executor);
  CHECK(QueryValue(server, "SELECT count(*) FROM executor_principals") == "0");
}

TEST_CASE("auth: the config can fix which principal an executor id belongs to") {
  server::ServerConfig config = TwoExecutorsConfig();
  config.auth.executor_identities = {{"node-executor-*", "exec-b"}};
  ServerFixture server(config);
  // exec-a is first, but the id pattern belongs to exec-b.
  executorapi::EventList list;
  list.set_executor_id("node-executor-n1");
  google::protobuf::Empty empty;
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", Basic("exec-a", "exec-a-password"));
    CHECK(server.executor_api().ReportEvents(&context, list, &empty).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
  }
  grpc::ClientContext context;
  context.AddMetadata("authorization", Basic("exec-b", "exec-b-password"));
  CHECK(server.executor_api().ReportEvents(&context, list, &empty).ok());
}

}  // namespace
}  // namespace armada::testing

namespace armada::testing {
namespace {

using auth::testing::FakeIdp;
using nlohmann::json;

// OIDC through the whole server: a provider on loopback HTTPS, tokens signed
// by the test, checked by the server on a real gRPC call.
TEST_CASE("auth: OIDC bearer tokens reach the server's checks") {
  FakeIdp idp;
  idp.ServeKeys(auth::testing::DefaultKeys());
  server::ServerConfig config;
  config.auth.configured = true;
  config.auth.oidc = auth::testing::ConfigFor(idp);
  config.auth.permissions.groups[auth::Permission::kSubmitAnyJobs] = {"researchers"};
  config.auth.permissions.groups[auth::Permission::kCreateQueue] = {"researchers"};
  ServerFixture server(config);
  const absl::Time now = server.clock().Now();
  auto token = [&](absl::Time exp, const std::string& audience, const auth::testing::TestKey& key) {
    json claims = {{"iss", idp.url()},
                   {"aud", audience},
                   {"sub", "carol"},
                   {"groups", {"researchers"}},
                   {"iat", absl::ToUnixSeconds(now)},
                   {"exp", absl::ToUnixSeconds(exp)}};
    return "Bearer " + auth::testing::SignJwt({{"alg", "RS256"}, {"kid", "rsa-1"}}, claims, key);
  };
  auto create_queue = [&](const std::string& authorization) {
    return CreateQueueAs(server, authorization, "oidc-q");
  };
  const auto& key = auth::testing::Rsa2048();

  grpc::Status expired = create_queue(token(now - absl::Minutes(5), "armada", key));
  CHECK(expired.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(expired.error_message().find("expired") != std::string::npos);
  grpc::Status audience = create_queue(token(now + absl::Minutes(5), "someone-else", key));
  CHECK(audience.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  grpc::Status forged =
      create_queue(token(now + absl::Minutes(5), "armada", auth::testing::OtherRsa2048()));
  CHECK(forged.error_code() == grpc::StatusCode::UNAUTHENTICATED);

  const std::string good = token(now + absl::Minutes(5), "armada", key);
  REQUIRE(create_queue(good).ok());
  REQUIRE(SubmitAs(server, good, "oidc-q", 1).ok());
  CHECK(QueryValue(server, "SELECT owner FROM jobs") == "carol");
}

}  // namespace
}  // namespace armada::testing
