#pragma once

// lookout.Lookout: the queries behind the web UI, in the shape of Armada's
// Lookout v2 API (proto/lookout/lookout.proto), answered from PostgreSQL by
// store/job_search.h: filtering, ordering, paging and grouping run in the
// database, so a page costs what it returns.
//
// Any authenticated caller may ask; every answer is limited to the queues the
// caller may watch (the queue's watch verb, or watch_all_events): jobs of
// other queues are left out of lists and are NOT_FOUND by id, as if unknown.
// A request that names an unknown field, match or state, or a value of the
// wrong type, is INVALID_ARGUMENT naming the filter and the value. Store
// failures keep their codes (UNAVAILABLE when PostgreSQL is unreachable).
// Thread-safe: the service holds no state of its own.

#include <optional>
#include <string>
#include <vector>

#include "lib/store/database.h"
#include "lookout/lookout.grpc.pb.h"
#include "server/api/caller_auth.h"
#include "server/scheduler/scheduling_reports.h"

namespace armada::server {

class LookoutService final : public lookout::Lookout::Service {
 public:
  static constexpr int kDefaultTake = 100;
  static constexpr int kMaxEvents = 1000;  // per GetJobEvents reply

  // Borrows all three; they must outlive the service.
  LookoutService(store::Database& db, const CallerAuth& auth, const SchedulingReports& reports)
      : db_(db), auth_(auth), reports_(reports) {}

  grpc::Status GetJobs(grpc::ServerContext*, const lookout::GetJobsRequest* request,
                       lookout::GetJobsResponse* response) override;
  grpc::Status GroupJobs(grpc::ServerContext*, const lookout::GroupJobsRequest* request,
                         lookout::GroupJobsResponse* response) override;
  // The job as submitted and defaulted (api.Job).
  grpc::Status GetJobSpec(grpc::ServerContext*, const lookout::GetJobSpecRequest* request,
                          lookout::GetJobSpecResponse* response) override;
  // Why the job failed: its own error, else its latest failed run's ("" when none).
  grpc::Status GetJobError(grpc::ServerContext*, const lookout::GetJobErrorRequest* request,
                           lookout::ErrorStringResponse* response) override;
  grpc::Status GetJobRunError(grpc::ServerContext*, const lookout::GetJobRunErrorRequest* request,
                              lookout::ErrorStringResponse* response) override;
  // Armada keeps an executor's diagnosis of a returned lease here; we keep
  // none beyond the run's error, so this is the run's error too.
  grpc::Status GetJobRunDebugMessage(grpc::ServerContext*,
                                     const lookout::GetJobRunDebugMessageRequest* request,
                                     lookout::ErrorStringResponse* response) override;
  // The job's logged events, oldest first, at most kMaxEvents.
  grpc::Status GetJobEvents(grpc::ServerContext*, const lookout::GetJobEventsRequest* request,
                            lookout::GetJobEventsResponse* response) override;
  // Every visible queue: weight, cordon, shares per pool from the latest
  // cycle (none before the first cycle), unfinished jobs per priority class.
  grpc::Status GetQueueStats(grpc::ServerContext*, const lookout::GetQueueStatsRequest* request,
                             lookout::GetQueueStatsResponse* response) override;
  grpc::Status GetVersion(grpc::ServerContext*, const lookout::GetVersionRequest* request,
                          lookout::VersionInfo* response) override;

 private:
  // The queues `caller` may watch; nullopt when every queue (watch_all_events).
  absl::StatusOr<std::optional<std::vector<std::string>>> VisibleQueues(
      const auth::Principal& caller) const;

  store::Database& db_;
  const CallerAuth& auth_;
  const SchedulingReports& reports_;
};

}  // namespace armada::server
