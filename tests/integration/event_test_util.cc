#include "tests/integration/event_test_util.h"

#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/events/redis_client.h"
#include "lib/events/wakeup.h"

namespace armada::testing {

void SubmitJobs(ServerFixture& server, const std::string& queue, const std::string& job_set,
                int jobs) {
  api::JobSubmitRequest request;
  request.set_queue(queue);
  request.set_job_set_id(job_set);
  for (int i = 0; i < jobs; ++i) *request.add_job_request_items() = JobItem({"true"});
  grpc::ClientContext context;
  api::JobSubmitResponse response;
  grpc::Status status = server.submit().SubmitJobs(&context, request, &response);
  REQUIRE(status.error_message() == "");
  REQUIRE(status.ok());
}

std::vector<std::string> Ids(const std::vector<api::EventStreamMessage>& events) {
  std::vector<std::string> ids;
  for (const auto& event : events) ids.push_back(event.id());
  return ids;
}

int ProcessThreads() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    absl::string_view rest = line;
    int threads = 0;
    if (absl::ConsumePrefix(&rest, "Threads:") &&
        absl::SimpleAtoi(absl::StripAsciiWhitespace(rest), &threads)) {
      return threads;
    }
  }
  FAIL("no Threads: line in /proc/self/status");
  return 0;
}

int RedisConnections() {
  auto redis = events::RedisClient::Connect(RedisUrl());
  REQUIRE(redis.ok());
  auto reply = (*redis)->Command({"CLIENT", "LIST"});
  REQUIRE(reply.ok());
  int connections = 0;
  for (absl::string_view line : absl::StrSplit(reply->str, '\n', absl::SkipWhitespace())) {
    if (absl::StrContains(line, "addr=")) ++connections;
  }
  return connections;
}

int WakeupSubscribers() {
  auto redis = events::RedisClient::Connect(RedisUrl());
  REQUIRE(redis.ok());
  auto reply = (*redis)->Command({"PUBSUB", "NUMSUB", events::kWakeupChannel});
  REQUIRE(reply.ok());
  REQUIRE(reply->elements.size() == 2);
  return static_cast<int>(reply->elements[1].integer);
}

void Tally::Add(int n) {
  std::lock_guard lock(mu_);
  count_ += n;
  cv_.notify_all();
}

bool Tally::WaitFor(int64_t target, absl::Duration timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, absl::ToChronoMilliseconds(timeout), [&] { return count_ >= target; });
}

int64_t Tally::count() {
  std::lock_guard lock(mu_);
  return count_;
}

EventWatcher::EventWatcher(api::Event::Stub& stub, api::JobSetRequest request, Tally* tally)
    : request_(std::move(request)), tally_(tally) {
  stub.async()->GetJobSetEvents(&context_, &request_, this);
  StartRead(&message_);
  StartCall();
}

void EventWatcher::OnReadDone(bool ok) {
  if (!ok) return;  // OnDone follows
  {
    std::lock_guard lock(mu_);
    ids_.push_back(message_.id());
    cv_.notify_all();
  }
  if (tally_) tally_->Add();
  StartRead(&message_);
}

void EventWatcher::OnDone(const grpc::Status& status) {
  std::lock_guard lock(mu_);
  done_ = true;
  status_ = status;
  cv_.notify_all();
}

grpc::Status EventWatcher::Wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return done_; });
  return status_;
}

bool EventWatcher::WaitForCount(size_t count, absl::Duration timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, absl::ToChronoMilliseconds(timeout), [&] {
    return ids_.size() >= count || done_;
  }) && ids_.size() >= count;
}

std::vector<std::string> EventWatcher::ids() {
  std::lock_guard lock(mu_);
  return ids_;
}

bool Eventually(const std::function<bool()>& condition, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

api::JobSetRequest JobSetRequest(const std::string& queue, const std::string& job_set, bool watch,
                                 const std::string& from, bool error_if_missing) {
  api::JobSetRequest request;
  request.set_queue(queue);
  request.set_id(job_set);
  request.set_watch(watch);
  request.set_from_message_id(from);
  request.set_errorifmissing(error_if_missing);
  return request;
}

}  // namespace armada::testing
