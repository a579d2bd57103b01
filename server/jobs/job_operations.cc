#include "server/jobs/job_operations.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "api/submit.pb.h"
#include "server/jobs/job_transitions.h"

namespace armada::server {
namespace {

// Jobs per transaction in bulk operations.
constexpr int kBulkBatch = 5000;

// Why an operation did nothing to a job, for per-job results.
std::string Unchanged(const store::JobRecord& job, const char* what) {
  if (job.cancel_requested) return absl::StrCat("job is being cancelled; not ", what);
  return absl::StrCat("job is ", std::string(model::JobStateName(job.state)), "; not ", what);
}

}  // namespace

absl::StatusOr<std::vector<std::string>> JobOperations::Cancel(
    const JobSelector& select, const std::vector<model::JobState>& states, const std::string& user,
    const std::string& reason) {
  std::vector<std::string> cancelled;
  absl::Status status = db_.Run([&](pqxx::work& tx) -> absl::Status {
    cancelled.clear();
    JobTransitions transitions(tx, clock_.Now(), policy_);
    for (const store::JobRecord& job : select(tx)) {
      if (!states.empty() && std::find(states.begin(), states.end(), job.state) == states.end()) {
        continue;
      }
      if (transitions.Cancel(job, user, reason)) cancelled.push_back(job.job_id);
    }
    transitions.Commit();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return cancelled;
}

absl::StatusOr<std::map<std::string, std::string>> JobOperations::Preempt(
    const JobSelector& select, const std::string& user, const std::string& reason) {
  std::map<std::string, std::string> results;
  absl::Status status = db_.Run([&](pqxx::work& tx) -> absl::Status {
    results.clear();
    JobTransitions transitions(tx, clock_.Now(), policy_);
    for (const store::JobRecord& job : select(tx)) {
      results[job.job_id] =
          transitions.Preempt(job, user, reason) ? "" : Unchanged(job, "preempted");
    }
    transitions.Commit();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return results;
}

absl::StatusOr<std::map<std::string, std::string>> JobOperations::Reprioritize(
    const JobSelector& select, uint32_t priority, const std::string& user) {
  std::map<std::string, std::string> results;
  absl::Status status = db_.Run([&](pqxx::work& tx) -> absl::Status {
    results.clear();
    JobTransitions transitions(tx, clock_.Now(), policy_);
    for (const store::JobRecord& job : select(tx)) {
      results[job.job_id] =
          transitions.Reprioritize(job, priority, user) ? "" : Unchanged(job, "reprioritized");
    }
    transitions.Commit();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return results;
}

absl::StatusOr<int64_t> JobOperations::CancelMatching(const store::JobFilter& filter,
                                                      const std::string& user,
                                                      const std::string& reason) {
  int64_t total = 0;
  while (true) {
    auto cancelled =
        Cancel([&](pqxx::work& tx) { return store::LockJobsMatching(tx, filter, kBulkBatch); }, {},
               user, reason);
    if (!cancelled.ok()) return cancelled.status();
    total += static_cast<int64_t>(cancelled->size());
    // Every job selected changes state (or starts cancelling), so the next
    // batch selects others; a short batch was the last.
    if (cancelled->size() < static_cast<size_t>(kBulkBatch)) return total;
  }
}

absl::StatusOr<int64_t> JobOperations::PreemptMatching(const store::JobFilter& filter,
                                                       const std::string& user,
                                                       const std::string& reason) {
  // Only jobs holding a lease can be preempted; queued ones are left alone.
  store::JobFilter running = filter;
  if (running.states.empty()) {
    running.states = {model::JobState::kLeased, model::JobState::kPending,
                      model::JobState::kRunning};
  }
  int64_t total = 0;
  while (true) {
    auto results =
        Preempt([&](pqxx::work& tx) { return store::LockJobsMatching(tx, running, kBulkBatch); },
                user, reason);
    if (!results.ok()) return results.status();
    int64_t preempted = 0;
    for (const auto& [id, error] : *results) preempted += error.empty() ? 1 : 0;
    total += preempted;
    if (results->size() < static_cast<size_t>(kBulkBatch) || preempted == 0) return total;
  }
}

absl::StatusOr<std::vector<model::JobState>> CancellableStates(const std::vector<int>& states,
                                                               const std::string& field) {
  std::vector<model::JobState> out;
  for (int state : states) {
    switch (static_cast<api::JobState>(state)) {
      case api::QUEUED:
        out.push_back(model::JobState::kQueued);
        break;
      case api::LEASED:
        out.push_back(model::JobState::kLeased);
        break;
      case api::PENDING:
        out.push_back(model::JobState::kPending);
        break;
      case api::RUNNING:
        out.push_back(model::JobState::kRunning);
        break;
      default:
        return absl::InvalidArgumentError(absl::StrCat(
            field, ": ",
            api::JobState_IsValid(state) ? api::JobState_Name(state) : absl::StrCat(state),
            " is not a state a job can be cancelled in (QUEUED, LEASED, PENDING, "
            "RUNNING)"));
    }
  }
  return out;
}

}  // namespace armada::server
