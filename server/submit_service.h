#pragma once

// api.Submit: job submission and cancellation; the queue rpcs delegate to
// QueueService, as Armada's do.

#include "api/submit.grpc.pb.h"
#include "lib/common/clock.h"
#include "lib/model/submit_validation.h"
#include "lib/store/database.h"
#include "lib/store/job_store.h"
#include "server/queue_service.h"

namespace armada::server {

class SubmitService final : public api::Submit::Service {
 public:
  SubmitService(store::Database& db, QueueService& queues, const model::SubmitConfig& config,
                const common::Clock& clock)
      : db_(db), queues_(queues), config_(config), clock_(clock) {}

  // All or nothing: every item is validated before anything is written, and
  // the jobs with their submitted and queued events go in one transaction. An
  // item whose client_id its queue already holds gets the existing job's id.
  grpc::Status SubmitJobs(grpc::ServerContext*, const api::JobSubmitRequest* request,
                          api::JobSubmitResponse* response) override;
  // Cancels the named jobs that are not finished; returns those it cancelled.
  grpc::Status CancelJobs(grpc::ServerContext*, const api::JobCancelRequest* request,
                          api::CancellationResult* response) override;
  // Cancels every unfinished job of the job set (optionally only those in the
  // filter's states).
  grpc::Status CancelJobSet(grpc::ServerContext*, const api::JobSetCancelRequest* request,
                            google::protobuf::Empty*) override;

  grpc::Status CreateQueue(grpc::ServerContext* c, const api::Queue* r,
                           google::protobuf::Empty* e) override {
    return queues_.CreateQueue(c, r, e);
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
  grpc::Status Health(grpc::ServerContext*, const google::protobuf::Empty*,
                      api::HealthCheckResponse* response) override {
    response->set_status(api::HealthCheckResponse::SERVING);
    return grpc::Status::OK;
  }

 private:
  // Cancels `job_ids` (those still unfinished and, if `states` is not empty,
  // in one of them) in one transaction. Returns the ids cancelled.
  absl::StatusOr<std::vector<std::string>> Cancel(
      const std::function<std::vector<store::JobRecord>(pqxx::work&)>& select,
      const std::vector<model::JobState>& states, const std::string& reason);

  store::Database& db_;
  QueueService& queues_;
  const model::SubmitConfig config_;
  const common::Clock& clock_;
};

}  // namespace armada::server
