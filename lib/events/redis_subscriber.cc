#include "lib/events/redis_subscriber.h"

#include <hiredis/hiredis.h>
#include <poll.h>

#include <cerrno>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/events/internal/redis_connection.h"
#include "lib/events/redis_client.h"

namespace armada::events {
namespace {

bool IsMessage(const redisReply* reply) {
  return reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
         reply->element[0]->type == REDIS_REPLY_STRING &&
         std::string_view(reply->element[0]->str, reply->element[0]->len) == "message" &&
         reply->element[2]->type == REDIS_REPLY_STRING;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RedisSubscriber>> RedisSubscriber::Connect(
    const std::string& url, const std::string& channel) {
  auto address = ParseRedisUrl(url);
  if (!address.ok()) return address.status();
  timeval timeout{5, 0};
  auto connection = internal::RedisConnection::Open(*address, absl::Seconds(5));
  if (!connection.ok()) return connection.status();
  redisContext* context = (*connection)->context();
  std::unique_ptr<RedisSubscriber> subscriber(new RedisSubscriber(std::move(*connection)));
  // The confirmation must come back before anything is published for us.
  redisSetTimeout(context, timeout);
  const char* argv[] = {"SUBSCRIBE", channel.data()};
  const size_t lengths[] = {9, channel.size()};
  auto* reply = static_cast<redisReply*>(redisCommandArgv(context, 2, argv, lengths));
  if (reply == nullptr) {
    return absl::UnavailableError(absl::StrCat("redis SUBSCRIBE ", channel, ": ", context->errstr));
  }
  const bool ok = reply->type == REDIS_REPLY_ARRAY;
  freeReplyObject(reply);
  if (!ok) return absl::InternalError(absl::StrCat("redis SUBSCRIBE ", channel, " refused"));
  return subscriber;
}

RedisSubscriber::RedisSubscriber(std::unique_ptr<internal::RedisConnection> connection)
    : connection_(std::move(connection)), context_(connection_->context()) {}

RedisSubscriber::~RedisSubscriber() = default;

absl::StatusOr<std::optional<std::string>> RedisSubscriber::Next(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    void* raw = nullptr;
    // First whatever is already buffered, without touching the socket.
    if (context_->err || redisGetReplyFromReader(context_, &raw) != REDIS_OK) {
      return absl::UnavailableError(absl::StrCat("redis subscriber: ", context_->errstr));
    }
    if (raw != nullptr) {
      auto* reply = static_cast<redisReply*>(raw);
      std::optional<std::string> payload;
      if (IsMessage(reply)) payload.emplace(reply->element[2]->str, reply->element[2]->len);
      freeReplyObject(reply);
      if (payload) return payload;
      continue;  // a subscription confirmation or a pong: not a message
    }
    const int64_t wait_ms = std::max<int64_t>(0, absl::ToInt64Milliseconds(deadline - absl::Now()));
    pollfd fd{context_->fd, POLLIN, 0};
    const int ready = poll(&fd, 1, static_cast<int>(wait_ms));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return absl::UnavailableError("redis subscriber: poll failed");
    if (ready == 0) return std::nullopt;
    if (redisBufferRead(context_) != REDIS_OK) {
      return absl::UnavailableError(absl::StrCat("redis subscriber: ", context_->errstr));
    }
  }
}

}  // namespace armada::events
