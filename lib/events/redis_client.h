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
namespace internal {
class RedisConnection;
}

// A reply as a tree: strings and integers as text, arrays as elements,
// nil as is_nil, an error reply as is_error with its message in `str`.
struct RedisReply {
  bool is_nil = false;
  bool is_error = false;
  std::string str;
  long long integer = 0;
  std::vector<RedisReply> elements;
};

// Where a redis:// or rediss:// URL points, and how to log in.
struct RedisAddress {
  std::string host;
  int port = 6379;
  int db = 0;
  // AUTH username password (Redis 6 ACL), or AUTH password when username is
  // empty; no AUTH when both are empty.
  std::string username;
  std::string password;
  // rediss://: TLS (through net::TlsBridge, as hiredis 0.14 has none).
  bool tls = false;
  // Query parameters, named as redis-py names them so that Python tools
  // take the same URL: ssl_ca_certs, ssl_certfile, ssl_keyfile,
  // ssl_cert_reqs (required, the default, or none) and ssl_check_hostname
  // (true, the default, or false).
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  bool verify_peer = true;
  bool check_hostname = true;
};

// Parses redis[s]://[[user]:password@]host[:port][/db][?query], with the
// user and password percent-decoded. kInvalidArgument names what is wrong
// (quoting the URL with its password masked).
absl::StatusOr<RedisAddress> ParseRedisUrl(const std::string& url);

// `url` with the password of its user info replaced by "****", for logs
// and error messages; unchanged when it has none.
std::string RedactRedisUrl(const std::string& url);

class RedisClient {
 public:
  // url: as ParseRedisUrl. Connects (and AUTHs) at once; kUnavailable when
  // Redis cannot be reached or TLS fails, kUnauthenticated when AUTH is
  // refused, kInvalidArgument for a bad URL.
  static absl::StatusOr<std::unique_ptr<RedisClient>> Connect(const std::string& url);
  ~RedisClient();

  // Sends one command; a Redis error reply is returned as a reply (is_error),
  // a lost connection as kUnavailable.
  absl::StatusOr<RedisReply> Command(const std::vector<std::string>& args);

  // Sends several commands in one round trip and returns their replies in order.
  absl::StatusOr<std::vector<RedisReply>> Pipeline(
      const std::vector<std::vector<std::string>>& commands);

 private:
  explicit RedisClient(RedisAddress address);
  absl::Status EnsureConnected();
  void Disconnect();

  const RedisAddress address_;
  std::unique_ptr<internal::RedisConnection> connection_;
  redisContext* context_ = nullptr;  // connection_'s, while connected
};

}  // namespace armada::events
