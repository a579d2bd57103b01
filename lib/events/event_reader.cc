#include "lib/events/event_reader.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/events/event_relay.h"

namespace armada::events {

std::optional<StreamId> ParseStreamId(absl::string_view text) {
  StreamId id;
  const size_t dash = text.find('-');
  if (!absl::SimpleAtoi(text.substr(0, dash), &id.ms)) return std::nullopt;
  if (dash != absl::string_view::npos && !absl::SimpleAtoi(text.substr(dash + 1), &id.seq)) {
    return std::nullopt;
  }
  return id;
}

std::vector<std::string> XReadCommand(const std::string& key, const std::string& after_id,
                                      int count) {
  return {"XREAD",   "COUNT", std::to_string(count),
          "STREAMS", key,     after_id.empty() ? "0-0" : after_id};
}

absl::StatusOr<std::vector<StreamEvent>> EventsFromXRead(const RedisReply& reply,
                                                         const std::string& after_id) {
  if (reply.is_error) {
    return absl::InvalidArgumentError(
        absl::StrCat("reading events after message id '", after_id, "': ", reply.str));
  }
  std::vector<StreamEvent> events;
  if (reply.is_nil || reply.elements.empty()) return events;
  // [[key, [[id, [field, value, ...]], ...]]]
  const RedisReply& stream = reply.elements[0];
  if (stream.elements.size() < 2) return events;
  for (const RedisReply& entry : stream.elements[1].elements) {
    if (entry.elements.size() < 2) continue;
    StreamEvent event{entry.elements[0].str, ""};
    const auto& fields = entry.elements[1].elements;
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].str == "m") event.message = fields[i + 1].str;
    }
    events.push_back(std::move(event));
  }
  return events;
}

absl::StatusOr<std::vector<StreamEvent>> ReadJobSetEvents(RedisClient& redis,
                                                          const std::string& queue,
                                                          const std::string& job_set,
                                                          const std::string& after_id, int count,
                                                          absl::Duration block) {
  std::vector<std::string> args = XReadCommand(JobSetStreamKey(queue, job_set), after_id, count);
  if (block > absl::ZeroDuration()) {
    args.insert(args.begin() + 3, {"BLOCK", std::to_string(absl::ToInt64Milliseconds(block))});
  }
  auto reply = redis.Command(args);
  if (!reply.ok()) return reply.status();
  return EventsFromXRead(*reply, after_id);
}

absl::StatusOr<bool> JobSetStreamExists(RedisClient& redis, const std::string& queue,
                                        const std::string& job_set) {
  auto reply = redis.Command({"EXISTS", JobSetStreamKey(queue, job_set)});
  if (!reply.ok()) return reply.status();
  return reply->integer > 0;
}

}  // namespace armada::events
