#include "lib/events/event_pruner.h"

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "lib/common/status_macros.h"
#include "spdlog/spdlog.h"

namespace armada::events {
namespace {

// KEYS[1]: a stream; ARGV[1]: the lowest id kept. Returns {entries removed,
// 1 if the stream was deleted}. Atomic, so a concurrent XADD lands either
// before (and is kept) or after (in a new stream).
constexpr char kTrimScript[] = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, 0} end
local removed = redis.call('XTRIM', KEYS[1], 'MINID', ARGV[1])
if redis.call('XLEN', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[1])
  return {removed, 1}
end
return {removed, 0}
)lua";

}  // namespace

EventPruner::EventPruner(store::Database& db, std::unique_ptr<RedisClient> redis,
                         const common::Clock& clock, Options options)
    : db_(db), redis_(std::move(redis)), clock_(clock), options_(options) {}

absl::StatusOr<int64_t> EventPruner::FirstKept(absl::Time cutoff) {
  int64_t first_kept = 0;
  RETURN_IF_ERROR(db_.Run([&](pqxx::work& tx) {
    // The committed event_seq.last is below any sequence number a
    // transaction in flight holds, so those rows are never deleted.
    first_kept = tx.exec_params1(
                       "SELECT COALESCE("
                       "(SELECT seq FROM job_events WHERE created_at >= to_timestamp($1::float8) "
                       "ORDER BY seq LIMIT 1), "
                       "(SELECT last FROM event_seq WHERE id = 1) + 1)",
                       absl::ToDoubleSeconds(cutoff - absl::UnixEpoch()))[0]
                     .as<int64_t>();
    return absl::OkStatus();
  }));
  return first_kept;
}

absl::StatusOr<int64_t> EventPruner::DeleteBefore(int64_t first_kept) {
  int64_t deleted = 0;
  while (true) {
    int64_t batch = 0;
    RETURN_IF_ERROR(db_.Run([&](pqxx::work& tx) {
      batch = tx.exec_params(
                    "DELETE FROM job_events WHERE seq IN (SELECT seq FROM job_events "
                    "WHERE seq < $1 ORDER BY seq LIMIT $2)",
                    first_kept, options_.delete_batch)
                  .affected_rows();
      return absl::OkStatus();
    }));
    deleted += batch;
    if (batch < options_.delete_batch) return deleted;
  }
}

absl::Status EventPruner::TrimStreams(int64_t first_kept, Result& result) {
  const std::string min_id = absl::StrCat(first_kept, "-0");
  std::string cursor = "0";
  do {
    ASSIGN_OR_RETURN(RedisReply page,
                     redis_->Command({"SCAN", cursor, "MATCH", "events:*", "COUNT",
                                      std::to_string(options_.scan_count), "TYPE", "stream"}));
    if (page.is_error || page.elements.size() != 2) {
      return absl::InternalError(absl::StrCat("redis SCAN: ", page.str));
    }
    cursor = page.elements[0].str;
    std::vector<std::vector<std::string>> trims;
    for (const RedisReply& key : page.elements[1].elements) {
      trims.push_back({"EVAL", kTrimScript, "1", key.str, min_id});
    }
    if (trims.empty()) continue;
    ASSIGN_OR_RETURN(std::vector<RedisReply> replies, redis_->Pipeline(trims));
    for (size_t i = 0; i < replies.size(); ++i) {
      const RedisReply& reply = replies[i];
      if (reply.is_error || reply.elements.size() != 2) {
        return absl::InternalError(absl::StrCat("trimming ", trims[i][3], ": ", reply.str));
      }
      ++result.streams_scanned;
      result.entries_trimmed += reply.elements[0].integer;
      result.streams_deleted += reply.elements[1].integer;
    }
  } while (cursor != "0");
  return absl::OkStatus();
}

absl::StatusOr<EventPruner::Result> EventPruner::PruneOnce() {
  Result result;
  ASSIGN_OR_RETURN(result.first_kept, FirstKept(clock_.Now() - options_.retention));
  ASSIGN_OR_RETURN(result.rows_deleted, DeleteBefore(result.first_kept));
  if (result.first_kept > trimmed_to_) {
    RETURN_IF_ERROR(TrimStreams(result.first_kept, result));
    trimmed_to_ = result.first_kept;
  }
  return result;
}

void EventPruner::Run(const std::atomic<bool>& stop) {
  const auto period = absl::ToChronoMilliseconds(options_.period);
  while (!stop.load()) {
    auto result = PruneOnce();
    if (!result.ok()) {
      spdlog::warn("event pruner: {}", std::string(result.status().message()));
    } else if (result->rows_deleted > 0 || result->streams_deleted > 0) {
      spdlog::info(
          "event pruner: first_kept={} rows_deleted={} entries_trimmed={} streams_deleted={}",
          result->first_kept, result->rows_deleted, result->entries_trimmed,
          result->streams_deleted);
    }
    const auto next = std::chrono::steady_clock::now() + period;
    while (!stop.load() && std::chrono::steady_clock::now() < next) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
}

}  // namespace armada::events
