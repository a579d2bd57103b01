#pragma once

// Reads a job set's events from its Redis stream (filled by EventRelay).

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/events/redis_client.h"

namespace armada::events {

struct StreamEvent {
  std::string id;       // the message id a client resumes from
  std::string message;  // serialized api.EventMessage
};

// A Redis stream id, "<ms>-<seq>", ordered as Redis orders them.
struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;
  auto operator<=>(const StreamId&) const = default;
};

// nullopt when `text` is not "<ms>-<seq>" (or a bare "<ms>", which Redis reads as "<ms>-0").
std::optional<StreamId> ParseStreamId(absl::string_view text);

// XREAD COUNT `count` STREAMS `key` `after_id` ("" = from the start), without BLOCK.
std::vector<std::string> XReadCommand(const std::string& key, const std::string& after_id,
                                      int count);

// The events of an XREAD reply for one stream, in stream order. A nil reply
// (nothing after the id) gives none. kInvalidArgument for an error reply (a
// malformed id); `after_id` is named in the message.
absl::StatusOr<std::vector<StreamEvent>> EventsFromXRead(const RedisReply& reply,
                                                         const std::string& after_id);

// Up to `count` events after `after_id` ("" = from the start). With a non-zero
// `block`, waits that long for the first event when none is there yet; an
// empty result then means none arrived in time.
absl::StatusOr<std::vector<StreamEvent>> ReadJobSetEvents(RedisClient& redis,
                                                          const std::string& queue,
                                                          const std::string& job_set,
                                                          const std::string& after_id, int count,
                                                          absl::Duration block);

// Whether the job set's stream exists (has an event that retention has not pruned).
absl::StatusOr<bool> JobSetStreamExists(RedisClient& redis, const std::string& queue,
                                        const std::string& job_set);

}  // namespace armada::events
