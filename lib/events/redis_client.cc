#include "lib/events/redis_client.h"

#include <hiredis/hiredis.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/events/internal/redis_connection.h"

namespace armada::events {
namespace {

RedisReply Convert(const redisReply* reply) {
  RedisReply out;
  switch (reply->type) {
    case REDIS_REPLY_NIL:
      out.is_nil = true;
      break;
    case REDIS_REPLY_ERROR:
      out.is_error = true;
      out.str.assign(reply->str, reply->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.integer = reply->integer;
      out.str = std::to_string(reply->integer);
      break;
    case REDIS_REPLY_ARRAY:
      for (size_t i = 0; i < reply->elements; ++i)
        out.elements.push_back(Convert(reply->element[i]));
      break;
    default:  // string, status
      out.str.assign(reply->str, reply->len);
      break;
  }
  return out;
}

void Append(redisContext* context, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  redisAppendCommandArgv(context, static_cast<int>(args.size()), argv.data(), lengths.data());
}

}  // namespace

namespace {

// %XX escapes in the user info; kInvalidArgument for a malformed one.
absl::StatusOr<std::string> PercentDecode(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    int value = 0;
    if (i + 2 >= text.size() || !absl::SimpleHexAtoi(text.substr(i + 1, 2), &value)) {
      return absl::InvalidArgumentError("bad percent escape");
    }
    out.push_back(static_cast<char>(value));
    i += 2;
  }
  return out;
}

absl::StatusOr<bool> ParseFlag(absl::string_view value, absl::string_view yes,
                               absl::string_view no) {
  if (value == yes || value == "true" || value == "True" || value == "1") return true;
  if (value == no || value == "false" || value == "False" || value == "0") return false;
  return absl::InvalidArgumentError(absl::StrCat("unexpected value \"", value, "\""));
}

absl::Status ParseQuery(absl::string_view query, RedisAddress& address) {
  for (absl::string_view item : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(item, absl::MaxSplits('=', 1));
    absl::StatusOr<std::string> value = PercentDecode(kv.second);
    if (!value.ok()) return absl::InvalidArgumentError(absl::StrCat(kv.first, ": bad escape"));
    absl::StatusOr<bool> flag = true;
    if (kv.first == "ssl_ca_certs") {
      address.ca_file = *value;
    } else if (kv.first == "ssl_certfile") {
      address.cert_file = *value;
    } else if (kv.first == "ssl_keyfile") {
      address.key_file = *value;
    } else if (kv.first == "ssl_cert_reqs") {
      flag = ParseFlag(*value, "required", "none");
      if (flag.ok()) address.verify_peer = *flag;
    } else if (kv.first == "ssl_check_hostname") {
      flag = ParseFlag(*value, "true", "false");
      if (flag.ok()) address.check_hostname = *flag;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown query parameter ", kv.first));
    }
    if (!flag.ok())
      return absl::InvalidArgumentError(absl::StrCat(kv.first, ": ", flag.status().message()));
  }
  return absl::OkStatus();
}

}  // namespace

std::string RedactRedisUrl(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const size_t authority = scheme + 3;
  const size_t end = url.find_first_of("/?#", authority);
  const size_t at = url.rfind('@', end == std::string::npos ? url.size() : end);
  if (at == std::string::npos || at < authority) return url;
  const size_t colon = url.find(':', authority);
  if (colon == std::string::npos || colon > at) {
    // redis://secret@host: a bare password, as redis-py reads it
    return url.substr(0, authority) + "****" + url.substr(at);
  }
  return url.substr(0, colon + 1) + "****" + url.substr(at);
}

absl::StatusOr<RedisAddress> ParseRedisUrl(const std::string& url) {
  absl::string_view rest = url;
  RedisAddress address;
  auto bad = [&url](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat(what, " in redis url ", RedactRedisUrl(url)));
  };
  if (absl::ConsumePrefix(&rest, "rediss://")) {
    address.tls = true;
  } else if (!absl::ConsumePrefix(&rest, "redis://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis url must start with redis:// or rediss://: ", RedactRedisUrl(url)));
  }
  std::pair<absl::string_view, absl::string_view> path_query =
      absl::StrSplit(rest, absl::MaxSplits('?', 1));
  rest = path_query.first;
  if (absl::Status query = ParseQuery(path_query.second, address); !query.ok()) {
    return bad(query.message());
  }
  std::vector<absl::string_view> parts = absl::StrSplit(rest, absl::MaxSplits('/', 1));
  if (parts.size() == 2 && !parts[1].empty() && !absl::SimpleAtoi(parts[1], &address.db)) {
    return bad("bad database number");
  }
  absl::string_view authority = parts[0];
  if (const size_t at = authority.rfind('@'); at != absl::string_view::npos) {
    absl::string_view user_info = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    std::pair<absl::string_view, absl::string_view> user_password =
        absl::StrSplit(user_info, absl::MaxSplits(':', 1));
    const bool has_colon = user_info.find(':') != absl::string_view::npos;
    // redis://secret@host is a password alone (redis-py reads it so).
    absl::string_view user = has_colon ? user_password.first : "";
    absl::string_view password = has_colon ? user_password.second : user_info;
    absl::StatusOr<std::string> decoded_user = PercentDecode(user);
    absl::StatusOr<std::string> decoded_password = PercentDecode(password);
    if (!decoded_user.ok() || !decoded_password.ok()) return bad("bad percent escape in user info");
    address.username = *decoded_user;
    address.password = *decoded_password;
  }
  absl::string_view port;
  if (absl::ConsumePrefix(&authority, "[")) {  // [v6]:port
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) return bad("unclosed [");
    address.host = std::string(authority.substr(0, close));
    authority.remove_prefix(close + 1);
    if (!authority.empty() && !absl::ConsumePrefix(&authority, ":")) return bad("bad port");
    port = authority;
  } else {
    std::pair<absl::string_view, absl::string_view> host_port =
        absl::StrSplit(authority, absl::MaxSplits(':', 1));
    address.host = std::string(host_port.first);
    port = host_port.second;
  }
  if (address.host.empty()) return bad("no host");
  if (!port.empty() &&
      (!absl::SimpleAtoi(port, &address.port) || address.port < 1 || address.port > 65535)) {
    return bad("bad port");
  }
  if (!address.tls && (!address.ca_file.empty() || !address.cert_file.empty())) {
    return bad("ssl_* parameters need rediss://");
  }
  return address;
}

RedisClient::RedisClient(RedisAddress address) : address_(std::move(address)) {}

absl::StatusOr<std::unique_ptr<RedisClient>> RedisClient::Connect(const std::string& url) {
  auto address = ParseRedisUrl(url);
  if (!address.ok()) return address.status();
  std::unique_ptr<RedisClient> client(new RedisClient(std::move(*address)));
  absl::Status status = client->EnsureConnected();
  if (!status.ok()) return status;
  return client;
}

RedisClient::~RedisClient() { Disconnect(); }

void RedisClient::Disconnect() {
  connection_.reset();
  context_ = nullptr;
}

absl::Status RedisClient::EnsureConnected() {
  if (context_ && context_->err == 0) return absl::OkStatus();
  Disconnect();
  auto connection = internal::RedisConnection::Open(address_, absl::Seconds(5));
  if (!connection.ok()) return connection.status();
  connection_ = std::move(*connection);
  context_ = connection_->context();
  if (address_.db != 0) {
    auto reply = Command({"SELECT", std::to_string(address_.db)});
    if (!reply.ok()) return reply.status();
  }
  return absl::OkStatus();
}

absl::StatusOr<RedisReply> RedisClient::Command(const std::vector<std::string>& args) {
  auto replies = Pipeline({args});
  if (!replies.ok()) return replies.status();
  return std::move((*replies)[0]);
}

absl::StatusOr<std::vector<RedisReply>> RedisClient::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  absl::Status status = EnsureConnected();
  if (!status.ok()) return status;
  for (const auto& args : commands) Append(context_, args);
  std::vector<RedisReply> replies;
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) {
      std::string error = context_->errstr;
      Disconnect();
      return absl::UnavailableError(absl::StrCat("redis: ", error));
    }
    replies.push_back(Convert(static_cast<redisReply*>(raw)));
    freeReplyObject(raw);
  }
  return replies;
}

}  // namespace armada::events
