#pragma once

// api.Executor: operators' controls over executors. Cordoning an executor
// stops new leases to it (its running jobs go on); deleting one forgets it
// until it reports again.

#include "api/executor.grpc.pb.h"
#include "lib/store/database.h"

namespace armada::server {

class ExecutorAdminService final : public api::Executor::Service {
 public:
  explicit ExecutorAdminService(store::Database& db) : db_(db) {}

  grpc::Status UpsertExecutorSettings(grpc::ServerContext*,
                                      const api::ExecutorSettingsUpsertRequest* request,
                                      google::protobuf::Empty*) override;
  grpc::Status DeleteExecutorSettings(grpc::ServerContext*,
                                      const api::ExecutorSettingsDeleteRequest* request,
                                      google::protobuf::Empty*) override;
  grpc::Status DeleteExecutor(grpc::ServerContext*, const api::ExecutorDeleteRequest* request,
                              google::protobuf::Empty*) override;

 private:
  store::Database& db_;
};

}  // namespace armada::server
