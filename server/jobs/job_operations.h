#pragma once

// What users and operators do to jobs after submission: cancel, preempt and
// reprioritize, by id, by job set, or in bulk by queue, executor or node.
// Each job's change and its events commit together (JobTransitions); bulk
// operations work in batches, each its own transaction, so a queue of a
// million jobs never holds one huge transaction open.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/common/clock.h"
#include "lib/model/retry_policy.h"
#include "lib/store/database.h"
#include "lib/store/job_store.h"

namespace armada::server {

// Picks the jobs an operation applies to, locked, inside its transaction.
using JobSelector = std::function<std::vector<store::JobRecord>(pqxx::work&)>;

class JobOperations {
 public:
  // `policy`: what preemption does to a job (JobTransitions).
  JobOperations(store::Database& db, const common::Clock& clock, model::RetryPolicy policy = {})
      : db_(db), clock_(clock), policy_(policy) {}

  // Cancels the selected jobs that are unfinished and (when `states` is not
  // empty) in one of `states`. Returns the ids it cancelled or started
  // cancelling.
  absl::StatusOr<std::vector<std::string>> Cancel(const JobSelector& select,
                                                  const std::vector<model::JobState>& states,
                                                  const std::string& user,
                                                  const std::string& reason);

  // Preempts the selected jobs; the result maps each job id to "" (preempted)
  // or why it was not ("job is queued", ...).
  absl::StatusOr<std::map<std::string, std::string>> Preempt(const JobSelector& select,
                                                             const std::string& user,
                                                             const std::string& reason);

  // Sets the priority of the selected jobs; result as for Preempt.
  absl::StatusOr<std::map<std::string, std::string>> Reprioritize(const JobSelector& select,
                                                                  uint32_t priority,
                                                                  const std::string& user);

  // Cancel or preempt every job matching `filter`. Returns how many.
  absl::StatusOr<int64_t> CancelMatching(const store::JobFilter& filter, const std::string& user,
                                         const std::string& reason);
  absl::StatusOr<int64_t> PreemptMatching(const store::JobFilter& filter, const std::string& user,
                                          const std::string& reason);

 private:
  store::Database& db_;
  const common::Clock& clock_;
  const model::RetryPolicy policy_;
};

// The states of an api filter (api.JobState values) that a job can be
// cancelled in: QUEUED, LEASED, PENDING, RUNNING. kInvalidArgument names
// `field` and any other value.
absl::StatusOr<std::vector<model::JobState>> CancellableStates(const std::vector<int>& states,
                                                               const std::string& field);

// The filter of a bulk request (QueuePreemptRequest, ExecutorCancelRequest, NodeCancelRequest,
// ...): its priority classes, and its queues and pools where the request has them.
template <typename Request>
store::JobFilter FilterOf(const Request& request) {
  store::JobFilter filter;
  filter.priority_classes = {request.priorityclasses().begin(), request.priorityclasses().end()};
  if constexpr (requires { request.queues(); }) {
    filter.queues = {request.queues().begin(), request.queues().end()};
  }
  if constexpr (requires { request.pools(); }) {
    filter.pools = {request.pools().begin(), request.pools().end()};
  }
  return filter;
}

// The user that requests are made as until authentication exists.
inline constexpr char kAnonymousUser[] = "anonymous";

}  // namespace armada::server
