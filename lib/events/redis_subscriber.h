#pragma once

// One Redis connection subscribed to one pub/sub channel, read with a timeout
// so the thread that owns it can also keep a timer and notice a stop request.

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

struct redisContext;

namespace armada::events {
namespace internal {
class RedisConnection;
}

// Not thread-safe: one thread owns it. Cheap to keep idle (a socket).
class RedisSubscriber {
 public:
  // Connects to `url` (as ParseRedisUrl: redis[s]://[user:password@]host:port[/db];
  // the database does not matter to pub/sub) and subscribes to `channel`. kUnavailable when Redis
  // cannot be reached, kUnauthenticated when AUTH is refused, kInvalidArgument for a bad URL.
  static absl::StatusOr<std::unique_ptr<RedisSubscriber>> Connect(const std::string& url,
                                                                  const std::string& channel);
  ~RedisSubscriber();
  RedisSubscriber(const RedisSubscriber&) = delete;
  RedisSubscriber& operator=(const RedisSubscriber&) = delete;

  // Waits at most `timeout` for the next message on the channel and returns
  // its payload; nullopt when none came in time. kUnavailable when the
  // connection is lost: the subscriber is then unusable (connect again), and
  // messages published meanwhile are lost, as pub/sub never replays.
  absl::StatusOr<std::optional<std::string>> Next(absl::Duration timeout);

 private:
  explicit RedisSubscriber(std::unique_ptr<internal::RedisConnection> connection);

  std::unique_ptr<internal::RedisConnection> connection_;
  redisContext* context_;  // connection_'s
};

}  // namespace armada::events
