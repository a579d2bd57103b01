#include "lib/events/event_relay.h"

#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/events/wakeup.h"
#include "lib/store/job_store.h"
#include "spdlog/spdlog.h"

namespace armada::events {
namespace {

constexpr char kCursorKey[] = "armada:relay:cursor";

class NotifyReceiver : public pqxx::notification_receiver {
 public:
  explicit NotifyReceiver(pqxx::connection_base& c)
      : pqxx::notification_receiver(c, "job_events") {}
  void operator()(const std::string&, int) override {}
};

// The distinct stream keys of the first `count` XADD commands, in first-seen order.
std::vector<std::string> GrownStreams(const std::vector<std::vector<std::string>>& commands,
                                      size_t count) {
  std::vector<std::string> keys;
  absl::flat_hash_set<std::string_view> seen;
  for (size_t i = 0; i < count; ++i) {
    if (seen.insert(commands[i][1]).second) keys.push_back(commands[i][1]);
  }
  return keys;
}

}  // namespace

std::string JobSetStreamKey(const std::string& queue, const std::string& job_set) {
  return absl::StrCat("events:", queue, ":", job_set);
}

EventRelay::EventRelay(store::Database& db, std::unique_ptr<RedisClient> redis, Options options)
    : db_(db), redis_(std::move(redis)), options_(options) {}

absl::StatusOr<int64_t> ReadRelayCursor(RedisClient& redis) {
  auto reply = redis.Command({"GET", kCursorKey});
  if (!reply.ok()) return reply.status();
  if (reply->is_error) {
    return absl::UnavailableError(absl::StrCat("GET ", kCursorKey, ": ", reply->str));
  }
  int64_t cursor = 0;
  if (!reply->is_nil && !absl::SimpleAtoi(reply->str, &cursor)) cursor = 0;
  return cursor;
}

absl::StatusOr<int64_t> EventRelay::PublishPending() {
  auto read_cursor = ReadRelayCursor(*redis_);
  if (!read_cursor.ok()) return read_cursor.status();
  int64_t cursor = *read_cursor;
  // A cursor beyond PostgreSQL's log means Redis has published events that
  // PostgreSQL no longer has (it lost commits: restored to an earlier point,
  // or run without synchronous commits), or Redis comes from another
  // database. New events must not reuse those numbers (Redis would refuse
  // them as already published), so the log's sequence moves past the cursor;
  // and what was published below it is unknown, so the whole log is offered
  // again (events already in a stream are refused).
  int64_t logged = 0;
  absl::Status read = db_.Run([&](pqxx::work& tx) {
    logged = store::LastEventSeq(tx);
    if (cursor > logged) store::AdvanceEventSeq(tx, cursor);
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  if (cursor > logged) {
    spdlog::error(
        "event relay: the cursor in Redis ({}) is beyond PostgreSQL's event log ({}); "
        "new events are numbered after {}, and the log is published again",
        cursor, logged, cursor);
    cursor = 0;
  }

  int64_t published = 0;
  while (true) {
    std::vector<std::vector<std::string>> commands;
    int64_t last = cursor;
    absl::Status status = db_.Run([&](pqxx::work& tx) {
      commands.clear();
      for (auto& event : store::EventsAfter(tx, cursor, options_.batch_size)) {
        last = event.seq;
        commands.push_back({"XADD", JobSetStreamKey(event.queue, event.job_set),
                            absl::StrCat(last, "-0"), "m", std::move(event.message)});
      }
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    if (commands.empty()) return published;

    const size_t added = commands.size();
    commands.push_back({"SET", kCursorKey, std::to_string(last)});
    // One wake-up per batch, after the cursor: every replica's hub reads the
    // streams named, so its watchers see the new events.
    commands.push_back({"PUBLISH", kWakeupChannel, EncodeWakeup(GrownStreams(commands, added))});
    auto replies = redis_->Pipeline(commands);
    if (!replies.ok()) return replies.status();
    for (size_t i = 0; i < added; ++i) {
      const RedisReply& reply = (*replies)[i];
      // "equal or smaller than the target stream top item": already published.
      if (reply.is_error && !absl::StrContains(reply.str, "equal or smaller")) {
        return absl::InternalError(absl::StrCat("XADD ", commands[i][1], ": ", reply.str));
      }
    }
    published += static_cast<int64_t>(added);
    cursor = last;
    if (static_cast<int>(added) < options_.batch_size) return published;
  }
}

void EventRelay::Run(const std::atomic<bool>& stop) {
  std::unique_ptr<pqxx::connection> listener;
  std::unique_ptr<NotifyReceiver> wakeup;
  const auto idle_micros = absl::ToInt64Microseconds(options_.idle_poll);
  while (!stop.load()) {
    try {
      if (!listener || !listener->is_open()) {
        wakeup.reset();
        listener = std::make_unique<pqxx::connection>(db_.url());
        wakeup = std::make_unique<NotifyReceiver>(*listener);
      }
    } catch (const std::exception& e) {
      spdlog::warn("event relay: cannot listen for new events: {}", e.what());
      listener.reset();
    }
    auto published = PublishPending();
    if (!published.ok()) {
      spdlog::warn("event relay: {}", std::string(published.status().message()));
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      continue;
    }
    if (*published > 0) continue;  // there may be more right behind
    try {
      if (listener) {
        listener->await_notification(idle_micros / 1000000, idle_micros % 1000000);
      } else {
        std::this_thread::sleep_for(std::chrono::microseconds(idle_micros));
      }
    } catch (const std::exception& e) {
      spdlog::warn("event relay: listener lost: {}", e.what());
      wakeup.reset();
      listener.reset();
    }
  }
}

}  // namespace armada::events
