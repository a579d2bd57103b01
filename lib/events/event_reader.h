#pragma once

// Reads a job set's events from its Redis stream (filled by EventRelay).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/events/redis_client.h"

namespace armada::events {

struct StreamEvent {
  std::string id;       // the message id a client resumes from
  std::string message;  // serialized api.EventMessage
};

// Up to `count` events after `after_id` ("" = from the start). With a non-zero
// `block`, waits that long for the first event when none is there yet; an
// empty result then means none arrived in time.
absl::StatusOr<std::vector<StreamEvent>> ReadJobSetEvents(RedisClient& redis,
                                                          const std::string& queue,
                                                          const std::string& job_set,
                                                          const std::string& after_id, int count,
                                                          absl::Duration block);

// Whether the job set's stream exists (has ever had an event).
absl::StatusOr<bool> JobSetStreamExists(RedisClient& redis, const std::string& queue,
                                        const std::string& job_set);

}  // namespace armada::events
