// -----------------------------------------------------------------------------
// File: executor/backends/kubernetes/pod_spec_json.h
// -----------------------------------------------------------------------------
//
// Converts the lease's pod spec (a k8s.io.api.core.v1.PodSpec in protobuf wire format, see
// RunSpec::pod_spec) into the JSON the Kubernetes REST API takes. Kubernetes' generated
// protos name fields as its JSON does, so the conversion walks the message by reflection and
// renders the few special types as Kubernetes does: Quantity as its string ("500m"),
// IntOrString as a number or a string, Time as RFC 3339, int64 as a JSON number, bytes as
// base64, maps as objects. Unset optional fields and empty lists are left out.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"

namespace armada::executor::kubernetes {

// Errors: kInvalidArgument if `wire` is not a parsable PodSpec. Thread-safe.
absl::StatusOr<nlohmann::json> PodSpecWireToJson(const std::string& wire);

}  // namespace armada::executor::kubernetes
