// EventHub against a real Redis: wake-ups, the safety poll, reconnection,
// batching and flow control, bounded subscriptions and unsubscribing.

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "lib/events/event_hub.h"
#include "lib/events/event_relay.h"
#include "lib/events/redis_client.h"
#include "lib/events/redis_subscriber.h"
#include "lib/events/wakeup.h"
#include "tests/integration/server_fixture.h"

namespace armada::testing {
namespace {

using events::EventHub;
using events::StreamEvent;

constexpr absl::Duration kPatience = absl::Seconds(30);

std::unique_ptr<events::RedisClient> Redis() {
  auto redis = events::RedisClient::Connect(RedisUrl());
  REQUIRE(redis.ok());
  return std::move(*redis);
}

// Appends entries first..last ("<n>-0", message "m<n>") to queue q's job set.
void Append(events::RedisClient& redis, const std::string& job_set, int first, int last) {
  std::vector<std::vector<std::string>> commands;
  for (int n = first; n <= last; ++n) {
    commands.push_back({"XADD", events::JobSetStreamKey("q", job_set), absl::StrCat(n, "-0"), "m",
                        absl::StrCat("m", n)});
  }
  auto replies = redis.Pipeline(commands);
  REQUIRE(replies.ok());
  for (const auto& reply : *replies) REQUIRE_FALSE(reply.is_error);
}

void Publish(events::RedisClient& redis, const std::string& job_set) {
  REQUIRE(redis
              .Command({"PUBLISH", events::kWakeupChannel,
                        events::EncodeWakeup({events::JobSetStreamKey("q", job_set)})})
              .ok());
}

// Waits until the hub's subscriber listens on the wake-up channel.
void WaitForSubscriber(events::RedisClient& redis) {
  const absl::Time deadline = absl::Now() + kPatience;
  while (absl::Now() < deadline) {
    auto reply = redis.Command({"PUBSUB", "NUMSUB", events::kWakeupChannel});
    REQUIRE(reply.ok());
    if (reply->elements.size() == 2 && reply->elements[1].integer > 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("the hub never subscribed");
}

// Collects what the hub hands over; asks for more at once unless `manual`.
class Collector : public EventHub::Listener {
 public:
  explicit Collector(bool manual = false) : manual_(manual) {}
  // The handle arrives after Subscribe returns, maybe after the first batch.
  void Attach(EventHub& hub, EventHub::Handle handle) {
    std::lock_guard lock(mu_);
    hub_ = &hub;
    handle_ = handle;
    if (owed_) hub.RequestMore(handle);
    owed_ = false;
  }
  // Marks the subscription as gone: any later call is counted as late.
  void Close() { closed_ = true; }
  int late() const { return late_; }

  void OnEvents(std::vector<StreamEvent> events) override {
    if (closed_) ++late_;
    std::lock_guard lock(mu_);
    ++batches_;
    for (auto& event : events) {
      ids_.push_back(event.id);
      messages_.push_back(event.message);
    }
    if (!manual_ && hub_) hub_->RequestMore(handle_);
    if (!manual_ && !hub_) owed_ = true;
    cv_.notify_all();
  }
  void OnEnd(absl::Status status) override {
    if (closed_) ++late_;
    std::lock_guard lock(mu_);
    end_ = status;
    cv_.notify_all();
  }
  bool WaitForCount(size_t count) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, absl::ToChronoMilliseconds(kPatience),
                        [&] { return ids_.size() >= count; });
  }
  std::optional<absl::Status> WaitForEnd() {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, absl::ToChronoMilliseconds(kPatience), [&] { return end_.has_value(); });
    return end_;
  }
  std::vector<std::string> ids() {
    std::lock_guard lock(mu_);
    return ids_;
  }
  std::vector<std::string> messages() {
    std::lock_guard lock(mu_);
    return messages_;
  }
  int batches() {
    std::lock_guard lock(mu_);
    return batches_;
  }

 private:
  const bool manual_;
  std::atomic<bool> closed_{false};
  std::atomic<int> late_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  EventHub* hub_ = nullptr;
  EventHub::Handle handle_ = 0;
  bool owed_ = false;  // a RequestMore to send once attached
  std::vector<std::string> ids_;
  std::vector<std::string> messages_;
  int batches_ = 0;
  std::optional<absl::Status> end_;
};

EventHub::Options Options(absl::Duration safety_poll) {
  EventHub::Options options;
  options.redis_url = RedisUrl();
  options.safety_poll = safety_poll;
  options.retry_pause = absl::Milliseconds(50);
  return options;
}

std::vector<std::string> Range(int first, int last) {
  std::vector<std::string> ids;
  for (int n = first; n <= last; ++n) ids.push_back(absl::StrCat(n, "-0"));
  return ids;
}

EventHub::Handle Watch(EventHub& hub, Collector& collector, const std::string& job_set,
                       const std::string& after = "", bool watch = true) {
  EventHub::Handle handle = hub.Subscribe({"q", job_set, after, watch, false}, &collector);
  collector.Attach(hub, handle);
  return handle;
}

TEST_CASE("hub: a wake-up brings new events without waiting for the safety poll") {
  ResetServices();
  auto redis = Redis();
  EventHub hub(Options(absl::Hours(1)));
  Collector collector;
  Watch(hub, collector, "s");
  WaitForSubscriber(*redis);
  Append(*redis, "s", 1, 3);
  Publish(*redis, "s");
  REQUIRE(collector.WaitForCount(3));
  Append(*redis, "s", 4, 4);
  Publish(*redis, "s");
  REQUIRE(collector.WaitForCount(4));
  CHECK(collector.ids() == Range(1, 4));
  CHECK(collector.messages() == std::vector<std::string>{"m1", "m2", "m3", "m4"});
  // Event 4 may be read (after a wake-up for 1-3 marked the watcher again)
  // before the subscriber thread has counted the second wake-up.
  const absl::Time deadline = absl::Now() + kPatience;
  while (hub.stats().wakeups < 2 && absl::Now() < deadline) std::this_thread::yield();
  CHECK(hub.stats().wakeups >= 2);
}

TEST_CASE("hub: the relay's wake-up names the streams that grew") {
  ServerFixture server;
  server.CreateQueue("q");
  auto subscriber = events::RedisSubscriber::Connect(RedisUrl(), events::kWakeupChannel);
  REQUIRE(subscriber.ok());
  for (const char* job_set : {"a", "b", "a"}) {
    api::JobSubmitRequest request;
    request.set_queue("q");
    request.set_job_set_id(job_set);
    *request.add_job_request_items() = JobItem({"true"});
    grpc::ClientContext context;
    api::JobSubmitResponse response;
    REQUIRE(server.submit().SubmitJobs(&context, request, &response).ok());
  }
  REQUIRE(server.relay().PublishPending().ok());
  auto message = (*subscriber)->Next(kPatience);
  REQUIRE(message.ok());
  REQUIRE(message->has_value());
  events::Wakeup wakeup = events::DecodeWakeup(**message);
  CHECK_FALSE(wakeup.all);
  CHECK(wakeup.keys == std::vector<std::string>{"events:q:a", "events:q:b"});
  CHECK(events::DecodeWakeup(events::EncodeWakeup({"events:q:odd\nname"})).all);
}

TEST_CASE("hub: with no wake-up at all, the safety poll still delivers") {
  ResetServices();
  auto redis = Redis();
  EventHub hub(Options(absl::Milliseconds(200)));
  Collector collector;
  Watch(hub, collector, "s");
  Append(*redis, "s", 1, 2);  // never announced
  REQUIRE(collector.WaitForCount(2));
  CHECK(collector.ids() == Range(1, 2));
}

TEST_CASE("hub: after the wake-up connection drops, watchers are read again") {
  ResetServices();
  auto redis = Redis();
  EventHub hub(Options(absl::Hours(1)));
  Collector collector;
  Watch(hub, collector, "s");
  WaitForSubscriber(*redis);
  Append(*redis, "s", 1, 1);
  Publish(*redis, "s");
  REQUIRE(collector.WaitForCount(1));
  // Events whose wake-up was lost (as when Redis restarts), then the
  // connection drops: on reconnecting, the hub reads every watcher.
  Append(*redis, "s", 2, 3);
  REQUIRE(redis->Command({"CLIENT", "KILL", "TYPE", "pubsub"}).ok());
  REQUIRE(collector.WaitForCount(3));
  CHECK(collector.ids() == Range(1, 3));
}

TEST_CASE("hub: readers whose connections drop reconnect and read again") {
  ResetServices();
  auto redis = Redis();
  EventHub hub(Options(absl::Hours(1)));
  Collector collector;
  Watch(hub, collector, "s");
  WaitForSubscriber(*redis);
  Append(*redis, "s", 1, 1);
  Publish(*redis, "s");
  REQUIRE(collector.WaitForCount(1));
  // Every reader's connection (not the subscriber's, not ours) is cut.
  REQUIRE(redis->Command({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"}).ok());
  Append(*redis, "s", 2, 3);
  Publish(*redis, "s");
  REQUIRE(collector.WaitForCount(3));
  CHECK(collector.ids() == Range(1, 3));
}

TEST_CASE("hub: one batch at a time, the next only when asked") {
  ResetServices();
  auto redis = Redis();
  Append(*redis, "s", 1, 1200);
  EventHub::Options options = Options(absl::Milliseconds(100));
  options.batch_size = 500;
  EventHub hub(options);
  Collector collector(/*manual=*/true);
  EventHub::Handle handle = Watch(hub, collector, "s");
  REQUIRE(collector.WaitForCount(500));
  // Several safety polls pass: nothing more comes until asked.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(collector.ids().size() == 500);
  hub.RequestMore(handle);
  REQUIRE(collector.WaitForCount(1000));
  hub.RequestMore(handle);
  REQUIRE(collector.WaitForCount(1200));
  CHECK(collector.ids() == Range(1, 1200));
  CHECK(collector.batches() == 3);
}

TEST_CASE("hub: watch=false ends at the stream's last id at the first read") {
  ResetServices();
  auto redis = Redis();
  Append(*redis, "s", 1, 5);
  EventHub hub(Options(absl::Hours(1)));
  Collector from_start;
  Watch(hub, from_start, "s", "", /*watch=*/false);
  Collector from_middle;
  Watch(hub, from_middle, "s", "3-0", /*watch=*/false);
  Collector past_end;
  Watch(hub, past_end, "s", "9-0", /*watch=*/false);
  Collector missing;
  Watch(hub, missing, "none", "", /*watch=*/false);
  for (Collector* c : {&from_start, &from_middle, &past_end, &missing}) {
    auto end = c->WaitForEnd();
    REQUIRE(end.has_value());
    CHECK(end->ok());
  }
  Append(*redis, "s", 6, 7);
  CHECK(from_start.ids() == Range(1, 5));
  CHECK(from_middle.ids() == Range(4, 5));
  CHECK(past_end.ids().empty());
  CHECK(missing.ids().empty());

  Collector not_found;
  hub.Subscribe({"q", "none", "", true, /*error_if_missing=*/true}, &not_found);
  auto end = not_found.WaitForEnd();
  REQUIRE(end.has_value());
  CHECK(end->code() == absl::StatusCode::kNotFound);
}

TEST_CASE("hub: watchers unsubscribing while events flow never see a call afterwards") {
  ResetServices();
  auto redis = Redis();
  EventHub::Options options = Options(absl::Milliseconds(20));
  options.batch_size = 7;
  EventHub hub(options);
  constexpr int kWatchers = 200;
  std::vector<std::unique_ptr<Collector>> collectors;
  std::vector<EventHub::Handle> handles;
  for (int i = 0; i < kWatchers; ++i) {
    collectors.push_back(std::make_unique<Collector>());
    handles.push_back(Watch(hub, *collectors.back(), absl::StrCat("s", i % 10)));
  }
  std::thread writer([&] {
    auto own = Redis();
    for (int n = 1; n <= 50; ++n) {
      for (int s = 0; s < 10; ++s) Append(*own, absl::StrCat("s", s), n, n);
    }
  });
  for (int i = 0; i < kWatchers; ++i) {
    if (i % 20 == 0) collectors[i]->WaitForCount(1);  // some mid-stream
    hub.Unsubscribe(handles[i]);
    collectors[i]->Close();
  }
  writer.join();
  CHECK(hub.stats().subscriptions == 0);
  hub.Stop();
  int late = 0;
  for (auto& collector : collectors) late += collector->late();
  CHECK(late == 0);
}

}  // namespace
}  // namespace armada::testing
