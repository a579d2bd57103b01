#pragma once

// Helpers for the event-delivery tests: submitting events, watching job sets
// with gRPC's callback client API (no thread per watcher on the client side
// either), and measuring the process and Redis.

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/time/time.h"
#include "api/event.grpc.pb.h"
#include "tests/integration/server_fixture.h"

namespace armada::testing {

// Submits `jobs` jobs to the job set (each logs two events: submitted, queued).
void SubmitJobs(ServerFixture& server, const std::string& queue, const std::string& job_set,
                int jobs);

// The message ids of `events`, in order.
std::vector<std::string> Ids(const std::vector<api::EventStreamMessage>& events);

// Threads of this process (/proc/self/status).
int ProcessThreads();

// Connections Redis has open right now (CLIENT LIST), this test's own included.
int RedisConnections();

// Connections subscribed to the relay's wake-up channel (PUBSUB NUMSUB).
int WakeupSubscribers();

// A count many threads add to and one waits on.
class Tally {
 public:
  void Add(int n = 1);
  // Whether the count reached `target` within `timeout`.
  bool WaitFor(int64_t target, absl::Duration timeout);
  int64_t count();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int64_t count_ = 0;
};

// One GetJobSetEvents call, read as fast as messages come, on the callback API.
class EventWatcher : public grpc::ClientReadReactor<api::EventStreamMessage> {
 public:
  // Starts the call at once. `tally` (optional) counts every message received.
  EventWatcher(api::Event::Stub& stub, api::JobSetRequest request, Tally* tally = nullptr);

  void Cancel() { context_.TryCancel(); }
  // Waits for the call to end and returns its status.
  grpc::Status Wait();
  // Whether `count` messages arrived within `timeout`.
  bool WaitForCount(size_t count, absl::Duration timeout);
  std::vector<std::string> ids();

  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  grpc::ClientContext context_;
  api::JobSetRequest request_;
  Tally* tally_;
  api::EventStreamMessage message_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> ids_;
  bool done_ = false;
  grpc::Status status_;
};

// Whether `condition` became true within `timeout` (checked every few ms).
bool Eventually(const std::function<bool()>& condition, absl::Duration timeout);

// A job-set request.
api::JobSetRequest JobSetRequest(const std::string& queue, const std::string& job_set, bool watch,
                                 const std::string& from = "", bool error_if_missing = false);

}  // namespace armada::testing
