#pragma once

// binoculars.Binoculars as armada-executor serves it: the output of the runs
// of this executor's backend (local: the run's files; Kubernetes: the pod log
// API; fake: nothing). armada-server calls it on behalf of users it has
// already checked (watch permission on the job's queue); this side checks
// only that the caller holds the shared token, when one is configured.
//
// Logs answers INVALID_ARGUMENT naming the field for a request it cannot
// serve (no job id, pod_number other than 0, a since_time that is not RFC
// 3339), NOT_FOUND when the backend has no output for the run, and
// UNAUTHENTICATED for a missing or wrong token. Cordon is UNIMPLEMENTED:
// single nodes are not cordoned; whole executors are, through the server.
// Thread-safe: Backend::Logs is.

#include <memory>
#include <string>

#include <grpcpp/server.h>
#include "absl/status/statusor.h"
#include "absl/time/time.h"

#include "binoculars/binoculars.grpc.pb.h"
#include "executor/backend.h"
#include "lib/net/authorization.h"

namespace armada::executor {

// What `request` asks of the backend, at `now` (for sinceSeconds).
absl::StatusOr<LogQuery> LogQueryFromRequest(const binoculars::LogRequest& request, absl::Time now);

class BinocularsService final : public binoculars::Binoculars::Service {
 public:
  // Borrows `backend`. With `token`, every call must carry its header value
  // ("Bearer <token>") as `authorization`.
  BinocularsService(const Backend& backend, std::shared_ptr<net::AuthorizationSource> token)
      : backend_(backend), token_(std::move(token)) {}

  grpc::Status Logs(grpc::ServerContext* context, const binoculars::LogRequest* request,
                    binoculars::LogResponse* response) override;
  grpc::Status Cordon(grpc::ServerContext* context, const binoculars::CordonRequest* request,
                      google::protobuf::Empty* response) override;

 private:
  grpc::Status CheckToken(const grpc::ServerContext& context) const;

  const Backend& backend_;
  const std::shared_ptr<net::AuthorizationSource> token_;
};

// Serves `service` (borrowed) on `listen` ("host:port"), plaintext gRPC.
// kUnavailable naming the address when it cannot listen there.
absl::StatusOr<std::unique_ptr<grpc::Server>> StartBinocularsServer(const std::string& listen,
                                                                    BinocularsService& service);

// True for "127.x.x.x:port", "localhost:port" and "[::1]:port".
bool IsLoopbackAddress(const std::string& address);

}  // namespace armada::executor
