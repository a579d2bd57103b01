#pragma once

// api.Executor and api.Node: operators' controls over executors and their
// nodes. Cordoning an executor stops new leases to it (its running jobs go
// on); deleting one forgets it until it reports again; preempt and cancel act
// on the jobs running there (optionally only some queues, priority classes
// and pools). Settings and deletion need update_executor_settings; preempt
// and cancel need preempt_any_jobs / cancel_any_jobs (Armada's checks).

#include "api/executor.grpc.pb.h"
#include "api/node.grpc.pb.h"
#include "lib/store/database.h"
#include "server/api/caller_auth.h"
#include "server/jobs/job_operations.h"

namespace armada::server {

class ExecutorAdminService final : public api::Executor::Service {
 public:
  ExecutorAdminService(store::Database& db, JobOperations& operations, const CallerAuth& auth)
      : db_(db), operations_(operations), auth_(auth) {}

  grpc::Status UpsertExecutorSettings(grpc::ServerContext*,
                                      const api::ExecutorSettingsUpsertRequest* request,
                                      google::protobuf::Empty*) override;
  grpc::Status DeleteExecutorSettings(grpc::ServerContext*,
                                      const api::ExecutorSettingsDeleteRequest* request,
                                      google::protobuf::Empty*) override;
  grpc::Status DeleteExecutor(grpc::ServerContext*, const api::ExecutorDeleteRequest* request,
                              google::protobuf::Empty*) override;
  grpc::Status PreemptOnExecutor(grpc::ServerContext*, const api::ExecutorPreemptRequest* request,
                                 google::protobuf::Empty*) override;
  grpc::Status CancelOnExecutor(grpc::ServerContext*, const api::ExecutorCancelRequest* request,
                                google::protobuf::Empty*) override;

 private:
  store::Database& db_;
  JobOperations& operations_;
  const CallerAuth& auth_;
};

class NodeService final : public api::Node::Service {
 public:
  NodeService(JobOperations& operations, const CallerAuth& auth)
      : operations_(operations), auth_(auth) {}

  grpc::Status PreemptOnNode(grpc::ServerContext*, const api::NodePreemptRequest* request,
                             google::protobuf::Empty*) override;
  grpc::Status CancelOnNode(grpc::ServerContext*, const api::NodeCancelRequest* request,
                            google::protobuf::Empty*) override;

 private:
  JobOperations& operations_;
  const CallerAuth& auth_;
};

}  // namespace armada::server
