#pragma once

// One hiredis connection to a RedisAddress: plain TCP, or TLS through a
// net::TlsBridge (hiredis 0.14 speaks only plaintext, to a socketpair here),
// logged in with AUTH when the address has a password.

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/events/redis_client.h"

struct redisContext;

namespace armada::net {
class TlsBridge;
}

namespace armada::events::internal {

// Not thread-safe: one owner.
class RedisConnection {
 public:
  // kUnavailable when Redis cannot be reached or the TLS handshake fails,
  // kUnauthenticated when AUTH is refused, kInvalidArgument for an unusable
  // CA or key file. Messages never contain the password.
  static absl::StatusOr<std::unique_ptr<RedisConnection>> Open(const RedisAddress& address,
                                                               absl::Duration timeout);
  // Closes the hiredis context (which ends the TLS session), then the bridge.
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  redisContext* context() const { return context_; }

 private:
  RedisConnection(redisContext* context, std::unique_ptr<net::TlsBridge> bridge);

  redisContext* context_;
  std::unique_ptr<net::TlsBridge> bridge_;  // null for plain TCP
};

}  // namespace armada::events::internal
