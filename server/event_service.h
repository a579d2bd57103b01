#pragma once

// api.Event: a job set's events from its Redis stream, in order, resumable
// from any message id. Each call reads with its own Redis connection; the
// shared pub/sub wake-up for thousands of watchers comes with the full API.

#include "api/event.grpc.pb.h"

namespace armada::server {

class EventService final : public api::Event::Service {
 public:
  explicit EventService(std::string redis_url) : redis_url_(std::move(redis_url)) {}

  grpc::Status GetJobSetEvents(grpc::ServerContext* context, const api::JobSetRequest* request,
                               grpc::ServerWriter<api::EventStreamMessage>* writer) override;
  grpc::Status Watch(grpc::ServerContext* context, const api::WatchRequest* request,
                     grpc::ServerWriter<api::EventStreamMessage>* writer) override;
  grpc::Status Health(grpc::ServerContext*, const google::protobuf::Empty*,
                      api::HealthCheckResponse* response) override {
    response->set_status(api::HealthCheckResponse::SERVING);
    return grpc::Status::OK;
  }

 private:
  const std::string redis_url_;
};

}  // namespace armada::server
