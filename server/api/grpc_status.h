#pragma once

// The one place absl::Status becomes grpc::Status (same codes, same message).

#include "lib/net/grpc_status.h"

namespace armada::server {

using net::ToGrpcStatus;

}  // namespace armada::server
