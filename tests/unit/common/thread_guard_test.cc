#include "lib/common/thread_guard.h"

#include <atomic>
#include <stdexcept>
#include <thread>

#include <catch2/catch.hpp>

#include "absl/time/clock.h"

namespace armada::common {
namespace {

const ThreadGuardOptions kFast{absl::Milliseconds(1), absl::Milliseconds(4)};

TEST_CASE("RunGuarded runs a body that throws twice three times, on its own thread") {
  int calls = 0;
  int runs = 0;
  std::thread thread([&] {
    runs = RunGuarded(
        "test",
        [&] {
          ++calls;
          if (calls == 1) throw std::runtime_error("first");
          if (calls == 2) throw 42;  // not a std::exception
        },
        [] { return false; }, kFast);
  });
  thread.join();  // the process is still here: nothing reached std::terminate
  CHECK(calls == 3);
  CHECK(runs == 3);
}

TEST_CASE("RunGuarded returns after the first clean run") {
  int calls = 0;
  CHECK(RunGuarded(
            "test", [&] { ++calls; }, [] { return false; }, kFast) == 1);
  CHECK(calls == 1);
}

TEST_CASE("RunGuarded stops retrying once the stop flag is set") {
  std::atomic<bool> stop{false};
  int calls = 0;
  const int runs = RunGuarded(
      "test",
      [&] {
        if (++calls == 5) stop = true;
        throw std::runtime_error("always");
      },
      [&] { return stop.load(); }, kFast);
  CHECK(runs == 5);
  CHECK(calls == 5);
}

TEST_CASE("RunGuarded does not sit out a long back-off after a stop") {
  std::atomic<bool> stop{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    stop = true;
  });
  const absl::Time start = absl::Now();
  RunGuarded(
      "test", [] { throw std::runtime_error("x"); }, [&] { return stop.load(); },
      ThreadGuardOptions{absl::Seconds(30), absl::Seconds(30)});
  stopper.join();
  CHECK(absl::Now() - start < absl::Seconds(5));
}

TEST_CASE("RunLogged reports a throw and swallows it") {
  CHECK(RunLogged("test", [] {}));
  CHECK_FALSE(RunLogged("test", [] { throw std::logic_error("no"); }));
  CHECK_FALSE(RunLogged("test", [] { throw "a C string"; }));
}

}  // namespace
}  // namespace armada::common
