#include "server/executor_admin_service.h"

#include "lib/store/executor_store.h"
#include "server/grpc_status.h"
#include "spdlog/spdlog.h"

namespace armada::server {
namespace {

absl::Status RequireName(const std::string& name) {
  if (name.empty()) return absl::InvalidArgumentError("name: the executor must be named");
  return absl::OkStatus();
}

}  // namespace

grpc::Status ExecutorAdminService::UpsertExecutorSettings(
    grpc::ServerContext*, const api::ExecutorSettingsUpsertRequest* request,
    google::protobuf::Empty*) {
  if (auto s = RequireName(request->name()); !s.ok()) return ToGrpcStatus(s);
  absl::Status status = db_.Run([&](pqxx::work& tx) {
    store::UpsertExecutorSettings(tx, request->name(), request->cordoned(),
                                  request->cordonreason());
    return absl::OkStatus();
  });
  if (status.ok()) {
    spdlog::info("executor={} cordoned={} reason=\"{}\"", request->name(), request->cordoned(),
                 request->cordonreason());
  }
  return ToGrpcStatus(status);
}

grpc::Status ExecutorAdminService::DeleteExecutorSettings(
    grpc::ServerContext*, const api::ExecutorSettingsDeleteRequest* request,
    google::protobuf::Empty*) {
  if (auto s = RequireName(request->name()); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(db_.Run([&](pqxx::work& tx) {
    store::DeleteExecutorSettings(tx, request->name());
    return absl::OkStatus();
  }));
}

grpc::Status ExecutorAdminService::DeleteExecutor(grpc::ServerContext*,
                                                  const api::ExecutorDeleteRequest* request,
                                                  google::protobuf::Empty*) {
  if (auto s = RequireName(request->name()); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(
      db_.Run([&](pqxx::work& tx) { return store::DeleteExecutor(tx, request->name()); }));
}

}  // namespace armada::server
