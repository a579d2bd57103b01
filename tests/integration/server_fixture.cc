#include "tests/integration/server_fixture.h"

#include <cstdlib>

#include <catch2/catch.hpp>

#include "lib/store/migrations.h"

namespace armada::testing {

// Without DATABASE_URL / REDIS_URL: the servers scripts/testenv starts by default.
std::string DatabaseUrl() {
  const char* url = std::getenv("DATABASE_URL");
  return url ? url : "postgresql://postgres@127.0.0.1:25432/postgres";
}

std::string RedisUrl() {
  const char* url = std::getenv("REDIS_URL");
  return url ? url : "redis://127.0.0.1:26379/0";
}

void ResetServices() {
  pqxx::connection connection(DatabaseUrl());
  pqxx::nontransaction tx(connection);
  tx.exec("DROP SCHEMA public CASCADE");
  tx.exec("CREATE SCHEMA public");
  auto redis = events::RedisClient::Connect(RedisUrl());
  REQUIRE(redis.ok());
  REQUIRE((*redis)->Command({"FLUSHALL"}).ok());
}

void ServerFixture::ReplaceScheduler(const server::ServerConfig& config) {
  scheduler_loop_.reset();  // gives up the leader lock
  scheduler_loop_ = std::make_unique<server::SchedulerLoop>(*db_, *scheduler_, clock_, config);
  scheduler_loop_->SetReports(scheduling_reports_.get());
}

ServerFixture::ServerFixture(server::ServerConfig config,
                             std::function<void(grpc::ServerBuilder&)> customize)
    : clock_(absl::FromUnixSeconds(1'800'000'000)) {
  ResetServices();
  auto db = store::Database::Connect(DatabaseUrl());
  REQUIRE(db.ok());
  db_ = std::move(*db);
  REQUIRE(store::ApplyMigrations(*db_, store::EmbeddedMigrations()).ok());

  config.database_url = DatabaseUrl();
  config.redis_url = RedisUrl();
  auto authenticators = auth::MakeAuthenticatorChain(config.auth, clock_);
  REQUIRE(authenticators.ok());
  authenticators_ = std::move(*authenticators);
  permissions_ = std::make_unique<auth::PermissionPolicy>(auth::MakePermissionPolicy(config.auth));
  caller_auth_ = std::make_unique<server::CallerAuth>(*authenticators_, *permissions_, *db_);
  job_operations_ = std::make_unique<server::JobOperations>(*db_, clock_, config.retry);
  queue_service_ = std::make_unique<server::QueueService>(*db_, *job_operations_, *caller_auth_);
  submit_service_ = std::make_unique<server::SubmitService>(*db_, *queue_service_, *job_operations_,
                                                            config.submit, clock_, *caller_auth_);
  event_service_ = std::make_unique<server::EventService>(config.redis_url, *caller_auth_);
  executor_service_ = std::make_unique<server::ExecutorService>(
      *db_, clock_, *caller_auth_, config.retry, config.auth.executor_identities);
  executor_admin_service_ =
      std::make_unique<server::ExecutorAdminService>(*db_, *job_operations_, *caller_auth_);
  node_service_ = std::make_unique<server::NodeService>(*job_operations_, *caller_auth_);
  jobs_service_ = std::make_unique<server::JobsService>(*db_, *caller_auth_);
  auto scheduler = scheduling::MakeScheduler(config.scheduling);
  REQUIRE(scheduler.ok());
  scheduler_ = std::move(*scheduler);
  scheduler_loop_ = std::make_unique<server::SchedulerLoop>(*db_, *scheduler_, clock_, config);
  scheduling_reports_ = std::make_unique<server::SchedulingReports>(db_.get());
  scheduler_loop_->SetReports(scheduling_reports_.get());
  reporting_service_ =
      std::make_unique<server::SchedulerReportingService>(*scheduling_reports_, *caller_auth_);
  lookout_service_ =
      std::make_unique<server::LookoutService>(*db_, *caller_auth_, *scheduling_reports_);
  auto binoculars_token =
      net::AuthorizationSource::Create({.token_file = config.binoculars.token_file});
  REQUIRE(binoculars_token.ok());
  binoculars_proxy_ = std::make_unique<server::BinocularsProxy>(
      *db_, *caller_auth_, config.binoculars, *binoculars_token);
  auto redis = events::RedisClient::Connect(config.redis_url);
  REQUIRE(redis.ok());
  relay_ =
      std::make_unique<events::EventRelay>(*db_, std::move(*redis), events::EventRelay::Options{});

  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(submit_service_.get());
  builder.RegisterService(queue_service_.get());
  builder.RegisterService(event_service_.get());
  builder.RegisterService(executor_service_.get());
  builder.RegisterService(executor_admin_service_.get());
  builder.RegisterService(node_service_.get());
  builder.RegisterService(jobs_service_.get());
  builder.RegisterService(reporting_service_.get());
  builder.RegisterService(lookout_service_.get());
  builder.RegisterService(binoculars_proxy_.get());
  if (customize) customize(builder);
  server_ = builder.BuildAndStart();
  REQUIRE(server_ != nullptr);
  address_ = "127.0.0.1:" + std::to_string(port);
  auto channel = grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
  submit_ = api::Submit::NewStub(channel);
  events_ = api::Event::NewStub(channel);
  executor_api_ = executorapi::ExecutorApi::NewStub(channel);
  executor_admin_ = api::Executor::NewStub(channel);
  queues_ = api::QueueService::NewStub(channel);
  nodes_ = api::Node::NewStub(channel);
  jobs_ = api::Jobs::NewStub(channel);
  reporting_ = schedulerobjects::SchedulerReporting::NewStub(channel);
  lookout_ = lookout::Lookout::NewStub(channel);
  binoculars_ = binoculars::Binoculars::NewStub(channel);
}

ServerFixture::~ServerFixture() {
  event_service_->Shutdown();  // ends watch streams, which never end by themselves
  server_->Shutdown();
}

void ServerFixture::CreateQueue(const std::string& name) {
  api::Queue queue;
  queue.set_name(name);
  queue.set_priority_factor(1);
  grpc::ClientContext context;
  google::protobuf::Empty empty;
  REQUIRE(submit_->CreateQueue(&context, queue, &empty).ok());
}

std::vector<api::EventStreamMessage> ServerFixture::JobSetEvents(const std::string& queue,
                                                                 const std::string& job_set,
                                                                 const std::string& from,
                                                                 const std::string& authorization) {
  REQUIRE(relay_->PublishPending().ok());
  api::JobSetRequest request;
  request.set_queue(queue);
  request.set_id(job_set);
  request.set_from_message_id(from);
  grpc::ClientContext context;
  if (!authorization.empty()) context.AddMetadata("authorization", authorization);
  auto reader = events_->GetJobSetEvents(&context, request);
  std::vector<api::EventStreamMessage> events;
  api::EventStreamMessage message;
  while (reader->Read(&message)) events.push_back(message);
  REQUIRE(reader->Finish().ok());
  return events;
}

api::JobSubmitRequestItem JobItem(std::vector<std::string> command, const std::string& cpu,
                                  const std::string& memory) {
  api::JobSubmitRequestItem item;
  auto* container = item.add_pod_specs()->add_containers();
  container->set_name("main");
  for (auto& part : command) container->add_command(part);
  for (auto* side : {container->mutable_resources()->mutable_requests(),
                     container->mutable_resources()->mutable_limits()}) {
    (*side)["cpu"].set_string(cpu);
    (*side)["memory"].set_string(memory);
  }
  return item;
}

std::vector<std::string> EventKinds(const std::vector<api::EventStreamMessage>& events,
                                    const std::string& job_id) {
  std::vector<std::string> kinds;
  for (const auto& event : events) {
    const auto& message = event.message();
    const auto* field = message.GetDescriptor()->FindOneofByName("events");
    const auto* set = message.GetReflection()->GetOneofFieldDescriptor(message, field);
    if (set == nullptr) continue;
    const auto& inner = message.GetReflection()->GetMessage(message, set);
    const auto* id = inner.GetDescriptor()->FindFieldByName("job_id");
    if (!job_id.empty() && inner.GetReflection()->GetString(inner, id) != job_id) continue;
    kinds.push_back(set->name());
  }
  return kinds;
}

}  // namespace armada::testing
