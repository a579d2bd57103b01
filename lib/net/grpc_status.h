#pragma once

// absl::Status <-> grpc::Status: the codes are the same numbers, the message
// is kept.

#include <string>

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace armada::net {

inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

inline absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace armada::net
