#pragma once

// RetryPolicy: how many runs a job is given before it fails for good, and what
// preemption does to it. Read from the server config; applied by the server's
// job transitions.

namespace armada::model {

// How many times a job is given another run, and what preemption does to it.
struct RetryPolicy {
  // A job whose lease comes back after this many runs that started fails
  // (Armada's scheduling.maxRetries).
  int max_retries = 3;
  // Every run counts against this cap (preemptions excepted): a job whose run
  // cannot even be created, or whose executors keep dying, fails after this
  // many runs instead of looping for ever (Armada's maxAttemptedRuns).
  int max_attempted_runs = 5;
  // Whether preempted jobs are requeued (Armada fails them; its users ask for
  // requeueing, armadaproject/armada#4340). The job's annotation
  // armadaproject.io/requeueOnPreemption ("true"/"false") wins.
  bool requeue_preempted = true;
};

}  // namespace armada::model
