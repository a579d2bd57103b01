#include "server/http/metrics_refresher.h"

#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace armada::server {
namespace {

// The relay's cursor (lib/events/event_relay.h): the last sequence number it
// published. Absent means none yet.
constexpr char kRelayCursorKey[] = "armada:relay:cursor";

}  // namespace

MetricsRefresher::MetricsRefresher(store::Database& db, std::string redis_url,
                                   ServerMetrics& metrics, absl::Duration period)
    : db_(db), redis_url_(std::move(redis_url)), metrics_(metrics), period_(period) {}

absl::Status MetricsRefresher::RefreshOnce() {
  std::vector<ServerMetrics::JobCount> counts;
  int64_t last_seq = 0;
  std::map<std::string, double> executors_last_seen;
  absl::Status read = db_.Run([&](pqxx::work& tx) {
    counts.clear();
    executors_last_seen.clear();
    for (const auto& row :
         tx.exec("SELECT queue, state, count(*) FROM jobs GROUP BY 1, 2 ORDER BY 1, 2")) {
      counts.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int64_t>()});
    }
    last_seq = tx.exec1("SELECT last FROM event_seq")[0].as<int64_t>();
    for (const auto& row : tx.exec("SELECT name, extract(epoch FROM last_seen) FROM executors")) {
      executors_last_seen[row[0].as<std::string>()] = row[1].as<double>();
    }
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  metrics_.SetJobCounts(counts);
  metrics_.SetExecutorsLastSeen(executors_last_seen);

  std::optional<int64_t> cursor;
  absl::Status redis_status = absl::OkStatus();
  if (redis_ == nullptr) {
    auto redis = events::RedisClient::Connect(redis_url_);
    if (redis.ok()) {
      redis_ = std::move(*redis);
    } else {
      redis_status = redis.status();
    }
  }
  if (redis_ != nullptr) {
    auto reply = redis_->Command({"GET", kRelayCursorKey});
    int64_t value = 0;
    if (!reply.ok()) {
      redis_status = reply.status();
    } else if (reply->is_error) {
      redis_status =
          absl::UnavailableError(absl::StrCat("GET ", kRelayCursorKey, ": ", reply->str));
    } else if (reply->is_nil || !absl::SimpleAtoi(reply->str, &value)) {
      cursor = 0;  // the relay will start from the beginning, as it does
    } else {
      cursor = value;
    }
  }
  metrics_.SetEventLog(last_seq, cursor);
  return redis_status;
}

void MetricsRefresher::Run(const std::atomic<bool>& stop) {
  const auto slice = std::chrono::milliseconds(100);
  while (!stop.load()) {
    absl::Status status = RefreshOnce();
    if (!status.ok()) spdlog::warn("metrics refresh: {}", std::string(status.message()));
    // Sleep in slices so a shutdown is not held up by a whole period.
    for (absl::Duration waited; waited < period_ && !stop.load();
         waited += absl::Milliseconds(100)) {
      std::this_thread::sleep_for(slice);
    }
  }
}

}  // namespace armada::server
