#pragma once

// Finds string fields that hold invalid UTF-8 anywhere in a message.
//
// Protobuf checks UTF-8 only in proto3 `string` fields, and only when it
// parses or serializes. The Kubernetes types (proto/k8s.io) are proto2, so a
// pod spec carries any bytes through submission untouched, and they surface
// later where a proto3 string, a JSON library or PostgreSQL refuses them.
// This walks a message by reflection: every set string field, in repeated
// fields, map keys and values and nested messages at any depth. `bytes`
// fields hold binary data by design and are skipped, and so are unknown
// fields (their type is not known).

#include <optional>
#include <string>

#include <google/protobuf/message.h>

namespace armada::protoutil {

struct InvalidUtf8Field {
  // Where it is, from the message given: "pod_specs[0].containers[1].workingDir",
  // "labels[app]" for a map value, "labels" for a map key.
  std::string path;
  // The offending string as it is, for the caller to escape.
  std::string value;
  // What is wrong: "is not valid UTF-8" or "holds a NUL character".
  std::string problem;
};

struct StringCheckOptions {
  // Also refuse U+0000: valid UTF-8, but PostgreSQL cannot store it in text
  // or jsonb, and a process's arguments and environment cannot hold it.
  bool refuse_nul = false;
};

// The first string field holding invalid UTF-8 (or, with refuse_nul, a NUL)
// in field-number order, depth first; nullopt when every string is fine.
std::optional<InvalidUtf8Field> FindInvalidUtf8(const google::protobuf::Message& message,
                                                StringCheckOptions options = {});

}  // namespace armada::protoutil
