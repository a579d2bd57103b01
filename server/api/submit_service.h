#pragma once

// api.Submit: submission, and cancel, preempt and reprioritize by job or job
// set; the queue rpcs delegate to QueueService, as Armada's do.

#include "api/submit.grpc.pb.h"
#include "lib/common/clock.h"
#include "lib/model/submit_validation.h"
#include "lib/store/database.h"
#include "lib/store/job_store.h"
#include "server/api/caller_auth.h"
#include "server/api/grpc_status.h"
#include "server/api/queue_service.h"
#include "server/jobs/job_operations.h"

namespace armada::server {

class SubmitService final : public api::Submit::Service {
 public:
  SubmitService(store::Database& db, QueueService& queues, JobOperations& operations,
                const model::SubmitConfig& config, const common::Clock& clock,
                const CallerAuth& auth)
      : db_(db),
        queues_(queues),
        operations_(operations),
        config_(config),
        clock_(clock),
        auth_(auth) {}

  // Each rpc first checks the caller (CallerAuth): submit, cancel,
  // reprioritize and preempt need the queue's verb or the matching
  // *_any_jobs permission; the queue rpcs are QueueService's.
  //
  // All or nothing: every item is validated before anything is written, and
  // the jobs with their submitted and queued events go in one transaction. An
  // item whose client_id its queue already holds gets the existing job's id.
  grpc::Status SubmitJobs(grpc::ServerContext*, const api::JobSubmitRequest* request,
                          api::JobSubmitResponse* response) override;
  // Cancels the named jobs that are not finished (no ids: the job set); returns
  // those it cancelled or started cancelling.
  grpc::Status CancelJobs(grpc::ServerContext*, const api::JobCancelRequest* request,
                          api::CancellationResult* response) override;
  // Cancels every unfinished job of the job set (optionally only those in the
  // filter's states).
  grpc::Status CancelJobSet(grpc::ServerContext*, const api::JobSetCancelRequest* request,
                            google::protobuf::Empty*) override;

  // Sets the priority of the named jobs (no ids: the whole job set); the
  // result maps each id to "" or why it was not changed.
  grpc::Status ReprioritizeJobs(grpc::ServerContext*, const api::JobReprioritizeRequest* request,
                                api::JobReprioritizeResponse* response) override;
  // Preempts the named jobs that hold a lease; the result maps each id to ""
  // or why it was not preempted.
  grpc::Status PreemptJobs(grpc::ServerContext*, const api::JobPreemptRequest* request,
                           api::PreemptionResult* response) override;

  grpc::Status CreateQueue(grpc::ServerContext* c, const api::Queue* r,
                           google::protobuf::Empty* e) override {
    return queues_.CreateQueue(c, r, e);
  }
  grpc::Status CreateQueues(grpc::ServerContext* c, const api::QueueList* r,
                            api::BatchQueueCreateResponse* response) override {
    return queues_.CreateQueues(c, r, response);
  }
  grpc::Status UpdateQueue(grpc::ServerContext* c, const api::Queue* r,
                           google::protobuf::Empty* e) override {
    return queues_.UpdateQueue(c, r, e);
  }
  grpc::Status UpdateQueues(grpc::ServerContext* c, const api::QueueList* r,
                            api::BatchQueueUpdateResponse* response) override {
    return queues_.UpdateQueues(c, r, response);
  }
  grpc::Status DeleteQueue(grpc::ServerContext* c, const api::QueueDeleteRequest* r,
                           google::protobuf::Empty* e) override {
    return queues_.DeleteQueue(c, r, e);
  }
  grpc::Status GetQueue(grpc::ServerContext* c, const api::QueueGetRequest* r,
                        api::Queue* q) override {
    return queues_.GetQueue(c, r, q);
  }
  grpc::Status GetQueues(grpc::ServerContext* c, const api::StreamingQueueGetRequest* r,
                         grpc::ServerWriter<api::StreamingQueueMessage>* w) override {
    return queues_.GetQueues(c, r, w);
  }
  // Any authenticated caller, as in Armada.
  grpc::Status Health(grpc::ServerContext* context, const google::protobuf::Empty*,
                      api::HealthCheckResponse* response) override {
    if (auto caller = auth_.Authenticate(*context); !caller.ok()) {
      return ToGrpcStatus(caller.status());
    }
    response->set_status(api::HealthCheckResponse::SERVING);
    return grpc::Status::OK;
  }

 private:
  store::Database& db_;
  QueueService& queues_;
  JobOperations& operations_;
  const model::SubmitConfig config_;
  const common::Clock& clock_;
  const CallerAuth& auth_;
};

}  // namespace armada::server
