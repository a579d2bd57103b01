// Injected time source (STYLE.md convention 11).
//
// Code that needs the current time takes a `const Clock&` instead of calling absl::Now(), so
// tests and armada-sim can drive time with a SimulatedClock.
#pragma once

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace armada::common {

// Clock: the current wall-clock time.
//
// Implementations are thread-safe: Now() may be called concurrently from any thread. Callers
// borrow a clock by reference; the owner keeps it alive for as long as any borrower uses it.
class Clock {
 public:
  virtual ~Clock() = default;

  // Now(): the current time. Never fails. Successive calls are not guaranteed to be monotonic
  // (the system clock may be stepped, a SimulatedClock may be set back).
  virtual absl::Time Now() const = 0;
};

// RealClock: the system clock (absl::Now()). Stateless and thread-safe.
class RealClock final : public Clock {
 public:
  absl::Time Now() const override;
};

// SimulatedClock: a clock that only moves when told to, for tests and armada-sim.
//
// Thread-safe: Now(), SetTime() and Advance() may race; each call is atomic, so N concurrent
// Advance(d) calls move the clock by exactly N * d.
class SimulatedClock final : public Clock {
 public:
  // Starts at `start`, by default the Unix epoch, so tests never depend on the wall clock.
  explicit SimulatedClock(absl::Time start = absl::UnixEpoch());

  SimulatedClock(const SimulatedClock&) = delete;
  SimulatedClock& operator=(const SimulatedClock&) = delete;

  absl::Time Now() const override;

  // SetTime(t): Now() returns `t` until the next SetTime/Advance. May move time backwards.
  void SetTime(absl::Time t);

  // Advance(d): moves the clock by `d`. A negative `d` moves it backwards; advancing an
  // infinite time or by an infinite duration follows absl::Time arithmetic (saturates).
  void Advance(absl::Duration d);

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace armada::common
