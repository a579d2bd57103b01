#pragma once

// The floor under event delivery: raw Redis XADD -> XREAD BLOCK on the same machine, with as
// many readers as armada-loadtest has watchers, each on its own connection and stream.

#include <string>

#include "absl/status/statusor.h"

namespace armada::loadtest {

struct RedisBaselineOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  int readers = 1000;
  int events_per_reader = 10;
  double rate = 0;  // XADDs per second over all streams; 0: as fast as one writer can
};

struct RedisBaselineResult {
  long events = 0;
  double seconds = 0;  // first XADD to last read
  double delay_p50_ms = 0;
  double delay_p99_ms = 0;
};

// Runs the baseline on streams "armada-loadtest:<i>", deleting them afterwards.
// kUnavailable when Redis cannot be reached.
absl::StatusOr<RedisBaselineResult> RunRedisBaseline(const RedisBaselineOptions& options);

}  // namespace armada::loadtest
