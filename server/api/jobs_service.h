#pragma once

// api.Jobs: read-only queries about jobs and runs, answered from PostgreSQL
// (the source of truth), so a reply reflects every committed change even
// before its events reach Redis.
//
// Every rpc that takes ids accepts at most kMaxQueryItems of them (Armada's
// queryapi.maxQueryItems) and otherwise fails with INVALID_ARGUMENT naming the
// limit. Unknown job ids are UNKNOWN in GetJobStatus and absent from the other
// replies; they are never an error. Store failures keep their codes
// (UNAVAILABLE when PostgreSQL is unreachable). Thread-safe: the service holds
// no state of its own.
//
// Any authenticated caller may ask (as in Armada); job details and errors,
// which carry the submitted spec, are further limited to the queues the
// caller may watch (watch verb or watch_all_events): the other jobs are left
// out as if unknown.

#include "api/job.grpc.pb.h"
#include "lib/store/database.h"
#include "server/api/caller_auth.h"

namespace armada::server {

class JobsService final : public api::Jobs::Service {
 public:
  static constexpr int kMaxQueryItems = 500;

  // `db` must outlive the service.
  JobsService(store::Database& db, const CallerAuth& auth) : db_(db), auth_(auth) {}

  // Job id -> state for every requested id (UNKNOWN when not stored).
  grpc::Status GetJobStatus(grpc::ServerContext*, const api::JobStatusRequest* request,
                            api::JobStatusResponse* response) override;
  // Job id -> state of the jobs of queue/jobset submitted with that external
  // URI (field or annotation armadaproject.io/externalJobUri); empty map when
  // none is. All three request fields are required.
  grpc::Status GetJobStatusUsingExternalJobUri(
      grpc::ServerContext*, const api::JobStatusUsingExternalJobUriRequest* request,
      api::JobStatusResponse* response) override;
  // Job id -> details of the stored jobs; the spec and the runs only when the
  // request's expand flags ask for them.
  grpc::Status GetJobDetails(grpc::ServerContext*, const api::JobDetailsRequest* request,
                             api::JobDetailsResponse* response) override;
  // Job id -> why it failed, for every stored job ("" when nothing failed).
  grpc::Status GetJobErrors(grpc::ServerContext*, const api::JobErrorsRequest* request,
                            api::JobErrorsResponse* response) override;
  // Run id (as requested) -> details of the stored runs.
  grpc::Status GetJobRunDetails(grpc::ServerContext*, const api::JobRunDetailsRequest* request,
                                api::JobRunDetailsResponse* response) override;
  // Pool -> queues with queued or active jobs there.
  grpc::Status GetActiveQueues(grpc::ServerContext*, const api::GetActiveQueuesRequest* request,
                               api::GetActiveQueuesResponse* response) override;

 private:
  store::Database& db_;
  const CallerAuth& auth_;
};

}  // namespace armada::server
