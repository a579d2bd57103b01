// Job and run lifecycles: the states, their names, and the legal transitions.
//
// A job is queued, leased to an executor, then pending/running on a node until it ends. Each
// lease creates a run; a job has at most one active run. The transition tables live in
// job_state.cc, in one place.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace armada::model {

enum class JobState {
  kQueued,
  kLeased,
  kPending,
  kRunning,
  kSucceeded,
  kFailed,
  kCancelled,
  kPreempted,
  kRejected,
};

enum class RunState {
  kLeased,
  kPending,
  kRunning,
  kSucceeded,
  kFailed,
  kCancelled,
  kPreempted,
  kLeaseReturned,
  kLeaseExpired,
};

// JobStateName(s) / RunStateName(s): the lower-case snake_case name ("queued",
// "lease_returned"), as stored and shown to users; "unknown" for a value outside the enum.
std::string_view JobStateName(JobState state);
std::string_view RunStateName(RunState state);

// ParseJobState(name) / ParseRunState(name): the state whose name is exactly `name`
// (case-sensitive). Errors: kInvalidArgument naming `name`.
absl::StatusOr<JobState> ParseJobState(std::string_view name);
absl::StatusOr<RunState> ParseRunState(std::string_view name);

// IsTerminal: the state has no way out. Jobs: succeeded, failed, cancelled, preempted, rejected.
// Runs: succeeded, failed, cancelled, preempted, lease_returned, lease_expired. False for a
// value outside the enum (as is IsActive).
bool IsTerminal(JobState state);
bool IsTerminal(RunState state);

// IsActive(run): the run holds its lease: leased, pending or running (exactly the
// non-terminal run states).
bool IsActive(RunState state);

// CheckJobTransition(from, to): OK iff a job may move from `from` to `to`. Otherwise
// kFailedPrecondition, e.g. "job cannot go from succeeded to running". A self-transition is
// always an error: callers treat repeated updates as idempotent no-ops before calling.
// Requeueing (lease returned, or preempted and retried) goes from leased/pending/running
// straight to queued; kPreempted is terminal.
absl::Status CheckJobTransition(JobState from, JobState to);

// CheckRunTransition(from, to): as CheckJobTransition, for runs ("run cannot go from ...").
absl::Status CheckRunTransition(RunState from, RunState to);

}  // namespace armada::model
