#include "lib/events/internal/redis_connection.h"

#include <hiredis/hiredis.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "lib/net/tls_bridge.h"

namespace armada::events::internal {
namespace {

absl::StatusOr<redisContext*> Dial(const RedisAddress& address, absl::Duration timeout,
                                   std::unique_ptr<net::TlsBridge>& bridge) {
  const std::string where = absl::StrCat("redis ", address.host, ":", address.port);
  redisContext* context = nullptr;
  if (address.tls) {
    absl::StatusOr<std::unique_ptr<net::TlsBridge>> tls =
        net::TlsBridge::Connect({.host = address.host,
                                 .port = address.port,
                                 .ca_file = address.ca_file,
                                 .cert_file = address.cert_file,
                                 .key_file = address.key_file,
                                 .verify_peer = address.verify_peer,
                                 .check_hostname = address.check_hostname,
                                 .connect_timeout = timeout});
    if (!tls.ok()) {
      return absl::Status(tls.status().code(), absl::StrCat(where, ": ", tls.status().message()));
    }
    bridge = std::move(*tls);
    const int fd = bridge->TakeLocalFd();
    context = redisConnectFd(fd);  // owns fd from here: redisFree closes it
    if (context == nullptr) close(fd);
  } else {
    context = redisConnectWithTimeout(address.host.c_str(), address.port, absl::ToTimeval(timeout));
  }
  if (context == nullptr || context->err) {
    std::string error = context ? context->errstr : "out of memory";
    if (context) redisFree(context);
    bridge.reset();
    return absl::UnavailableError(absl::StrCat(where, ": ", error));
  }
  return context;
}

absl::Status Authenticate(redisContext* context, const RedisAddress& address) {
  if (address.password.empty() && address.username.empty()) return absl::OkStatus();
  std::vector<const char*> argv = {"AUTH"};
  std::vector<size_t> lengths = {4};
  if (!address.username.empty()) {
    argv.push_back(address.username.data());
    lengths.push_back(address.username.size());
  }
  argv.push_back(address.password.data());
  lengths.push_back(address.password.size());
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(context, static_cast<int>(argv.size()), argv.data(), lengths.data()));
  if (reply == nullptr) {
    return absl::UnavailableError(absl::StrCat("redis AUTH: ", context->errstr));
  }
  const bool refused = reply->type == REDIS_REPLY_ERROR;
  // Redis's reply names no secret ("WRONGPASS invalid username-password pair").
  std::string error = refused ? std::string(reply->str, reply->len) : "";
  freeReplyObject(reply);
  if (refused) {
    return absl::UnauthenticatedError(
        absl::StrCat("redis AUTH", address.username.empty() ? "" : " as " + address.username,
                     " refused: ", error));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<RedisConnection>> RedisConnection::Open(const RedisAddress& address,
                                                                       absl::Duration timeout) {
  std::unique_ptr<net::TlsBridge> bridge;
  absl::StatusOr<redisContext*> context = Dial(address, timeout, bridge);
  if (!context.ok()) return context.status();
  std::unique_ptr<RedisConnection> connection(new RedisConnection(*context, std::move(bridge)));
  // AUTH and SELECT must not wait forever on a server that went quiet.
  redisSetTimeout(*context, absl::ToTimeval(timeout));
  absl::Status auth = Authenticate(*context, address);
  if (!auth.ok()) return auth;
  return connection;
}

RedisConnection::RedisConnection(redisContext* context, std::unique_ptr<net::TlsBridge> bridge)
    : context_(context), bridge_(std::move(bridge)) {}

RedisConnection::~RedisConnection() {
  redisFree(context_);
  bridge_.reset();
}

}  // namespace armada::events::internal
