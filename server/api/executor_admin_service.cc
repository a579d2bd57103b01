#include "server/api/executor_admin_service.h"

#include "lib/store/executor_store.h"
#include "server/api/grpc_status.h"
#include "spdlog/spdlog.h"

namespace armada::server {
namespace {

absl::Status RequireName(const std::string& name) {
  if (name.empty()) return absl::InvalidArgumentError("name: the executor must be named");
  return absl::OkStatus();
}

}  // namespace

grpc::Status ExecutorAdminService::UpsertExecutorSettings(
    grpc::ServerContext* context, const api::ExecutorSettingsUpsertRequest* request,
    google::protobuf::Empty*) {
  auto caller = auth_.Require(*context, auth::Permission::kUpdateExecutorSettings);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
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
    grpc::ServerContext* context, const api::ExecutorSettingsDeleteRequest* request,
    google::protobuf::Empty*) {
  auto caller = auth_.Require(*context, auth::Permission::kUpdateExecutorSettings);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (auto s = RequireName(request->name()); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(db_.Run([&](pqxx::work& tx) {
    store::DeleteExecutorSettings(tx, request->name());
    return absl::OkStatus();
  }));
}

grpc::Status ExecutorAdminService::DeleteExecutor(grpc::ServerContext* context,
                                                  const api::ExecutorDeleteRequest* request,
                                                  google::protobuf::Empty*) {
  auto caller = auth_.Require(*context, auth::Permission::kUpdateExecutorSettings);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (auto s = RequireName(request->name()); !s.ok()) return ToGrpcStatus(s);
  return ToGrpcStatus(
      db_.Run([&](pqxx::work& tx) { return store::DeleteExecutor(tx, request->name()); }));
}

grpc::Status ExecutorAdminService::PreemptOnExecutor(grpc::ServerContext* context,
                                                     const api::ExecutorPreemptRequest* request,
                                                     google::protobuf::Empty*) {
  auto caller = auth_.Require(*context, auth::Permission::kPreemptAnyJobs);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (auto s = RequireName(request->name()); !s.ok()) return ToGrpcStatus(s);
  store::JobFilter filter = FilterOf(*request);
  filter.executor = request->name();
  auto preempted =
      operations_.PreemptMatching(filter, caller->name, "preempted on executor " + request->name());
  if (!preempted.ok()) return ToGrpcStatus(preempted.status());
  spdlog::info("executor={} preempted {} jobs", request->name(), *preempted);
  return grpc::Status::OK;
}

grpc::Status ExecutorAdminService::CancelOnExecutor(grpc::ServerContext* context,
                                                    const api::ExecutorCancelRequest* request,
                                                    google::protobuf::Empty*) {
  auto caller = auth_.Require(*context, auth::Permission::kCancelAnyJobs);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (auto s = RequireName(request->name()); !s.ok()) return ToGrpcStatus(s);
  store::JobFilter filter = FilterOf(*request);
  filter.executor = request->name();
  auto cancelled =
      operations_.CancelMatching(filter, caller->name, "cancelled on executor " + request->name());
  if (!cancelled.ok()) return ToGrpcStatus(cancelled.status());
  spdlog::info("executor={} cancelled {} jobs", request->name(), *cancelled);
  return grpc::Status::OK;
}

grpc::Status NodeService::PreemptOnNode(grpc::ServerContext* context,
                                        const api::NodePreemptRequest* request,
                                        google::protobuf::Empty*) {
  auto caller = auth_.Require(*context, auth::Permission::kPreemptAnyJobs);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (request->name().empty() || request->executor().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError("name and executor must both be set"));
  }
  store::JobFilter filter = FilterOf(*request);
  filter.executor = request->executor();
  filter.node = request->name();
  auto preempted =
      operations_.PreemptMatching(filter, caller->name, "preempted on node " + request->name());
  if (!preempted.ok()) return ToGrpcStatus(preempted.status());
  spdlog::info("executor={} node={} preempted {} jobs", request->executor(), request->name(),
               *preempted);
  return grpc::Status::OK;
}

grpc::Status NodeService::CancelOnNode(grpc::ServerContext* context,
                                       const api::NodeCancelRequest* request,
                                       google::protobuf::Empty*) {
  auto caller = auth_.Require(*context, auth::Permission::kCancelAnyJobs);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (request->name().empty() || request->executor().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError("name and executor must both be set"));
  }
  store::JobFilter filter = FilterOf(*request);
  filter.executor = request->executor();
  filter.node = request->name();
  auto cancelled =
      operations_.CancelMatching(filter, caller->name, "cancelled on node " + request->name());
  if (!cancelled.ok()) return ToGrpcStatus(cancelled.status());
  spdlog::info("executor={} node={} cancelled {} jobs", request->executor(), request->name(),
               *cancelled);
  return grpc::Status::OK;
}

}  // namespace armada::server
