#include "server/jobs/job_events.h"

namespace armada::server {

void SetTimestamp(google::protobuf::Timestamp* ts, absl::Time t) {
  const int64_t micros = absl::ToUnixMicros(t);
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  ts->set_seconds(seconds);
  ts->set_nanos(static_cast<int32_t>(rest * 1000));
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

store::EventRecord ToRecord(const EventSubject& subject, const api::EventMessage& message) {
  return store::EventRecord{subject.queue, subject.job_set, subject.job_id,
                            message.SerializeAsString()};
}

api::EventMessage SubmittedEvent(const api::Job& job, absl::Time at) {
  api::EventMessage message;
  auto* event =
      InitEvent(message.mutable_submitted(), {job.id(), job.queue(), job.job_set_id()}, at);
  *event->mutable_job() = job;
  return message;
}

api::EventMessage QueuedEvent(const EventSubject& s, absl::Time at) {
  api::EventMessage message;
  InitEvent(message.mutable_queued(), s, at);
  return message;
}

api::EventMessage LeasedEvent(const EventSubject& s, absl::Time at, const std::string& executor,
                              const std::string& pool) {
  api::EventMessage message;
  auto* event = InitEvent(message.mutable_leased(), s, at);
  event->set_cluster_id(executor);
  event->set_pool(pool);
  return message;
}

api::EventMessage CancellingEvent(const EventSubject& s, absl::Time at, const std::string& user,
                                  const std::string& reason) {
  api::EventMessage message;
  auto* event = InitEvent(message.mutable_cancelling(), s, at);
  event->set_requestor(user);
  event->set_reason(reason);
  return message;
}

api::EventMessage CancelledEvent(const EventSubject& s, absl::Time at, const std::string& user,
                                 const std::string& reason) {
  api::EventMessage message;
  auto* event = InitEvent(message.mutable_cancelled(), s, at);
  event->set_requestor(user);
  event->set_reason(reason);
  return message;
}

}  // namespace armada::server
