#pragma once

// Builders for the public api.EventMessage of each job state change, wrapped
// as event-log records. Fields are filled as Armada fills them.

#include <string>

#include "absl/time/time.h"
#include "api/event.pb.h"
#include "lib/store/job_store.h"

namespace armada::server {

// Which job and job set an event is about.
struct EventSubject {
  std::string job_id;
  std::string queue;
  std::string job_set;
};

// The fields every api event message starts with.
template <typename Event>
Event* InitEvent(Event* event, const EventSubject& subject, absl::Time at);

store::EventRecord ToRecord(const EventSubject& subject, const api::EventMessage& message);

api::EventMessage SubmittedEvent(const api::Job& job, absl::Time at);
api::EventMessage QueuedEvent(const EventSubject& s, absl::Time at);
api::EventMessage LeasedEvent(const EventSubject& s, absl::Time at, const std::string& executor,
                              const std::string& pool);
api::EventMessage CancellingEvent(const EventSubject& s, absl::Time at, const std::string& user,
                                  const std::string& reason);
api::EventMessage CancelledEvent(const EventSubject& s, absl::Time at, const std::string& user,
                                 const std::string& reason);

// Sets a google.protobuf.Timestamp from an absl::Time.
void SetTimestamp(google::protobuf::Timestamp* ts, absl::Time t);
absl::Time FromTimestamp(const google::protobuf::Timestamp& ts);

template <typename Event>
Event* InitEvent(Event* event, const EventSubject& subject, absl::Time at) {
  event->set_job_id(subject.job_id);
  event->set_queue(subject.queue);
  event->set_job_set_id(subject.job_set);
  SetTimestamp(event->mutable_created(), at);
  return event;
}

}  // namespace armada::server
