#pragma once

// Armada's REST JSON for protobuf messages. It is protobuf's JSON mapping
// (camelCase keys, enums by name, oneofs as their set member, so an
// EventMessage renders as {"submitted": {...}}) with Kubernetes' JSON for
// the Kubernetes types the API embeds: a resource.Quantity is the plain
// string "1Gi" and an intstr.IntOrString is a plain number or string, where
// protobuf would give {"string": "1Gi"} and {"type": 0, "intVal": 80}.

#include <string>
#include <string_view>

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace armada::server {

// Merges the JSON object `json` into `message`. Enums may be given by name or
// number; unknown keys are ignored (as Go's encoding/json does in Armada's
// gateway). kInvalidArgument names the problem when `json` is not valid JSON
// or does not fit the message's fields.
absl::Status MergeRestJson(std::string_view json, google::protobuf::Message& message);

// `message` as one line of JSON, default values left out. kInternal only if
// protobuf refuses to print it (invalid UTF-8 in a string field).
absl::StatusOr<std::string> PrintRestJson(const google::protobuf::Message& message);

}  // namespace armada::server
