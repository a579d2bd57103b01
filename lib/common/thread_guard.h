#pragma once

// One guard for the body of every long-running thread. An exception that
// escapes a thread's function calls std::terminate and takes the whole
// process down (for the leader: every replica that takes over after it, if
// the same data makes it throw again). RunGuarded catches it instead, logs it
// with the thread's name, waits a short back-off and runs the body again.
//
//   std::thread relay_thread([&] {
//     common::RunGuarded("relay", [&] { relay.Run(stop); }, [&] { return stop.load(); });
//   });
//
// The body is expected to loop by itself until the stop condition holds and
// then return; RunGuarded returns when it does. A body that throws must leave
// its object usable for the next run (the guard cannot know what it left
// half done), which is the case for loops that rebuild their state (connect,
// read, apply) at the top of each run.

#include <functional>
#include <string_view>

#include "absl/time/time.h"

namespace armada::common {

struct ThreadGuardOptions {
  // Wait between a throw and the next run; doubled after each throw in a row,
  // up to max_backoff.
  absl::Duration backoff = absl::Milliseconds(500);
  absl::Duration max_backoff = absl::Seconds(10);
};

// Runs `body` until it returns normally or `stopping()` is true after a
// throw. Every exception (std::exception or anything else) is logged at error
// level with `name` and swallowed. The back-off is spent in short sleeps that
// check `stopping()`, so a shutdown is not delayed by it. Returns how many
// times `body` was run.
int RunGuarded(std::string_view name, const std::function<void()>& body,
               const std::function<bool()>& stopping, ThreadGuardOptions options = {});

// Runs `body` once, logging and swallowing any exception (with `name`).
// Returns false if it threw. For work items that must not be retried (one
// task of a queue), where RunGuarded would run the same item again.
bool RunLogged(std::string_view name, const std::function<void()>& body);

}  // namespace armada::common
