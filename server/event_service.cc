#include "server/event_service.h"

#include "absl/strings/str_cat.h"
#include "lib/events/event_reader.h"
#include "server/grpc_status.h"

namespace armada::server {
namespace {
constexpr int kBatch = 500;
constexpr absl::Duration kBlock = absl::Milliseconds(500);
}  // namespace

grpc::Status EventService::GetJobSetEvents(grpc::ServerContext* context,
                                           const api::JobSetRequest* request,
                                           grpc::ServerWriter<api::EventStreamMessage>* writer) {
  if (request->queue().empty() || request->id().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError("queue and id (the job set) must both be set"));
  }
  auto redis = events::RedisClient::Connect(redis_url_);
  if (!redis.ok()) return ToGrpcStatus(redis.status());
  if (request->errorifmissing()) {
    auto exists = events::JobSetStreamExists(**redis, request->queue(), request->id());
    if (!exists.ok()) return ToGrpcStatus(exists.status());
    if (!*exists) {
      return ToGrpcStatus(absl::NotFoundError(absl::StrCat("job set ", request->id(), " in queue ",
                                                           request->queue(), " has no events")));
    }
  }
  std::string last_id = request->from_message_id();
  while (!context->IsCancelled()) {
    auto batch = events::ReadJobSetEvents(**redis, request->queue(), request->id(), last_id, kBatch,
                                          request->watch() ? kBlock : absl::ZeroDuration());
    if (!batch.ok()) return ToGrpcStatus(batch.status());
    for (const events::StreamEvent& event : *batch) {
      api::EventStreamMessage message;
      message.set_id(event.id);
      if (!message.mutable_message()->ParseFromString(event.message)) {
        return ToGrpcStatus(absl::DataLossError(absl::StrCat("event ", event.id, " is corrupt")));
      }
      if (!writer->Write(message)) return grpc::Status::OK;  // the client went away
      last_id = event.id;
    }
    if (!request->watch() && static_cast<int>(batch->size()) < kBatch) break;
  }
  return grpc::Status::OK;
}

grpc::Status EventService::Watch(grpc::ServerContext* context, const api::WatchRequest* request,
                                 grpc::ServerWriter<api::EventStreamMessage>* writer) {
  api::JobSetRequest job_set;
  job_set.set_queue(request->queue());
  job_set.set_id(request->job_set_id());
  job_set.set_from_message_id(request->from_id());
  job_set.set_watch(true);
  job_set.set_errorifmissing(true);
  return GetJobSetEvents(context, &job_set, writer);
}

}  // namespace armada::server
