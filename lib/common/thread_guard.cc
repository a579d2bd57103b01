#include "lib/common/thread_guard.h"

#include <algorithm>
#include <exception>
#include <string>
#include <thread>

#include "absl/time/clock.h"
#include "spdlog/spdlog.h"

namespace armada::common {

bool RunLogged(std::string_view name, const std::function<void()>& body) {
  try {
    body();
    return true;
  } catch (const std::exception& e) {
    spdlog::error("thread {}: uncaught exception: {}", name, e.what());
  } catch (...) {
    spdlog::error("thread {}: uncaught exception of unknown type", name);
  }
  return false;
}

int RunGuarded(std::string_view name, const std::function<void()>& body,
               const std::function<bool()>& stopping, ThreadGuardOptions options) {
  int runs = 0;
  absl::Duration backoff = options.backoff;
  while (true) {
    ++runs;
    if (RunLogged(name, body)) return runs;
    if (stopping()) return runs;
    spdlog::warn("thread {}: running it again in {}", name, absl::FormatDuration(backoff));
    const absl::Time until = absl::Now() + backoff;
    while (!stopping() && absl::Now() < until) {
      const absl::Duration slice = std::min(until - absl::Now(), absl::Milliseconds(50));
      if (slice > absl::ZeroDuration()) {
        std::this_thread::sleep_for(absl::ToChronoMicroseconds(slice));
      }
    }
    if (stopping()) return runs;
    backoff = std::min(backoff * 2, std::max(options.max_backoff, options.backoff));
  }
}

}  // namespace armada::common
