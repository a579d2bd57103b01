// -----------------------------------------------------------------------------
// File: executor/run_tracker.h
// -----------------------------------------------------------------------------
//
// `RunTracker` is the executor's record of the runs it holds and of the events
// it owes the server. A run goes
//
//   leased -> submitted -> pending -> running -> succeeded | failed
//          \-> returned (lease given back)            \-> (cancel requested)
//
// Every state change becomes one `ReportEvent` in an ordered queue. Events stay
// queued until the server acknowledges them (`Acknowledge`), so a failed
// report is simply re-sent; a run is dropped once its final event is
// acknowledged. The tracker never queues the same phase of a run twice, and it
// fills in phases a backend skipped when the later phase implies them (a run
// that succeeded did run), so the server sees each run end exactly once.
//
// Restarts: `Adopt` takes the runs the backend recovered and queues the events
// that bring the server up to their current phase; the server ignores the ones
// it already applied.
//
// Pure bookkeeping: no I/O, no clock, no proto. Not thread-safe: one caller (the
// executor's loop) at a time.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "executor/backend.h"

namespace armada::executor {

// One event for the server: a run reached `update.phase` (kPending ... kReturned).
struct ReportEvent {
  std::string run_id;
  std::string job_id;
  std::string node_name;
  std::string container_name;
  RunUpdate update;
};

class RunTracker {
 public:
  enum class State { kLeased, kSubmitted, kPending, kRunning, kSucceeded, kFailed, kReturned };

  struct Run {
    std::string run_id;
    std::string job_id;
    std::string node_name;
    std::string container_name;
    State state = State::kLeased;
    bool cancel_requested = false;
  };

  // "leased", "submitted", ... for logs.
  static const char* StateName(State state);
  // True for kSucceeded, kFailed and kReturned.
  static bool IsFinalState(State state);

  // Tracks the runs a backend recovered at start (Backend::Recover) that are not tracked
  // yet, and queues for each the events up to its current phase: kPending, then kRunning
  // if it is running or succeeded, then its final phase if it ended. Returns how many
  // runs it adopted.
  size_t Adopt(const std::vector<ExistingRun>& runs);

  // A lease from the server. Returns true if the run is new (the caller starts it), false
  // for a run already tracked (the server repeated a lease; nothing to do).
  bool Lease(const std::string& run_id, const std::string& job_id, const std::string& node_name,
             const std::string& container_name);

  // The backend accepted the leased run (Backend::Start returned OK). No-op unless leased.
  void Submitted(const std::string& run_id);

  // The run could not be started. `retryable`: queue kReturned (the server may run the
  // job elsewhere; run_attempted=false); else queue kFailed with `reason`. No-op for an
  // unknown or finished run.
  void StartFailed(const std::string& run_id, const std::string& reason, bool retryable,
                   absl::Time time);

  // A state change from Backend::Poll. Queues the events it implies; ignores unknown runs,
  // finished runs and phases the run is already past.
  void Update(const RunUpdate& update);

  // The server asked to stop these runs. Marks the tracked, unfinished ones as cancel
  // requested and returns those not already requested, for Backend::Cancel.
  std::vector<std::string> RequestCancel(const std::vector<std::string>& run_ids);

  // The events not yet acknowledged, oldest first.
  const std::deque<ReportEvent>& Unacknowledged() const { return events_; }

  // The server applied the oldest `count` unacknowledged events. Drops them, and drops the
  // runs whose final event was among them; returns those runs' ids, for Backend::Forget.
  // REQUIRES: count <= Unacknowledged().size().
  std::vector<std::string> Acknowledge(size_t count);

  // The tracked runs (until their final event is acknowledged), by id.
  const std::map<std::string, Run>& runs() const { return runs_; }
  bool Tracks(const std::string& run_id) const { return runs_.count(run_id) > 0; }

  // Runs leased or submitted and not yet pending: the back-pressure measure.
  size_t NotStartedCount() const;

 private:
  void Queue(const Run& run, RunUpdate update);
  // Moves `run` to `state`, queueing the event; fills in kPending / kRunning first when
  // `state` implies them.
  void Advance(Run& run, State state, const RunUpdate& update);

  std::map<std::string, Run> runs_;
  std::deque<ReportEvent> events_;
};

}  // namespace armada::executor
