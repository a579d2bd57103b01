// api.Event served by the event hub: many watchers on few threads, resuming,
// watch=false bounds, flow control, cancellation and shutdown.

#include <memory>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "tests/integration/event_test_util.h"
#include "tests/integration/server_fixture.h"

namespace armada::testing {
namespace {

constexpr absl::Duration kPatience = absl::Seconds(60);

// Reads a whole GetJobSetEvents call synchronously.
std::vector<std::string> ReadAll(ServerFixture& server, const api::JobSetRequest& request,
                                 grpc::Status* status = nullptr) {
  grpc::ClientContext context;
  auto reader = server.events().GetJobSetEvents(&context, request);
  std::vector<std::string> ids;
  api::EventStreamMessage message;
  while (reader->Read(&message)) ids.push_back(message.id());
  grpc::Status finished = reader->Finish();
  if (status) *status = finished;
  return ids;
}

TEST_CASE("events: 2,000 watchers are served by a few threads and Redis connections") {
  ServerFixture server;
  server.CreateQueue("q");
  constexpr int kJobSets = 100;
  constexpr int kWatchersPerSet = 20;
  constexpr int kWatchers = kJobSets * kWatchersPerSet;
  constexpr int kChannels = 8;
  auto job_set = [](int i) { return absl::StrCat("set-", i); };
  for (int i = 0; i < kJobSets; ++i) SubmitJobs(server, "q", job_set(i), 1);
  REQUIRE(server.relay().PublishPending().ok());

  const int threads_before = ProcessThreads();
  const int redis_before = RedisConnections();

  std::vector<std::unique_ptr<api::Event::Stub>> stubs;
  for (int c = 0; c < kChannels; ++c) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own
    stubs.push_back(api::Event::NewStub(
        grpc::CreateCustomChannel(server.address(), grpc::InsecureChannelCredentials(), args)));
  }
  Tally received;
  std::vector<std::unique_ptr<EventWatcher>> watchers;
  for (int w = 0; w < kWatchers; ++w) {
    watchers.push_back(std::make_unique<EventWatcher>(
        *stubs[w % kChannels], JobSetRequest("q", job_set(w % kJobSets), /*watch=*/true),
        &received));
  }
  // Every watcher has the two events logged before it started...
  REQUIRE(received.WaitFor(2 * kWatchers, kPatience));
  CHECK(server.event_service().active_streams() == kWatchers);

  // ... and gets the ones logged while it watches, through wake-ups.
  REQUIRE(Eventually([] { return WakeupSubscribers() > 0; }, kPatience));
  for (int i = 0; i < kJobSets; ++i) SubmitJobs(server, "q", job_set(i), 2);
  REQUIRE(server.relay().PublishPending().ok());
  for (int i = 0; i < kJobSets; i += 2) SubmitJobs(server, "q", job_set(i), 1);
  REQUIRE(server.relay().PublishPending().ok());
  const int64_t expected = kWatchers * 6 + (kWatchers / 2) * 2;
  REQUIRE(received.WaitFor(expected, kPatience));

  const int threads_during = ProcessThreads();
  const int redis_during = RedisConnections();
  INFO("threads before " << threads_before << ", during " << threads_during
                         << "; redis connections before " << redis_before << ", during "
                         << redis_during);
  CHECK(threads_during - threads_before < 50);
  CHECK(redis_during < 20);
  CHECK(Eventually([&] { return server.event_service().hub().stats().wakeups >= 2; }, kPatience));

  // Each watcher has exactly its job set's events, in order.
  std::vector<std::vector<std::string>> expected_ids;
  for (int i = 0; i < kJobSets; ++i) {
    expected_ids.push_back(Ids(server.JobSetEvents("q", job_set(i))));
    REQUIRE(expected_ids.back().size() == (i % 2 == 0 ? 8u : 6u));
  }
  int mismatched = 0;
  for (int w = 0; w < kWatchers; ++w) {
    if (watchers[w]->ids() != expected_ids[w % kJobSets]) ++mismatched;
  }
  CHECK(mismatched == 0);

  for (auto& watcher : watchers) watcher->Cancel();
  for (auto& watcher : watchers) CHECK(watcher->Wait().error_code() == grpc::StatusCode::CANCELLED);
  // The server tears its side down a moment after the client sees the end.
  CHECK(Eventually([&] { return server.event_service().active_streams() == 0; }, kPatience));
  CHECK(server.event_service().hub().stats().subscriptions == 0);
}

TEST_CASE("events: resuming from a message id gives no gap and no duplicate") {
  ServerFixture server;
  server.CreateQueue("q");
  SubmitJobs(server, "q", "s", 5);
  const std::vector<std::string> all = Ids(server.JobSetEvents("q", "s"));
  REQUIRE(all.size() == 10);

  SECTION("watch=false from every position") {
    for (size_t k = 0; k < all.size(); ++k) {
      std::vector<std::string> rest(all.begin() + k + 1, all.end());
      CHECK(ReadAll(server, JobSetRequest("q", "s", false, all[k])) == rest);
    }
  }

  SECTION("watch=true, across new events") {
    EventWatcher watcher(server.events(), JobSetRequest("q", "s", true, all[3]));
    REQUIRE(watcher.WaitForCount(6, kPatience));
    SubmitJobs(server, "q", "s", 2);
    REQUIRE(server.relay().PublishPending().ok());
    const std::vector<std::string> now = Ids(server.JobSetEvents("q", "s"));
    REQUIRE(now.size() == 14);
    REQUIRE(watcher.WaitForCount(10, kPatience));
    watcher.Cancel();
    watcher.Wait();
    CHECK(watcher.ids() == std::vector<std::string>(now.begin() + 4, now.end()));
  }

  SECTION("the deprecated Watch resumes the same way") {
    api::WatchRequest request;
    request.set_queue("q");
    request.set_job_set_id("s");
    request.set_from_id(all[7]);
    grpc::ClientContext context;
    auto reader = server.events().Watch(&context, request);
    api::EventStreamMessage message;
    std::vector<std::string> ids;
    while (ids.size() < 2 && reader->Read(&message)) ids.push_back(message.id());
    CHECK(ids == std::vector<std::string>{all[8], all[9]});
    context.TryCancel();
    while (reader->Read(&message)) {
    }
    CHECK(reader->Finish().error_code() == grpc::StatusCode::CANCELLED);
  }

  SECTION("a malformed message id is INVALID_ARGUMENT") {
    grpc::Status status;
    CHECK(ReadAll(server, JobSetRequest("q", "s", false, "not-an-id"), &status).empty());
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  }
}

TEST_CASE("events: watch=false ends at the last event present when the call started") {
  ServerFixture server;
  server.CreateQueue("q");

  SECTION("events logged during the call are left out") {
    SubmitJobs(server, "q", "s", 3);
    const std::vector<std::string> at_start = Ids(server.JobSetEvents("q", "s"));
    REQUIRE(at_start.size() == 6);
    grpc::ClientContext context;
    auto reader = server.events().GetJobSetEvents(&context, JobSetRequest("q", "s", false));
    api::EventStreamMessage message;
    REQUIRE(reader->Read(&message));  // the call has started and fixed its end
    std::vector<std::string> ids = {message.id()};
    SubmitJobs(server, "q", "s", 2);
    REQUIRE(server.relay().PublishPending().ok());
    while (reader->Read(&message)) ids.push_back(message.id());
    CHECK(reader->Finish().ok());
    CHECK(ids == at_start);
    CHECK(Ids(server.JobSetEvents("q", "s")).size() == 10);
  }

  SECTION("more than one batch") {
    SubmitJobs(server, "q", "s", 650);
    const std::vector<std::string> ids = Ids(server.JobSetEvents("q", "s"));
    REQUIRE(ids.size() == 1300);
    for (size_t i = 0; i < ids.size(); ++i) CHECK(ids[i] == absl::StrCat(i + 1, "-0"));
  }

  SECTION("an unknown job set ends at once, NOT_FOUND only with errorIfMissing") {
    grpc::Status status;
    CHECK(ReadAll(server, JobSetRequest("q", "none", false), &status).empty());
    CHECK(status.ok());
    CHECK(ReadAll(server, JobSetRequest("q", "none", false, "", true), &status).empty());
    CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(ReadAll(server, JobSetRequest("", "none", false), &status).empty());
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  }
}

TEST_CASE("events: a watcher that stops reading holds back no one else") {
  ServerFixture server;
  server.CreateQueue("q");
  SubmitJobs(server, "q", "s", 600);  // far more than a stream's flow-control window
  REQUIRE(server.relay().PublishPending().ok());

  grpc::ClientContext stalled_context;
  auto stalled = server.events().GetJobSetEvents(&stalled_context, JobSetRequest("q", "s", true));
  api::EventStreamMessage message;
  REQUIRE(stalled->Read(&message));  // then reads no more

  Tally received;
  std::vector<std::unique_ptr<EventWatcher>> others;
  for (int i = 0; i < 10; ++i) {
    others.push_back(
        std::make_unique<EventWatcher>(server.events(), JobSetRequest("q", "s", false), &received));
  }
  for (auto& other : others) {
    CHECK(other->Wait().ok());
    CHECK(other->ids().size() == 1200);
  }
  stalled_context.TryCancel();
  while (stalled->Read(&message)) {
  }
  CHECK(stalled->Finish().error_code() == grpc::StatusCode::CANCELLED);
}

TEST_CASE("events: shutting the service down ends open watch streams") {
  ServerFixture server;
  server.CreateQueue("q");
  SubmitJobs(server, "q", "s", 1);
  REQUIRE(server.relay().PublishPending().ok());
  std::vector<std::unique_ptr<EventWatcher>> watchers;
  for (int i = 0; i < 20; ++i) {
    watchers.push_back(
        std::make_unique<EventWatcher>(server.events(), JobSetRequest("q", "s", true)));
  }
  for (auto& watcher : watchers) REQUIRE(watcher->WaitForCount(2, kPatience));
  server.event_service().Shutdown();
  for (auto& watcher : watchers) {
    CHECK(watcher->Wait().error_code() == grpc::StatusCode::UNAVAILABLE);
  }
  CHECK(server.event_service().active_streams() == 0);
  grpc::Status status;
  ReadAll(server, JobSetRequest("q", "s", true), &status);
  CHECK(status.error_code() == grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace armada::testing
