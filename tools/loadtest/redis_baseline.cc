#include "tools/loadtest/redis_baseline.h"

#include <hiredis/hiredis.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/loadtest/stats.h"

namespace armada::loadtest {
namespace {

using Connection = std::unique_ptr<redisContext, decltype(&redisFree)>;
using Reply = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

absl::StatusOr<Connection> Connect(const RedisBaselineOptions& options) {
  Connection c(redisConnect(options.host.c_str(), options.port), &redisFree);
  if (c == nullptr || c->err) {
    return absl::UnavailableError(
        absl::StrCat("redis ", options.host, ":", options.port, ": ", c ? c->errstr : "no memory"));
  }
  return c;
}

// Reads `count` entries of `key`, recording each one's delay in ms.
void ReadStream(redisContext* c, const std::string& key, int count, std::vector<double>& delays) {
  std::string last = "0-0";
  while (static_cast<int>(delays.size()) < count) {
    Reply reply(static_cast<redisReply*>(redisCommand(
                    c, "XREAD BLOCK 10000 COUNT 100 STREAMS %s %s", key.c_str(), last.c_str())),
                &freeReplyObject);
    const int64_t now = NowMicros();
    if (!reply) return;                              // connection lost
    if (reply->type != REDIS_REPLY_ARRAY) continue;  // timeout (nil)
    redisReply* entries = reply->element[0]->element[1];
    for (size_t i = 0; i < entries->elements; ++i) {
      redisReply* entry = entries->element[i];
      last = entry->element[0]->str;
      redisReply* fields = entry->element[1];
      if (fields->elements < 2) continue;
      delays.push_back(static_cast<double>(now - std::stoll(fields->element[1]->str)) / 1000.0);
    }
  }
}

}  // namespace

absl::StatusOr<RedisBaselineResult> RunRedisBaseline(const RedisBaselineOptions& options) {
  auto writer = Connect(options);
  if (!writer.ok()) return writer.status();
  auto key = [](int i) { return absl::StrCat("armada-loadtest:", i); };
  for (int i = 0; i < options.readers; ++i) {
    freeReplyObject(redisCommand(writer->get(), "DEL %s", key(i).c_str()));
  }
  std::vector<std::vector<double>> delays(options.readers);
  std::vector<std::thread> readers;
  std::atomic<int> connected = 0;
  std::atomic<bool> failed = false;
  for (int i = 0; i < options.readers; ++i) {
    readers.emplace_back([&, i] {
      auto c = Connect(options);
      if (!c.ok()) {
        failed = true;
        ++connected;
        return;
      }
      ++connected;
      ReadStream(c->get(), key(i), options.events_per_reader, delays[i]);
    });
  }
  while (connected.load() < options.readers)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (failed) {
    for (auto& t : readers) t.detach();
    return absl::UnavailableError("redis: a reader could not connect");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // readers block in XREAD

  const long total = static_cast<long>(options.readers) * options.events_per_reader;
  const auto start = std::chrono::steady_clock::now();
  const int kPipeline = 100;  // XADDs written before their replies are read
  long sent = 0;
  for (int round = 0; round < options.events_per_reader; ++round) {
    for (int i = 0; i < options.readers; i += kPipeline) {
      const int n = std::min(kPipeline, options.readers - i);
      if (options.rate > 0) {
        const auto due = start + std::chrono::duration<double>(sent / options.rate);
        std::this_thread::sleep_until(due);
      }
      for (int j = 0; j < n; ++j) {
        const std::string now = std::to_string(NowMicros());
        redisAppendCommand(writer->get(), "XADD %s * t %s", key(i + j).c_str(), now.c_str());
      }
      for (int j = 0; j < n; ++j) {
        void* reply = nullptr;
        if (redisGetReply(writer->get(), &reply) != REDIS_OK) {
          return absl::UnavailableError("redis: XADD failed");
        }
        freeReplyObject(reply);
      }
      sent += n;
    }
  }
  for (auto& t : readers) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (int i = 0; i < options.readers; ++i) {
    freeReplyObject(redisCommand(writer->get(), "DEL %s", key(i).c_str()));
  }
  std::vector<double> all;
  all.reserve(total);
  for (auto& d : delays) all.insert(all.end(), d.begin(), d.end());
  RedisBaselineResult result;
  result.events = static_cast<long>(all.size());
  result.seconds = seconds;
  result.delay_p50_ms = Percentile(all, 50);
  result.delay_p99_ms = Percentile(all, 99);
  return result;
}

}  // namespace armada::loadtest
