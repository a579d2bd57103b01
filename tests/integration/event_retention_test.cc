// EventPruner: retention in PostgreSQL and Redis, driven by the fixture's
// SimulatedClock and explicit created_at timestamps.

#include <catch2/catch.hpp>

#include "lib/events/event_pruner.h"
#include "lib/events/redis_client.h"
#include "tests/integration/event_test_util.h"
#include "tests/integration/server_fixture.h"

namespace armada::testing {
namespace {

std::unique_ptr<events::RedisClient> Redis() {
  auto redis = events::RedisClient::Connect(RedisUrl());
  REQUIRE(redis.ok());
  return std::move(*redis);
}

// Sets created_at of the events with seq in [first, last] to `at`.
void SetCreatedAt(ServerFixture& server, int64_t first, int64_t last, absl::Time at) {
  REQUIRE(server.db()
              .Run([&](pqxx::work& tx) {
                tx.exec_params0(
                    "UPDATE job_events SET created_at = to_timestamp($3::float8) "
                    "WHERE seq BETWEEN $1 AND $2",
                    first, last, absl::ToDoubleSeconds(at - absl::UnixEpoch()));
                return absl::OkStatus();
              })
              .ok());
}

std::vector<int64_t> LoggedSeqs(ServerFixture& server) {
  std::vector<int64_t> seqs;
  REQUIRE(server.db()
              .Run([&](pqxx::work& tx) {
                seqs.clear();
                for (const auto& row : tx.exec("SELECT seq FROM job_events ORDER BY seq")) {
                  seqs.push_back(row[0].as<int64_t>());
                }
                return absl::OkStatus();
              })
              .ok());
  return seqs;
}

std::vector<std::string> StreamIds(events::RedisClient& redis, const std::string& job_set) {
  auto reply = redis.Command({"XRANGE", events::JobSetStreamKey("q", job_set), "-", "+"});
  REQUIRE(reply.ok());
  std::vector<std::string> ids;
  for (const auto& entry : reply->elements) ids.push_back(entry.elements[0].str);
  return ids;
}

bool StreamExists(events::RedisClient& redis, const std::string& job_set) {
  auto reply = redis.Command({"EXISTS", events::JobSetStreamKey("q", job_set)});
  REQUIRE(reply.ok());
  return reply->integer == 1;
}

TEST_CASE("retention: expired events leave PostgreSQL and Redis, younger ones stay") {
  ServerFixture server;
  server.CreateQueue("q");
  SubmitJobs(server, "q", "old", 2);    // seq 1-4
  SubmitJobs(server, "q", "mixed", 1);  // seq 5-6
  SubmitJobs(server, "q", "mixed", 1);  // seq 7-8
  SubmitJobs(server, "q", "young", 1);  // seq 9-10
  REQUIRE(server.relay().PublishPending().ok());
  const absl::Time now = server.clock().Now();
  SetCreatedAt(server, 1, 6, now - absl::Hours(24 * 20));
  SetCreatedAt(server, 7, 10, now - absl::Hours(24));

  auto redis = Redis();
  events::EventPruner pruner(server.db(), Redis(), server.clock(),
                             {.retention = absl::Hours(14 * 24), .delete_batch = 4});
  auto result = pruner.PruneOnce();
  REQUIRE(result.ok());
  CHECK(result->first_kept == 7);
  CHECK(result->rows_deleted == 6);
  CHECK(result->entries_trimmed == 6);
  CHECK(result->streams_deleted == 1);

  CHECK(LoggedSeqs(server) == std::vector<int64_t>{7, 8, 9, 10});
  CHECK_FALSE(StreamExists(*redis, "old"));
  CHECK(StreamIds(*redis, "mixed") == std::vector<std::string>{"7-0", "8-0"});
  CHECK(StreamIds(*redis, "young") == std::vector<std::string>{"9-0", "10-0"});

  // Watchers see the same: the expired job set is gone, resuming from a
  // pruned id continues at the first event kept.
  grpc::ClientContext context;
  auto reader = server.events().GetJobSetEvents(
      &context, JobSetRequest("q", "old", false, "", /*error_if_missing=*/true));
  api::EventStreamMessage message;
  CHECK_FALSE(reader->Read(&message));
  CHECK(reader->Finish().error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(Ids(server.JobSetEvents("q", "mixed", "5-0")) == std::vector<std::string>{"7-0", "8-0"});

  // A second round finds nothing; losing the relay's cursor resurrects nothing.
  result = pruner.PruneOnce();
  REQUIRE(result.ok());
  CHECK(result->rows_deleted == 0);
  CHECK(result->streams_scanned == 0);
  REQUIRE(redis->Command({"DEL", "armada:relay:cursor"}).ok());
  REQUIRE(server.relay().PublishPending().ok());
  CHECK_FALSE(StreamExists(*redis, "old"));
  CHECK(StreamIds(*redis, "mixed") == std::vector<std::string>{"7-0", "8-0"});
}

TEST_CASE("retention: when every event has expired, the log and the streams empty") {
  ServerFixture server;
  server.CreateQueue("q");
  SubmitJobs(server, "q", "a", 3);
  SubmitJobs(server, "q", "b", 1);
  REQUIRE(server.relay().PublishPending().ok());
  SetCreatedAt(server, 1, 8, server.clock().Now());
  auto redis = Redis();
  events::EventPruner pruner(server.db(), Redis(), server.clock(),
                             {.retention = absl::Hours(24), .delete_batch = 3});
  auto result = pruner.PruneOnce();
  REQUIRE(result.ok());
  CHECK(result->rows_deleted == 0);  // nothing is old enough yet
  CHECK(StreamIds(*redis, "a").size() == 6);

  server.clock().Advance(absl::Hours(25));
  result = pruner.PruneOnce();
  REQUIRE(result.ok());
  CHECK(result->first_kept == 9);
  CHECK(result->rows_deleted == 8);
  CHECK(result->streams_deleted == 2);
  CHECK(LoggedSeqs(server).empty());
  CHECK_FALSE(StreamExists(*redis, "a"));
  CHECK_FALSE(StreamExists(*redis, "b"));

  // The log goes on from where it was: new events get new streams.
  SubmitJobs(server, "q", "a", 1);
  CHECK(Ids(server.JobSetEvents("q", "a")) == std::vector<std::string>{"9-0", "10-0"});
}

}  // namespace
}  // namespace armada::testing
