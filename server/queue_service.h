#pragma once

// api.QueueService: queues live in PostgreSQL, stored as whole api.Queue
// messages so that fields we do not interpret yet survive a round trip.

#include "api/submit.grpc.pb.h"
#include "lib/store/database.h"

namespace armada::server {

class QueueService final : public api::QueueService::Service {
 public:
  explicit QueueService(store::Database& db) : db_(db) {}

  grpc::Status CreateQueue(grpc::ServerContext*, const api::Queue* request,
                           google::protobuf::Empty*) override;
  grpc::Status DeleteQueue(grpc::ServerContext*, const api::QueueDeleteRequest* request,
                           google::protobuf::Empty*) override;
  grpc::Status GetQueue(grpc::ServerContext*, const api::QueueGetRequest* request,
                        api::Queue* response) override;
  grpc::Status GetQueues(grpc::ServerContext* context, const api::StreamingQueueGetRequest* request,
                         grpc::ServerWriter<api::StreamingQueueMessage>* writer) override;

 private:
  store::Database& db_;
};

}  // namespace armada::server
