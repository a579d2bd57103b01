#include "lib/events/history_pruner.h"

#include <chrono>
#include <thread>

#include "absl/container/btree_map.h"
#include "absl/strings/str_cat.h"
#include "lib/common/status_macros.h"
#include "lib/events/event_relay.h"
#include "spdlog/spdlog.h"

namespace armada::events {
namespace {

// KEYS[1]: a stream; ARGV: entry ids. Deletes them and the stream if that
// leaves it empty; returns {entries deleted, 1 if the stream was deleted}.
// Atomic, so an entry the relay adds meanwhile lands either before (and is
// kept, the stream with it) or after (in a new stream).
constexpr char kDeleteScript[] = R"lua(
local removed = redis.call('XDEL', KEYS[1], unpack(ARGV))
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('XLEN', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[1])
  return {removed, 1}
end
return {removed, 0}
)lua";

// Ids per script call: well below Lua's limit on unpack()'s results.
constexpr size_t kIdsPerCall = 1000;

}  // namespace

HistoryPruner::HistoryPruner(store::Database& db, std::unique_ptr<RedisClient> redis,
                             const common::Clock& clock, Options options)
    : db_(db), redis_(std::move(redis)), clock_(clock), options_(std::move(options)) {}

absl::Duration HistoryPruner::RetentionOf(const std::string& queue) const {
  auto it = options_.queue_retention.find(queue);
  return it != options_.queue_retention.end() ? it->second : options_.job_retention;
}

absl::Status HistoryPruner::DeleteStreamEntries(const std::vector<store::DeletedEvent>& events,
                                                Result& result) {
  absl::btree_map<std::string, std::vector<std::string>> ids_by_stream;
  for (const store::DeletedEvent& event : events) {
    ids_by_stream[JobSetStreamKey(event.queue, event.job_set)].push_back(
        absl::StrCat(event.seq, "-0"));
  }
  std::vector<std::vector<std::string>> calls;
  for (const auto& [stream, ids] : ids_by_stream) {
    for (size_t start = 0; start < ids.size(); start += kIdsPerCall) {
      std::vector<std::string> call = {"EVAL", kDeleteScript, "1", stream};
      const size_t end = std::min(ids.size(), start + kIdsPerCall);
      call.insert(call.end(), ids.begin() + start, ids.begin() + end);
      calls.push_back(std::move(call));
    }
  }
  if (calls.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::vector<RedisReply> replies, redis_->Pipeline(calls));
  for (size_t i = 0; i < replies.size(); ++i) {
    const RedisReply& reply = replies[i];
    if (reply.is_error || reply.elements.size() != 2) {
      return absl::UnavailableError(absl::StrCat("deleting from ", calls[i][3], ": ", reply.str));
    }
    result.stream_entries_deleted += reply.elements[0].integer;
    result.streams_deleted += reply.elements[1].integer;
  }
  return absl::OkStatus();
}

void HistoryPruner::Report(const Result& deleted, Result& total) {
  total.jobs_deleted += deleted.jobs_deleted;
  total.events_deleted += deleted.events_deleted;
  total.stream_entries_deleted += deleted.stream_entries_deleted;
  total.streams_deleted += deleted.streams_deleted;
  total.executors_deleted += deleted.executors_deleted;
  total.usage_rows_deleted += deleted.usage_rows_deleted;
  if (observer_.on_batch) observer_.on_batch(deleted);
}

absl::Status HistoryPruner::PruneQueue(const std::string& queue, int64_t published_up_to,
                                       const std::atomic<bool>* stop, Result& result) {
  const absl::Time cutoff = clock_.Now() - RetentionOf(queue);
  while (stop == nullptr || !stop->load()) {
    Result batch;
    RETURN_IF_ERROR(db_.Run([&](pqxx::work& tx) {
      batch = Result{};
      const std::vector<std::string> ids =
          store::ExpiredJobs(tx, queue, cutoff, published_up_to, options_.batch);
      if (ids.empty()) return absl::OkStatus();
      const std::vector<store::DeletedEvent> events = store::DeleteJobEvents(tx, ids);
      batch.events_deleted = static_cast<int64_t>(events.size());
      RETURN_IF_ERROR(DeleteStreamEntries(events, batch));
      batch.jobs_deleted = store::DeleteJobs(tx, ids);
      return absl::OkStatus();
    }));
    Report(batch, result);
    if (batch.jobs_deleted < options_.batch) break;
  }
  return absl::OkStatus();
}

absl::StatusOr<HistoryPruner::Result> HistoryPruner::PruneOnce(const std::atomic<bool>* stop) {
  Result result;
  ASSIGN_OR_RETURN(const int64_t published_up_to, ReadRelayCursor(*redis_));
  std::vector<std::string> queues;
  RETURN_IF_ERROR(db_.Run([&](pqxx::work& tx) {
    queues = store::QueuesWithEndedJobs(tx);
    return absl::OkStatus();
  }));
  for (const std::string& queue : queues) {
    RETURN_IF_ERROR(PruneQueue(queue, published_up_to, stop, result));
  }
  const absl::Time silent_since = clock_.Now() - options_.executor_retention;
  Result forgotten;
  RETURN_IF_ERROR(db_.Run([&](pqxx::work& tx) {
    forgotten.executors_deleted =
        static_cast<int64_t>(store::DeleteSilentExecutors(tx, silent_since, 1000).size());
    forgotten.usage_rows_deleted = store::DeleteStaleQueueUsage(tx, silent_since);
    return absl::OkStatus();
  }));
  Report(forgotten, result);
  return result;
}

void HistoryPruner::Run(const std::atomic<bool>& stop) {
  const auto period = absl::ToChronoMilliseconds(options_.period);
  while (!stop.load()) {
    const absl::Time start = absl::Now();
    auto result = PruneOnce(&stop);
    const absl::Duration elapsed = absl::Now() - start;
    if (observer_.on_round) observer_.on_round(elapsed, result.status());
    if (!result.ok()) {
      spdlog::warn("history pruner: {}", std::string(result.status().message()));
    } else if (result->jobs_deleted > 0 || result->executors_deleted > 0) {
      spdlog::info(
          "history pruner: jobs_deleted={} events_deleted={} streams_deleted={} "
          "executors_deleted={} usage_rows_deleted={} took_ms={}",
          result->jobs_deleted, result->events_deleted, result->streams_deleted,
          result->executors_deleted, result->usage_rows_deleted,
          absl::ToInt64Milliseconds(elapsed));
    }
    const auto next = std::chrono::steady_clock::now() + period;
    while (!stop.load() && std::chrono::steady_clock::now() < next) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
}

}  // namespace armada::events
