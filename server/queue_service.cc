#include "server/queue_service.h"

#include "absl/strings/str_cat.h"
#include "lib/store/queue_store.h"
#include "server/grpc_status.h"

namespace armada::server {
namespace {

absl::Status ValidateQueue(const api::Queue& queue) {
  if (queue.name().empty()) return absl::InvalidArgumentError("queue name must be set");
  if (!(queue.priority_factor() >= 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "queue ", queue.name(), ": priority_factor must be >= 1, got ", queue.priority_factor()));
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status QueueService::CreateQueue(grpc::ServerContext*, const api::Queue* request,
                                       google::protobuf::Empty*) {
  if (absl::Status s = ValidateQueue(*request); !s.ok()) return ToGrpcStatus(s);
  store::QueueRecord record{request->name(), request->SerializeAsString(),
                            request->priority_factor(), request->cordoned()};
  return ToGrpcStatus(db_.Run([&](pqxx::work& tx) { return store::CreateQueue(tx, record); }));
}

grpc::Status QueueService::DeleteQueue(grpc::ServerContext*, const api::QueueDeleteRequest* request,
                                       google::protobuf::Empty*) {
  return ToGrpcStatus(
      db_.Run([&](pqxx::work& tx) { return store::DeleteQueue(tx, request->name()); }));
}

grpc::Status QueueService::GetQueue(grpc::ServerContext*, const api::QueueGetRequest* request,
                                    api::Queue* response) {
  absl::Status status = db_.Run([&](pqxx::work& tx) -> absl::Status {
    auto queue = store::GetQueue(tx, request->name());
    if (!queue.ok()) return queue.status();
    if (!response->ParseFromString(queue->definition)) {
      return absl::DataLossError(absl::StrCat("queue ", request->name(), " is not readable"));
    }
    return absl::OkStatus();
  });
  return ToGrpcStatus(status);
}

grpc::Status QueueService::GetQueues(grpc::ServerContext*,
                                     const api::StreamingQueueGetRequest* request,
                                     grpc::ServerWriter<api::StreamingQueueMessage>* writer) {
  std::vector<store::QueueRecord> queues;
  absl::Status status = db_.Run([&](pqxx::work& tx) {
    queues = store::ListQueues(tx);
    return absl::OkStatus();
  });
  if (!status.ok()) return ToGrpcStatus(status);
  uint32_t sent = 0;
  for (const auto& record : queues) {
    if (request->num() > 0 && sent == request->num()) break;
    api::StreamingQueueMessage message;
    if (!message.mutable_queue()->ParseFromString(record.definition)) continue;
    if (!writer->Write(message)) return grpc::Status::CANCELLED;
    ++sent;
  }
  api::StreamingQueueMessage end;
  end.mutable_end();
  writer->Write(end);
  return grpc::Status::OK;
}

}  // namespace armada::server
