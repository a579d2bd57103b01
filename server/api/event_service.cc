#include "server/api/event_service.h"

#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/api/grpc_status.h"

namespace armada::server {

// One GetJobSetEvents / Watch call. Fed by the hub one batch at a time; writes
// one message at a time; asks the hub for the next batch once the last write
// of the previous one has completed. Lives until OnDone, which unsubscribes it
// from the hub (so no hub call can reach it afterwards) before deleting it.
class EventStream final : public grpc::ServerWriteReactor<api::EventStreamMessage>,
                          public events::EventHub::Listener {
 public:
  explicit EventStream(EventService& service) : service_(service) {}

  // Validates the request and subscribes, or finishes at once.
  void Start(const api::JobSetRequest& request);
  // Finishes at once with `refusal` (the caller may not watch).
  void Refuse(const absl::Status& refusal) { EndWith(ToGrpcStatus(refusal)); }
  // Ends the stream with UNAVAILABLE (server shutting down).
  void Stop();

  void OnEvents(std::vector<events::StreamEvent> events) override;
  void OnEnd(absl::Status status) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  // Sets why the stream ends (the first reason wins), then pumps.
  void EndWith(grpc::Status status);
  // Takes the next step, if none is under way: a write, Finish, or a request
  // for the next batch. gRPC and the hub are called outside mu_.
  void Pump();

  EventService& service_;
  std::mutex mu_;
  bool subscribed_ = false;                 // guarded by mu_
  events::EventHub::Handle handle_ = 0;     // guarded by mu_
  std::vector<events::StreamEvent> batch_;  // guarded by mu_
  size_t next_ = 0;                         // guarded by mu_: batch_[next_] is unwritten
  bool requested_ = true;                   // guarded by mu_: the hub owes us a call
  bool writing_ = false;                    // guarded by mu_
  bool finishing_ = false;                  // guarded by mu_: Finish was called
  std::optional<grpc::Status> end_;         // guarded by mu_: finish once idle
  api::EventStreamMessage message_;         // the write in flight
};

void EventStream::Start(const api::JobSetRequest& request) {
  if (request.queue().empty() || request.id().empty()) {
    EndWith(
        ToGrpcStatus(absl::InvalidArgumentError("queue and id (the job set) must both be set")));
    return;
  }
  if (!service_.Register(this)) {
    EndWith(grpc::Status(grpc::StatusCode::UNAVAILABLE, "server shutting down"));
    return;
  }
  events::EventHub::Request subscription{request.queue(), request.id(), request.from_message_id(),
                                         request.watch(), request.errorifmissing()};
  // Under mu_, so that OnDone (which cannot run before this returns to gRPC)
  // and Pump see the handle.
  std::lock_guard lock(mu_);
  handle_ = service_.hub().Subscribe(std::move(subscription), this);
  subscribed_ = true;
}

void EventStream::Stop() {
  EndWith(grpc::Status(grpc::StatusCode::UNAVAILABLE, "server shutting down"));
}

void EventStream::OnEvents(std::vector<events::StreamEvent> events) {
  {
    std::lock_guard lock(mu_);
    requested_ = false;
    batch_ = std::move(events);
    next_ = 0;
  }
  Pump();
}

void EventStream::OnEnd(absl::Status status) {
  {
    std::lock_guard lock(mu_);
    requested_ = false;
  }
  EndWith(ToGrpcStatus(status));
}

void EventStream::OnWriteDone(bool ok) {
  {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (!ok && !end_) end_ = grpc::Status(grpc::StatusCode::CANCELLED, "write failed");
  }
  Pump();
}

void EventStream::OnCancel() { EndWith(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled")); }

void EventStream::OnDone() {
  bool subscribed;
  events::EventHub::Handle handle;
  {
    std::lock_guard lock(mu_);
    subscribed = subscribed_;
    handle = handle_;
  }
  // After this no hub call for us runs or will start.
  if (subscribed) service_.hub().Unsubscribe(handle);
  service_.Forget(this);
  delete this;
}

void EventStream::EndWith(grpc::Status status) {
  {
    std::lock_guard lock(mu_);
    if (!end_) end_ = std::move(status);
  }
  Pump();
}

void EventStream::Pump() {
  enum class Action { kNone, kWrite, kFinish, kRequest };
  Action action = Action::kNone;
  grpc::Status status;
  events::EventHub::Handle handle = 0;
  {
    std::lock_guard lock(mu_);
    if (finishing_ || writing_) return;
    if (end_) {
      finishing_ = true;
      status = *end_;
      action = Action::kFinish;
    } else if (next_ < batch_.size()) {
      const events::StreamEvent& event = batch_[next_++];
      message_.Clear();
      message_.set_id(event.id);
      if (message_.mutable_message()->ParseFromString(event.message)) {
        writing_ = true;
        action = Action::kWrite;
      } else {
        finishing_ = true;
        end_ = status =
            ToGrpcStatus(absl::DataLossError(absl::StrCat("event ", event.id, " is corrupt")));
        action = Action::kFinish;
      }
    } else if (!requested_ && subscribed_) {
      batch_.clear();
      next_ = 0;
      requested_ = true;
      handle = handle_;
      action = Action::kRequest;
    }
  }
  switch (action) {
    case Action::kWrite:
      StartWrite(&message_);
      break;
    case Action::kFinish:
      Finish(status);
      break;
    case Action::kRequest:
      service_.hub().RequestMore(handle);
      break;
    default:
      break;
  }
}

EventService::EventService(std::string redis_url, const CallerAuth& auth,
                           events::EventHub::Options hub_options)
    : auth_(auth) {
  hub_options.redis_url = std::move(redis_url);
  hub_ = std::make_unique<events::EventHub>(std::move(hub_options));
}

EventService::~EventService() {
  Shutdown();
  {
    // A stream still open here would call into the hub after it is gone; the
    // gRPC server (shut down before this) cancels them all, so wait for that.
    std::unique_lock lock(mu_);
    drained_.wait(lock, [&] { return streams_.empty(); });
  }
  hub_->Stop();
}

grpc::ServerWriteReactor<api::EventStreamMessage>* EventService::Open(
    grpc::CallbackServerContext& context, const api::JobSetRequest& request) {
  auto* stream = new EventStream(*this);
  // An empty queue is Start's INVALID_ARGUMENT, once the caller is known.
  absl::Status allowed =
      request.queue().empty()
          ? auth_.Authenticate(context).status()
          : auth_
                .RequireOnQueue(context, request.queue(), auth::Permission::kWatchAllEvents,
                                auth::QueueVerb::kWatch)
                .status();
  if (allowed.ok()) {
    stream->Start(request);
  } else {
    stream->Refuse(allowed);
  }
  return stream;
}

grpc::ServerWriteReactor<api::EventStreamMessage>* EventService::GetJobSetEvents(
    grpc::CallbackServerContext* context, const api::JobSetRequest* request) {
  return Open(*context, *request);
}

grpc::ServerWriteReactor<api::EventStreamMessage>* EventService::Watch(
    grpc::CallbackServerContext* context, const api::WatchRequest* request) {
  api::JobSetRequest job_set;
  job_set.set_queue(request->queue());
  job_set.set_id(request->job_set_id());
  job_set.set_from_message_id(request->from_id());
  job_set.set_watch(true);
  job_set.set_errorifmissing(true);
  return Open(*context, job_set);
}

grpc::ServerUnaryReactor* EventService::Health(grpc::CallbackServerContext* context,
                                               const google::protobuf::Empty*,
                                               api::HealthCheckResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (absl::Status caller = auth_.Authenticate(*context).status(); !caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller));
    return reactor;
  }
  response->set_status(api::HealthCheckResponse::SERVING);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

void EventService::Shutdown(absl::Duration grace) {
  std::unique_lock lock(mu_);
  shutting_down_ = true;
  // Under mu_: a stream cannot be deleted meanwhile (its OnDone waits in
  // Forget), and Finish never runs OnDone on the calling thread.
  for (EventStream* stream : streams_) stream->Stop();
  drained_.wait_for(lock, absl::ToChronoMilliseconds(grace), [&] { return streams_.empty(); });
}

int EventService::active_streams() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(streams_.size());
}

bool EventService::Register(EventStream* stream) {
  std::lock_guard lock(mu_);
  if (shutting_down_) return false;
  streams_.insert(stream);
  return true;
}

void EventService::Forget(EventStream* stream) {
  std::lock_guard lock(mu_);
  streams_.erase(stream);
  if (streams_.empty()) drained_.notify_all();
}

}  // namespace armada::server
