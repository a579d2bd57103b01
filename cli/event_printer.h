// Text for `armadactl watch`: one line per job-set event, and the job-set summary that
// `--exit-if-inactive` waits for. Pure: no I/O, no clock.
#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "api/event.pb.h"

namespace armada::cli {

// EventTypeName(event): the short name of the event's type: "Submitted", "Queued", "Leased",
// "LeaseReturned", "LeaseExpired", "Pending", "Running", "Failed", "Succeeded", "Reprioritizing",
// "Reprioritized", "Cancelling", "Cancelled", "Utilisation", "IngressInfo", "Preempting",
// "Preempted"; "Unknown" when no event is set.
std::string EventTypeName(const api::EventMessage& event);

// EventJobId(event): the job id the event is about; empty when no event is set.
std::string EventJobId(const api::EventMessage& event);

// FormatEvent(message): one line (no trailing newline):
//   <RFC 3339 UTC time> | <EventTypeName> | job <id>[ | <details>]
// e.g.
//   2024-05-01T12:00:03Z | Failed | job 01hx... | node n1, reason: Error, container job exit code 3
// The time is the event's `created` ("-" when unset). Details depend on the type: cluster and pool
// when leased, node when running or succeeded, reason, exit codes (container_statuses, else the
// deprecated exit_codes map) and failure category when failed, reason and requestor when
// cancelled/cancelling/preempted, the new priority when reprioritized, ... Map contents are sorted,
// so the output is deterministic.
std::string FormatEvent(const api::EventStreamMessage& message);

// FormatEventJson(message): the message as single-line protobuf JSON (`watch --raw`).
// Errors: kInternal if protobuf cannot print it (does not happen for valid messages).
absl::StatusOr<std::string> FormatEventJson(const api::EventStreamMessage& message);

// JobSetTracker: each job's latest state in a job-set event stream, for `watch --exit-if-inactive`.
//
// Submitted, Queued, Leased, LeaseReturned (back to queued), Pending, Running, Succeeded, Failed,
// Cancelled and Preempted events set the job's state; other events (utilisation, cancelling,
// reprioritizing, ...) only record the job as seen. Succeeded, Failed and Cancelled are terminal;
// Preempted is not (the job may be requeued). Not thread-safe.
class JobSetTracker {
 public:
  enum class JobPhase {
    kSeen,  // Only informational events so far.
    kQueued,
    kLeased,
    kPending,
    kRunning,
    kPreempted,
    kSucceeded,
    kFailed,
    kCancelled,
  };

  struct Counts {
    size_t jobs = 0;
    size_t succeeded = 0;
    size_t failed = 0;
    size_t cancelled = 0;

    bool operator==(const Counts&) const = default;
  };

  // Observe(message): records the event. Messages without an event are ignored.
  void Observe(const api::EventStreamMessage& message);

  // True when at least one job has been seen and every seen job is succeeded, failed or
  // cancelled.
  bool AllJobsFinished() const;

  Counts counts() const;

  // Summary(job_set): "Job set <job_set>: N jobs, S succeeded, F failed, C cancelled".
  std::string Summary(absl::string_view job_set) const;

  // StateCounts(): every job seen counted by its current state, e.g.
  // "3 jobs: queued 1, running 1, succeeded 1" (states with no job left out, in lifecycle order).
  std::string StateCounts() const;

 private:
  // Ordered so that iteration never depends on hashing.
  std::map<std::string, JobPhase> jobs_;
};

}  // namespace armada::cli
