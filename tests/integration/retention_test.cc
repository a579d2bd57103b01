// HistoryPruner: ended jobs leave with their runs and events, from PostgreSQL
// and Redis at once, so queries and watchers agree; unfinished jobs keep all
// of theirs. Time is the fixture's SimulatedClock against the database's
// updated_at (set explicitly where a test needs a job to have ended earlier).

#include <catch2/catch.hpp>

#include "lib/events/event_relay.h"
#include "lib/events/history_pruner.h"
#include "lib/events/redis_client.h"
#include "tests/integration/event_test_util.h"
#include "tests/integration/executor_driver.h"
#include "tests/integration/server_fixture.h"

namespace armada::testing {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);

std::unique_ptr<events::RedisClient> Redis() {
  auto redis = events::RedisClient::Connect(RedisUrl());
  REQUIRE(redis.ok());
  return std::move(*redis);
}

events::HistoryPruner Pruner(ServerFixture& server, events::HistoryPruner::Options options = {}) {
  return events::HistoryPruner(server.db(), Redis(), server.clock(), std::move(options));
}

void Cancel(ServerFixture& server, const std::string& queue, const std::string& job_set,
            const std::vector<std::string>& ids) {
  api::JobCancelRequest cancel;
  cancel.set_queue(queue);
  cancel.set_job_set_id(job_set);
  for (const auto& id : ids) cancel.add_job_ids(id);
  grpc::ClientContext context;
  api::CancellationResult result;
  REQUIRE(server.submit().CancelJobs(&context, cancel, &result).ok());
}

api::JobState StatusOf(ServerFixture& server, const std::string& id) {
  api::JobStatusRequest request;
  request.add_job_ids(id);
  grpc::ClientContext context;
  api::JobStatusResponse response;
  REQUIRE(server.jobs().GetJobStatus(&context, request, &response).ok());
  return response.job_states().at(id);
}

int64_t Count(ServerFixture& server, const std::string& sql) {
  int64_t n = 0;
  REQUIRE(server.db()
              .Run([&](pqxx::work& tx) {
                n = tx.exec1(sql)[0].as<int64_t>();
                return absl::OkStatus();
              })
              .ok());
  return n;
}

void Exec(ServerFixture& server, const std::string& sql) {
  REQUIRE(server.db()
              .Run([&](pqxx::work& tx) {
                tx.exec0(sql);
                return absl::OkStatus();
              })
              .ok());
}

int64_t EventsOf(ServerFixture& server, const std::string& job_id) {
  return Count(server, "SELECT count(*) FROM job_events WHERE job_id = '" + job_id + "'");
}

std::string SimulatedNow(ServerFixture& server) {
  return "to_timestamp(" + std::to_string(absl::ToUnixSeconds(server.clock().Now())) + ")";
}

// Every ended job ended at the simulated now (the database's now() is not the fixture's clock).
void EndedNow(ServerFixture& server) {
  Exec(server, "UPDATE jobs SET updated_at = " + SimulatedNow(server) +
                   " WHERE state NOT IN ('queued', 'leased', 'pending', 'running')");
}

// The job ended `age` before the simulated now.
void EndedAgo(ServerFixture& server, const std::string& job_id, absl::Duration age) {
  Exec(server, "UPDATE jobs SET updated_at = to_timestamp(" +
                   std::to_string(absl::ToUnixSeconds(server.clock().Now() - age)) +
                   ") WHERE job_id = '" + job_id + "'");
}

std::vector<std::string> StreamJobIds(events::RedisClient& redis, const std::string& queue,
                                      const std::string& job_set) {
  auto reply = redis.Command({"XRANGE", events::JobSetStreamKey(queue, job_set), "-", "+"});
  REQUIRE(reply.ok());
  std::vector<std::string> ids;
  for (const auto& entry : reply->elements) {
    api::EventMessage message;
    // Each entry is [id, [field, value, ...]]; the relay writes one field.
    REQUIRE(message.ParseFromString(entry.elements[1].elements[1].str));
    ids.push_back(message.has_submitted() ? message.submitted().job_id() : "");
  }
  return ids;
}

bool StreamExists(events::RedisClient& redis, const std::string& queue,
                  const std::string& job_set) {
  auto reply = redis.Command({"EXISTS", events::JobSetStreamKey(queue, job_set)});
  REQUIRE(reply.ok());
  return reply->integer == 1;
}

TEST_CASE("retention: an ended job leaves with its runs and events; unfinished and recent stay") {
  ServerFixture server;
  server.CreateQueue("q");
  const auto ids =
      SubmitJobs(server, 4, "1", "q", "s");  // 0, 1 end long ago; 2 recently; 3 stays queued
  Cancel(server, "q", "s", {ids[0], ids[1], ids[2]});
  REQUIRE(StatusOf(server, ids[0]) == api::CANCELLED);
  Exec(server,
       "INSERT INTO runs (run_id, job_id, executor, node, pool, state, leased_at) VALUES "
       "(gen_random_uuid(), '" +
           ids[0] + "', 'e', 'n', 'p', 'cancelled', now())");
  REQUIRE(server.relay().PublishPending().ok());
  EndedAgo(server, ids[0], 20 * kDay);
  EndedAgo(server, ids[1], 15 * kDay);
  EndedAgo(server, ids[2], 13 * kDay);
  // A job queued for longer than the retention keeps every event it has.
  server.clock().Advance(30 * kDay);
  EndedAgo(server, ids[2], 13 * kDay);
  const int64_t gone_events = EventsOf(server, ids[0]) + EventsOf(server, ids[1]);
  REQUIRE(gone_events >= 4);
  const int64_t kept_events = EventsOf(server, ids[2]) + EventsOf(server, ids[3]);

  auto redis = Redis();
  auto pruner = Pruner(server, {.batch = 1});  // one job per transaction: batches chain
  auto result = pruner.PruneOnce();
  REQUIRE(result.ok());
  CHECK(result->jobs_deleted == 2);
  CHECK(result->events_deleted == gone_events);
  CHECK(result->stream_entries_deleted == gone_events);
  CHECK(result->streams_deleted == 0);

  // Queries: the two are unknown, their run went with them; the others are as they were.
  CHECK(StatusOf(server, ids[0]) == api::UNKNOWN);
  CHECK(StatusOf(server, ids[1]) == api::UNKNOWN);
  CHECK(StatusOf(server, ids[2]) == api::CANCELLED);
  CHECK(StatusOf(server, ids[3]) == api::QUEUED);
  CHECK(Count(server, "SELECT count(*) FROM runs") == 0);
  CHECK(EventsOf(server, ids[0]) + EventsOf(server, ids[1]) == 0);
  CHECK(EventsOf(server, ids[2]) + EventsOf(server, ids[3]) == kept_events);

  // Watchers: exactly the kept jobs' events, from Redis and through the API.
  const auto stream = server.JobSetEvents("q", "s");
  CHECK(static_cast<int64_t>(stream.size()) == kept_events);
  for (const auto& message : stream) {
    const std::string& job_id = message.message().submitted().job_id();
    if (!job_id.empty()) CHECK((job_id == ids[2] || job_id == ids[3]));
  }
  CHECK(StreamJobIds(*redis, "q", "s").size() == static_cast<size_t>(kept_events));
  // Resuming from an id that was deleted continues at the next event kept.
  CHECK(Ids(server.JobSetEvents("q", "s", "1-0")) == Ids(stream));

  // A second round finds nothing; losing the relay's cursor resurrects nothing.
  result = pruner.PruneOnce();
  REQUIRE(result.ok());
  CHECK(result->jobs_deleted == 0);
  REQUIRE(redis->Command({"DEL", "armada:relay:cursor"}).ok());
  REQUIRE(server.relay().PublishPending().ok());
  CHECK(Ids(server.JobSetEvents("q", "s")) == Ids(stream));
}

TEST_CASE("retention: a job set whose jobs have all gone loses its stream") {
  ServerFixture server;
  server.CreateQueue("q");
  const auto ids = SubmitJobs(server, 3, "1", "q", "done");
  Cancel(server, "q", "done", ids);
  EndedNow(server);
  REQUIRE(server.relay().PublishPending().ok());
  auto redis = Redis();
  REQUIRE(StreamExists(*redis, "q", "done"));
  auto pruner = Pruner(server, {.job_retention = kDay});
  auto result = pruner.PruneOnce();
  REQUIRE(result.ok());
  CHECK(result->jobs_deleted == 0);  // ended just now

  server.clock().Advance(kDay + absl::Minutes(1));
  result = pruner.PruneOnce();
  REQUIRE(result.ok());
  CHECK(result->jobs_deleted == 3);
  CHECK(result->streams_deleted == 1);
  CHECK_FALSE(StreamExists(*redis, "q", "done"));
  grpc::ClientContext context;
  api::JobSetRequest request;
  request.set_queue("q");
  request.set_id("done");
  request.set_errorifmissing(true);
  auto reader = server.events().GetJobSetEvents(&context, request);
  api::EventStreamMessage message;
  CHECK_FALSE(reader->Read(&message));
  CHECK(reader->Finish().error_code() == grpc::StatusCode::NOT_FOUND);

  // The job set lives on: new jobs get a new stream, numbered after the old ones.
  const auto more = SubmitJobs(server, 1, "1", "q", "done");
  const auto events = server.JobSetEvents("q", "done");
  REQUIRE_FALSE(events.empty());
  CHECK(events.front().message().submitted().job_id() == more[0]);
}

TEST_CASE("retention: a job whose events the relay has not published yet waits for the relay") {
  ServerFixture server;
  server.CreateQueue("q");
  const auto ids = SubmitJobs(server, 1, "1", "q", "s");
  Cancel(server, "q", "s", ids);
  server.clock().Advance(20 * kDay);
  auto pruner = Pruner(server);
  auto result = pruner.PruneOnce();
  REQUIRE(result.ok());
  CHECK(result->jobs_deleted == 0);  // the relay could still publish its events after a delete
  CHECK(StatusOf(server, ids[0]) == api::CANCELLED);

  REQUIRE(server.relay().PublishPending().ok());
  result = pruner.PruneOnce();
  REQUIRE(result.ok());
  CHECK(result->jobs_deleted == 1);
  CHECK(server.JobSetEvents("q", "s").empty());
}

TEST_CASE("retention: a queue's own retention overrides the default, both ways") {
  ServerFixture server;
  for (const char* queue : {"short", "default", "long"}) {
    server.CreateQueue(queue);
    Cancel(server, queue, "s", SubmitJobs(server, 2, "1", queue, "s"));
  }
  EndedNow(server);
  REQUIRE(server.relay().PublishPending().ok());
  server.clock().Advance(3 * kDay);
  auto pruner =
      Pruner(server, {.job_retention = 2 * kDay,
                      .queue_retention = {{"short", absl::Hours(1)}, {"long", 7 * kDay}}});
  auto result = pruner.PruneOnce();
  REQUIRE(result.ok());
  CHECK(result->jobs_deleted == 4);
  CHECK(Count(server, "SELECT count(*) FROM jobs WHERE queue = 'long'") == 2);
  CHECK(Count(server, "SELECT count(*) FROM jobs WHERE queue <> 'long'") == 0);
}

TEST_CASE("retention: jobs of a deleted queue still go; its usage goes with the queue") {
  ServerFixture server;
  server.CreateQueue("gone");
  Cancel(server, "gone", "s", SubmitJobs(server, 2, "1", "gone", "s"));
  Exec(server, "INSERT INTO queue_usage VALUES ('pool', 'gone', 0.5, now())");
  grpc::ClientContext context;
  api::QueueDeleteRequest request;
  request.set_name("gone");
  google::protobuf::Empty empty;
  REQUIRE(server.submit().DeleteQueue(&context, request, &empty).ok());
  CHECK(Count(server, "SELECT count(*) FROM queue_usage") == 0);

  REQUIRE(server.relay().PublishPending().ok());
  server.clock().Advance(15 * kDay);
  auto result = Pruner(server).PruneOnce();
  REQUIRE(result.ok());
  CHECK(result->jobs_deleted == 2);
  CHECK(Count(server, "SELECT count(*) FROM job_events") == 0);
}

TEST_CASE("retention: silent executors with no unfinished run are forgotten, and stale usage") {
  ServerFixture server;
  server.CreateQueue("q");
  const auto ids = SubmitJobs(server, 1, "1", "q", "s");
  const std::string long_ago =
      std::to_string(absl::ToUnixSeconds(server.clock().Now() - 20 * kDay));
  Exec(server,
       "INSERT INTO executors (name, pool, last_seen, report) VALUES "
       "('silent', 'p', to_timestamp(" +
           long_ago +
           "), ''), "
           "('silent-busy', 'p', to_timestamp(" +
           long_ago +
           "), ''), "
           "('recent', 'p', " +
           SimulatedNow(server) + ", '')");
  Exec(server, "INSERT INTO executor_settings (name, cordoned) VALUES ('silent', true)");
  Exec(server, "INSERT INTO executor_principals (executor, principal) VALUES ('silent', 'x')");
  Exec(server, "UPDATE jobs SET state = 'running' WHERE job_id = '" + ids[0] + "'");
  Exec(server,
       "INSERT INTO runs (run_id, job_id, executor, node, pool, state, leased_at) VALUES "
       "(gen_random_uuid(), '" +
           ids[0] + "', 'silent-busy', 'n', 'p', 'running', now())");
  Exec(server, "INSERT INTO queue_usage VALUES ('p', 'q', 0.1, to_timestamp(" + long_ago +
                   ")), ('p2', 'q', 0.2, " + SimulatedNow(server) + ")");

  auto result = Pruner(server).PruneOnce();
  REQUIRE(result.ok());
  CHECK(result->executors_deleted == 1);
  CHECK(result->usage_rows_deleted == 1);
  CHECK(Count(server, "SELECT count(*) FROM executors WHERE name = 'silent'") == 0);
  CHECK(Count(server, "SELECT count(*) FROM executors") == 2);
  CHECK(Count(server, "SELECT count(*) FROM executor_settings") == 0);
  CHECK(Count(server, "SELECT count(*) FROM executor_principals") == 0);
  CHECK(Count(server, "SELECT count(*) FROM queue_usage WHERE pool = 'p2'") == 1);
}

}  // namespace
}  // namespace armada::testing
