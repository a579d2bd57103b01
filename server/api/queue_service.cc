#include "server/api/queue_service.h"

#include "absl/strings/str_cat.h"
#include "lib/common/status_macros.h"
#include "lib/model/submit_validation.h"
#include "lib/store/queue_store.h"
#include "server/api/grpc_status.h"
#include "spdlog/spdlog.h"

namespace armada::server {
namespace {

// The name rule is submission's (lib/model/submit_validation): a queue that
// could be created but not submitted to would be a trap.
absl::Status ValidateQueue(const api::Queue& queue) {
  RETURN_IF_ERROR(model::ValidateQueueName("name", queue.name()));
  if (!(queue.priority_factor() >= 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "queue ", queue.name(), ": priority_factor must be >= 1, got ", queue.priority_factor()));
  }
  return absl::OkStatus();
}

absl::Status QueueExists(store::Database& db, const std::string& name) {
  return db.Run([&](pqxx::work& tx) { return store::GetQueue(tx, name).status(); });
}

}  // namespace

absl::Status QueueService::Create(const api::Queue& queue, const auth::Principal& creator) {
  RETURN_IF_ERROR(ValidateQueue(queue));
  api::Queue owned = queue;
  if (owned.user_owners().empty()) owned.add_user_owners(creator.name);
  store::QueueRecord record{owned.name(), owned.SerializeAsString(), owned.priority_factor(),
                            owned.cordoned()};
  return db_.Run([&](pqxx::work& tx) { return store::CreateQueue(tx, record); });
}

grpc::Status QueueService::CreateQueue(grpc::ServerContext* context, const api::Queue* request,
                                       google::protobuf::Empty*) {
  auto caller = auth_.Require(*context, auth::Permission::kCreateQueue);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return ToGrpcStatus(Create(*request, *caller));
}

grpc::Status QueueService::DeleteQueue(grpc::ServerContext* context,
                                       const api::QueueDeleteRequest* request,
                                       google::protobuf::Empty*) {
  if (auto caller = auth_.Require(*context, auth::Permission::kDeleteQueue); !caller.ok()) {
    return ToGrpcStatus(caller.status());
  }
  return ToGrpcStatus(
      db_.Run([&](pqxx::work& tx) { return store::DeleteQueue(tx, request->name()); }));
}

grpc::Status QueueService::GetQueue(grpc::ServerContext* context,
                                    const api::QueueGetRequest* request, api::Queue* response) {
  if (auto caller = auth_.Authenticate(*context); !caller.ok()) {
    return ToGrpcStatus(caller.status());
  }
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

grpc::Status QueueService::GetQueues(grpc::ServerContext* context,
                                     const api::StreamingQueueGetRequest* request,
                                     grpc::ServerWriter<api::StreamingQueueMessage>* writer) {
  if (auto caller = auth_.Authenticate(*context); !caller.ok()) {
    return ToGrpcStatus(caller.status());
  }
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

absl::Status QueueService::Update(const api::Queue& queue) {
  RETURN_IF_ERROR(ValidateQueue(queue));
  store::QueueRecord record{queue.name(), queue.SerializeAsString(), queue.priority_factor(),
                            queue.cordoned()};
  return db_.Run([&](pqxx::work& tx) { return store::UpdateQueue(tx, record); });
}

grpc::Status QueueService::CreateQueues(grpc::ServerContext* context, const api::QueueList* request,
                                        api::BatchQueueCreateResponse* response) {
  auto caller = auth_.Require(*context, auth::Permission::kCreateQueue);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  for (const api::Queue& queue : request->queues()) {
    absl::Status status = Create(queue, *caller);
    if (status.ok()) continue;
    auto* failed = response->add_failed_queues();
    *failed->mutable_queue() = queue;
    failed->set_error(std::string(status.message()));
  }
  return grpc::Status::OK;
}

grpc::Status QueueService::UpdateQueue(grpc::ServerContext* context, const api::Queue* request,
                                       google::protobuf::Empty*) {
  // Armada: updating a queue needs create_queue.
  if (auto caller = auth_.Require(*context, auth::Permission::kCreateQueue); !caller.ok()) {
    return ToGrpcStatus(caller.status());
  }
  return ToGrpcStatus(Update(*request));
}

grpc::Status QueueService::UpdateQueues(grpc::ServerContext* context, const api::QueueList* request,
                                        api::BatchQueueUpdateResponse* response) {
  if (auto caller = auth_.Require(*context, auth::Permission::kCreateQueue); !caller.ok()) {
    return ToGrpcStatus(caller.status());
  }
  for (const api::Queue& queue : request->queues()) {
    absl::Status status = Update(queue);
    if (status.ok()) continue;
    auto* failed = response->add_failed_queues();
    *failed->mutable_queue() = queue;
    failed->set_error(std::string(status.message()));
  }
  return grpc::Status::OK;
}

absl::Status QueueService::SetCordoned(const std::string& name, bool cordoned) {
  absl::Status status = db_.Run([&](pqxx::work& tx) -> absl::Status {
    ASSIGN_OR_RETURN(store::QueueRecord record, store::GetQueue(tx, name));
    api::Queue queue;
    if (!queue.ParseFromString(record.definition)) {
      return absl::DataLossError(absl::StrCat("queue ", name, " is not readable"));
    }
    queue.set_cordoned(cordoned);
    record.definition = queue.SerializeAsString();
    record.cordoned = cordoned;
    return store::UpdateQueue(tx, record);
  });
  if (status.ok()) spdlog::info("queue={} cordoned={}", name, cordoned);
  return status;
}

grpc::Status QueueService::CordonQueue(grpc::ServerContext* context,
                                       const api::QueueCordonRequest* request,
                                       google::protobuf::Empty*) {
  if (auto caller = auth_.Require(*context, auth::Permission::kCordonQueue); !caller.ok()) {
    return ToGrpcStatus(caller.status());
  }
  return ToGrpcStatus(SetCordoned(request->name(), true));
}

grpc::Status QueueService::UncordonQueue(grpc::ServerContext* context,
                                         const api::QueueUncordonRequest* request,
                                         google::protobuf::Empty*) {
  if (auto caller = auth_.Require(*context, auth::Permission::kCordonQueue); !caller.ok()) {
    return ToGrpcStatus(caller.status());
  }
  return ToGrpcStatus(SetCordoned(request->name(), false));
}

grpc::Status QueueService::PreemptOnQueue(grpc::ServerContext* context,
                                          const api::QueuePreemptRequest* request,
                                          google::protobuf::Empty*) {
  auto caller = auth_.Require(*context, auth::Permission::kPreemptAnyJobs);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (absl::Status s = QueueExists(db_, request->name()); !s.ok()) return ToGrpcStatus(s);
  store::JobFilter filter = FilterOf(*request);
  filter.queues = {request->name()};
  auto preempted = operations_.PreemptMatching(
      filter, caller->name, absl::StrCat("preempted on queue ", request->name()));
  if (!preempted.ok()) return ToGrpcStatus(preempted.status());
  spdlog::info("queue={} preempted {} jobs", request->name(), *preempted);
  return grpc::Status::OK;
}

grpc::Status QueueService::CancelOnQueue(grpc::ServerContext* context,
                                         const api::QueueCancelRequest* request,
                                         google::protobuf::Empty*) {
  auto caller = auth_.Require(*context, auth::Permission::kCancelAnyJobs);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (absl::Status s = QueueExists(db_, request->name()); !s.ok()) return ToGrpcStatus(s);
  store::JobFilter filter = FilterOf(*request);
  filter.queues = {request->name()};
  auto states =
      CancellableStates({request->jobstates().begin(), request->jobstates().end()}, "jobStates");
  if (!states.ok()) return ToGrpcStatus(states.status());
  filter.states = std::move(*states);
  auto cancelled = operations_.CancelMatching(filter, caller->name,
                                              absl::StrCat("cancelled on queue ", request->name()));
  if (!cancelled.ok()) return ToGrpcStatus(cancelled.status());
  spdlog::info("queue={} cancelled {} jobs", request->name(), *cancelled);
  return grpc::Status::OK;
}

}  // namespace armada::server
