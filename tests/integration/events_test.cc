#include <google/protobuf/util/message_differencer.h>
#include <catch2/catch.hpp>

#include "tests/integration/server_fixture.h"

namespace armada::testing {
namespace {

TEST_CASE(
    "relay: after Redis loses everything, the streams are refilled with no gap or duplicate") {
  ServerFixture server;
  server.CreateQueue("q");
  api::JobSubmitRequest request;
  request.set_queue("q");
  request.set_job_set_id("s");
  for (int i = 0; i < 5; ++i) *request.add_job_request_items() = JobItem({"true"});
  grpc::ClientContext context;
  api::JobSubmitResponse response;
  REQUIRE(server.submit().SubmitJobs(&context, request, &response).ok());

  auto before = server.JobSetEvents("q", "s");
  REQUIRE(before.size() == 10);

  auto redis = events::RedisClient::Connect(RedisUrl());
  REQUIRE(redis.ok());
  REQUIRE((*redis)->Command({"FLUSHALL"}).ok());
  auto published = server.relay().PublishPending();
  REQUIRE(published.ok());
  CHECK(*published == 10);
  // Publishing again finds nothing new.
  REQUIRE(*server.relay().PublishPending() == 0);

  auto after = server.JobSetEvents("q", "s");
  REQUIRE(after.size() == before.size());
  for (size_t i = 0; i < before.size(); ++i) {
    CHECK(after[i].id() == before[i].id());
    CHECK(google::protobuf::util::MessageDifferencer::Equals(after[i].message(),
                                                             before[i].message()));
  }
}

TEST_CASE("relay: re-publishing over a partly filled stream adds nothing twice") {
  ServerFixture server;
  server.CreateQueue("q");
  api::JobSubmitRequest request;
  request.set_queue("q");
  request.set_job_set_id("s");
  *request.add_job_request_items() = JobItem({"true"});
  grpc::ClientContext context;
  api::JobSubmitResponse response;
  REQUIRE(server.submit().SubmitJobs(&context, request, &response).ok());
  REQUIRE(server.JobSetEvents("q", "s").size() == 2);

  // Only the cursor is lost: every event is offered again and refused.
  auto redis = events::RedisClient::Connect(RedisUrl());
  REQUIRE((*redis)->Command({"DEL", "armada:relay:cursor"}).ok());
  REQUIRE(server.relay().PublishPending().ok());
  CHECK(server.JobSetEvents("q", "s").size() == 2);
}

TEST_CASE("relay: a cursor in Redis beyond PostgreSQL's log does not hide new events") {
  ServerFixture server;
  server.CreateQueue("q");
  auto redis = events::RedisClient::Connect(RedisUrl());
  REQUIRE(redis.ok());
  // As if Redis were kept from another database that had logged far more.
  REQUIRE((*redis)->Command({"SET", "armada:relay:cursor", "1000000"}).ok());
  api::JobSubmitRequest request;
  request.set_queue("q");
  request.set_job_set_id("s");
  *request.add_job_request_items() = JobItem({"true"});
  grpc::ClientContext context;
  api::JobSubmitResponse response;
  REQUIRE(server.submit().SubmitJobs(&context, request, &response).ok());
  REQUIRE(server.JobSetEvents("q", "s").size() == 2);
  // Once the relay has seen it, new events are numbered after what Redis may
  // already hold, so no id is taken twice.
  grpc::ClientContext again;
  REQUIRE(server.submit().SubmitJobs(&again, request, &response).ok());
  const auto events = server.JobSetEvents("q", "s");
  REQUIRE(events.size() == 4);
  CHECK(std::stoll(events[2].id()) > 1000000);
}

TEST_CASE("events: watching an unknown job set with errorIfMissing is NOT_FOUND") {
  ServerFixture server;
  api::JobSetRequest request;
  request.set_queue("q");
  request.set_id("never");
  request.set_errorifmissing(true);
  grpc::ClientContext context;
  auto reader = server.events().GetJobSetEvents(&context, request);
  api::EventStreamMessage message;
  CHECK_FALSE(reader->Read(&message));
  CHECK(reader->Finish().error_code() == grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace armada::testing
