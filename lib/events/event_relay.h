#pragma once

// Copies the event log (PostgreSQL job_events) into one Redis stream per job
// set, "events:<queue>:<job set>", with the log's sequence number as the
// stream id ("<seq>-0"). Re-publishing is harmless: Redis refuses an id that
// is not above the stream's last one. The relay's cursor lives in Redis too,
// so if Redis loses its data (restart, FLUSHALL) it loses the cursor with it
// and the relay refills every stream from PostgreSQL, with no gap and no
// duplicate. Every server replica may run a relay. After each batch the relay
// publishes a wake-up naming the streams that grew (lib/events/wakeup.h).

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/events/redis_client.h"
#include "lib/store/database.h"

namespace armada::events {

// The stream that holds a job set's events.
std::string JobSetStreamKey(const std::string& queue, const std::string& job_set);

// The relay's cursor, kept in Redis: the last sequence number it published
// (0 when it has published nothing yet, or Redis lost the key). kUnavailable
// when Redis cannot be reached or answers with an error.
absl::StatusOr<int64_t> ReadRelayCursor(RedisClient& redis);

class EventRelay {
 public:
  struct Options {
    int batch_size = 1000;
    // How long to wait for a NOTIFY before looking anyway.
    absl::Duration idle_poll = absl::Milliseconds(500);
  };

  EventRelay(store::Database& db, std::unique_ptr<RedisClient> redis, Options options);

  // Publishes every logged event above the cursor, in order, advances the
  // cursor and sends one wake-up per batch. Returns how many events it
  // published (offered again after a lost cursor counts too).
  absl::StatusOr<int64_t> PublishPending();

  // Publishes until `stop` becomes true, woken by NOTIFY job_events. Errors
  // are logged and retried after a pause; this never returns early.
  void Run(const std::atomic<bool>& stop);

 private:
  store::Database& db_;
  std::unique_ptr<RedisClient> redis_;
  Options options_;
};

}  // namespace armada::events
