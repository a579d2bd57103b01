#pragma once

// api.QueueService: queues live in PostgreSQL, stored as whole api.Queue
// messages so that fields we do not interpret yet survive a round trip.
// Cordoning a queue stops new leases for its jobs (running ones go on);
// cancel and preempt on a queue act on its jobs in batches.
// Permissions as Armada's: create_queue to create or update, delete_queue,
// cordon_queue, cancel_any_jobs / preempt_any_jobs for the queue-wide
// actions; reading queues needs only an authenticated caller. A queue
// created without user owners is owned by its creator.

#include "api/submit.grpc.pb.h"
#include "lib/store/database.h"
#include "server/api/caller_auth.h"
#include "server/jobs/job_operations.h"

namespace armada::server {

class QueueService final : public api::QueueService::Service {
 public:
  QueueService(store::Database& db, JobOperations& operations, const CallerAuth& auth)
      : db_(db), operations_(operations), auth_(auth) {}

  grpc::Status CreateQueue(grpc::ServerContext*, const api::Queue* request,
                           google::protobuf::Empty*) override;
  // Each queue is created on its own; the response lists those that failed.
  grpc::Status CreateQueues(grpc::ServerContext*, const api::QueueList* request,
                            api::BatchQueueCreateResponse* response) override;
  // Replaces the whole definition; NOT_FOUND if the queue does not exist.
  grpc::Status UpdateQueue(grpc::ServerContext*, const api::Queue* request,
                           google::protobuf::Empty*) override;
  grpc::Status UpdateQueues(grpc::ServerContext*, const api::QueueList* request,
                            api::BatchQueueUpdateResponse* response) override;
  // FAILED_PRECONDITION while the queue has unfinished jobs.
  grpc::Status DeleteQueue(grpc::ServerContext*, const api::QueueDeleteRequest* request,
                           google::protobuf::Empty*) override;
  grpc::Status GetQueue(grpc::ServerContext*, const api::QueueGetRequest* request,
                        api::Queue* response) override;
  // Up to `num` queues (0: all), by name, then the end marker.
  grpc::Status GetQueues(grpc::ServerContext* context, const api::StreamingQueueGetRequest* request,
                         grpc::ServerWriter<api::StreamingQueueMessage>* writer) override;
  grpc::Status CordonQueue(grpc::ServerContext*, const api::QueueCordonRequest* request,
                           google::protobuf::Empty*) override;
  grpc::Status UncordonQueue(grpc::ServerContext*, const api::QueueUncordonRequest* request,
                             google::protobuf::Empty*) override;
  // Preempts the queue's jobs that hold a lease, optionally only those of the
  // given priority classes and pools.
  grpc::Status PreemptOnQueue(grpc::ServerContext*, const api::QueuePreemptRequest* request,
                              google::protobuf::Empty*) override;
  // Cancels the queue's unfinished jobs, optionally only those in the given
  // states, priority classes and pools.
  grpc::Status CancelOnQueue(grpc::ServerContext*, const api::QueueCancelRequest* request,
                             google::protobuf::Empty*) override;

 private:
  absl::Status Create(const api::Queue& queue, const auth::Principal& creator);
  absl::Status Update(const api::Queue& queue);
  absl::Status SetCordoned(const std::string& name, bool cordoned);

  store::Database& db_;
  JobOperations& operations_;
  const CallerAuth& auth_;
};

}  // namespace armada::server
