// Messages whose JSON form is a scalar (Kubernetes' Quantity, IntOrString, Time, Duration and
// protobuf's Timestamp and Duration). Private to cli/yaml_proto.cc.
#pragma once

#include <string>

#include <google/protobuf/message.h>
#include <yaml-cpp/yaml.h>

#include "absl/status/statusor.h"

namespace armada::cli::internal {

// ConvertScalarMessage(node, message, path): fills `*message` from the scalar `node` when the
// message type has a scalar JSON form, and returns true; returns false, leaving `*message`
// untouched, for any other type. Forms:
//   k8s.io.apimachinery.pkg.api.resource.Quantity    "1", "500m", "512Mi" -> string (validated)
//   k8s.io.apimachinery.pkg.util.intstr.IntOrString  plain integer -> type 0 + intVal, any other
//                                                    scalar (also a quoted "8080") -> type 1 +
//                                                    strVal
//   meta.v1 Time / MicroTime, google.protobuf.Timestamp   RFC 3339 -> seconds + nanos
//   meta.v1 Duration (nanoseconds), google.protobuf.Duration   "90s", "1h30m", "1.5s"
// Errors: kInvalidArgument in YamlToMessage's format naming `path` and the value.
// `node` must be a scalar; `message` must not be null. Never throws.
absl::StatusOr<bool> ConvertScalarMessage(const YAML::Node& node,
                                          google::protobuf::Message* message,
                                          const std::string& path);

}  // namespace armada::cli::internal
