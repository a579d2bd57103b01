#pragma once

// A minimal synchronous Redis client over hiredis. One connection, not
// thread-safe: give each thread its own. Reconnects on the next command after
// a connection error.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct redisContext;

namespace armada::events {

// A reply as a tree: strings and integers as text, arrays as elements,
// nil as is_nil, an error reply as is_error with its message in `str`.
struct RedisReply {
  bool is_nil = false;
  bool is_error = false;
  std::string str;
  long long integer = 0;
  std::vector<RedisReply> elements;
};

// Where a redis:// URL points.
struct RedisAddress {
  std::string host;
  int port = 6379;
  int db = 0;
};

// Parses redis://host[:port][/db]. kInvalidArgument names what is wrong.
absl::StatusOr<RedisAddress> ParseRedisUrl(const std::string& url);

class RedisClient {
 public:
  // url: redis://host:port[/db]. Connects at once; kUnavailable on failure.
  static absl::StatusOr<std::unique_ptr<RedisClient>> Connect(const std::string& url);
  ~RedisClient();

  // Sends one command; a Redis error reply is returned as a reply (is_error),
  // a lost connection as kUnavailable.
  absl::StatusOr<RedisReply> Command(const std::vector<std::string>& args);

  // Sends several commands in one round trip and returns their replies in order.
  absl::StatusOr<std::vector<RedisReply>> Pipeline(
      const std::vector<std::vector<std::string>>& commands);

 private:
  RedisClient(std::string host, int port, int db) : host_(std::move(host)), port_(port), db_(db) {}
  absl::Status EnsureConnected();

  std::string host_;
  int port_;
  int db_;
  redisContext* context_ = nullptr;
};

}  // namespace armada::events
