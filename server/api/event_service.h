#pragma once

// api.Event: a job set's events from its Redis stream, in order, resumable
// from any message id, on gRPC's callback API. Every stream is a reactor fed
// by one events::EventHub (owned here): no thread blocks per watcher, and the
// hub's few threads and Redis connections serve them all. Each stream has at
// most one write in flight and holds at most one batch (500 events); the next
// batch is read only when the last write of the previous one completes.
// A stream needs the queue's watch verb or watch_all_events.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "api/event.grpc.pb.h"
#include "lib/events/event_hub.h"
#include "server/api/caller_auth.h"

namespace armada::server {

class EventStream;

class EventService final : public api::Event::CallbackService {
 public:
  // Starts the hub (its threads connect to `redis_url` on their own, so this
  // never fails). `hub_options.redis_url` is set from `redis_url`.
  EventService(std::string redis_url, const CallerAuth& auth,
               events::EventHub::Options hub_options = {});
  // Shutdown(), then stops the hub.
  ~EventService() override;

  grpc::ServerWriteReactor<api::EventStreamMessage>* GetJobSetEvents(
      grpc::CallbackServerContext* context, const api::JobSetRequest* request) override;
  // Armada's deprecated Watch: GetJobSetEvents with watch and errorIfMissing.
  grpc::ServerWriteReactor<api::EventStreamMessage>* Watch(
      grpc::CallbackServerContext* context, const api::WatchRequest* request) override;
  grpc::ServerUnaryReactor* Health(grpc::CallbackServerContext* context,
                                   const google::protobuf::Empty* request,
                                   api::HealthCheckResponse* response) override;

  // Ends every open stream with UNAVAILABLE and refuses new ones, then waits
  // (up to `grace`) until each has been torn down. Call before
  // grpc::Server::Shutdown, whose own grace period would otherwise wait for
  // watch streams that never end. Idempotent; thread-safe.
  void Shutdown(absl::Duration grace = absl::Seconds(5));

  // Open streams (for tests and metrics).
  int active_streams() const;
  events::EventHub& hub() { return *hub_; }

 private:
  friend class EventStream;
  grpc::ServerWriteReactor<api::EventStreamMessage>* Open(grpc::CallbackServerContext& context,
                                                          const api::JobSetRequest& request);
  // Called by a stream: registered at start (false: shutting down), forgotten in OnDone.
  bool Register(EventStream* stream);
  void Forget(EventStream* stream);

  const CallerAuth& auth_;
  std::unique_ptr<events::EventHub> hub_;
  mutable std::mutex mu_;
  std::condition_variable drained_;
  bool shutting_down_ = false;                 // guarded by mu_
  absl::flat_hash_set<EventStream*> streams_;  // guarded by mu_
};

}  // namespace armada::server
