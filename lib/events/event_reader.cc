#include "lib/events/event_reader.h"

#include "absl/strings/str_cat.h"
#include "lib/events/event_relay.h"

namespace armada::events {

absl::StatusOr<std::vector<StreamEvent>> ReadJobSetEvents(RedisClient& redis,
                                                          const std::string& queue,
                                                          const std::string& job_set,
                                                          const std::string& after_id, int count,
                                                          absl::Duration block) {
  std::vector<std::string> args = {"XREAD", "COUNT", std::to_string(count)};
  if (block > absl::ZeroDuration()) {
    args.push_back("BLOCK");
    args.push_back(std::to_string(absl::ToInt64Milliseconds(block)));
  }
  args.push_back("STREAMS");
  args.push_back(JobSetStreamKey(queue, job_set));
  args.push_back(after_id.empty() ? "0-0" : after_id);
  auto reply = redis.Command(args);
  if (!reply.ok()) return reply.status();
  if (reply->is_error) {
    return absl::InvalidArgumentError(
        absl::StrCat("reading events after message id '", after_id, "': ", reply->str));
  }
  std::vector<StreamEvent> events;
  if (reply->is_nil || reply->elements.empty()) return events;
  // [[key, [[id, [field, value, ...]], ...]]]
  for (const RedisReply& entry : reply->elements[0].elements[1].elements) {
    StreamEvent event{entry.elements[0].str, ""};
    const auto& fields = entry.elements[1].elements;
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].str == "m") event.message = fields[i + 1].str;
    }
    events.push_back(std::move(event));
  }
  return events;
}

absl::StatusOr<bool> JobSetStreamExists(RedisClient& redis, const std::string& queue,
                                        const std::string& job_set) {
  auto reply = redis.Command({"EXISTS", JobSetStreamKey(queue, job_set)});
  if (!reply.ok()) return reply.status();
  return reply->integer > 0;
}

}  // namespace armada::events
