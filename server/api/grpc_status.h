#pragma once

// The one place absl::Status becomes grpc::Status (same codes, same message).

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace armada::server {

inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace armada::server
