#include "lib/events/redis_client.h"

#include <hiredis/hiredis.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

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

absl::StatusOr<RedisAddress> ParseRedisUrl(const std::string& url) {
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "redis://")) {
    return absl::InvalidArgumentError(absl::StrCat("redis url must start with redis://: ", url));
  }
  RedisAddress address;
  std::vector<std::string> parts = absl::StrSplit(rest, absl::MaxSplits('/', 1));
  if (parts.size() == 2 && !parts[1].empty() && !absl::SimpleAtoi(parts[1], &address.db)) {
    return absl::InvalidArgumentError(absl::StrCat("bad database number in redis url: ", url));
  }
  std::vector<std::string> host_port = absl::StrSplit(parts[0], absl::MaxSplits(':', 1));
  address.host = host_port[0];
  if (host_port.size() == 2 && !absl::SimpleAtoi(host_port[1], &address.port)) {
    return absl::InvalidArgumentError(absl::StrCat("bad port in redis url: ", url));
  }
  return address;
}

absl::StatusOr<std::unique_ptr<RedisClient>> RedisClient::Connect(const std::string& url) {
  auto address = ParseRedisUrl(url);
  if (!address.ok()) return address.status();
  std::unique_ptr<RedisClient> client(new RedisClient(address->host, address->port, address->db));
  absl::Status status = client->EnsureConnected();
  if (!status.ok()) return status;
  return client;
}

RedisClient::~RedisClient() {
  if (context_) redisFree(context_);
}

absl::Status RedisClient::EnsureConnected() {
  if (context_ && context_->err == 0) return absl::OkStatus();
  if (context_) redisFree(context_);
  timeval timeout{5, 0};
  context_ = redisConnectWithTimeout(host_.c_str(), port_, timeout);
  if (!context_ || context_->err) {
    std::string error = context_ ? context_->errstr : "out of memory";
    if (context_) redisFree(context_);
    context_ = nullptr;
    return absl::UnavailableError(absl::StrCat("redis ", host_, ":", port_, ": ", error));
  }
  if (db_ != 0) {
    auto reply = Command({"SELECT", std::to_string(db_)});
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
      redisFree(context_);
      context_ = nullptr;
      return absl::UnavailableError(absl::StrCat("redis: ", error));
    }
    replies.push_back(Convert(static_cast<redisReply*>(raw)));
    freeReplyObject(raw);
  }
  return replies;
}

}  // namespace armada::events
