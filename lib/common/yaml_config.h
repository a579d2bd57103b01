#pragma once

// Helpers for the binaries' YAML configuration files. Errors are
// kInvalidArgument and name the file, the key and the value.

#include <functional>
#include <initializer_list>
#include <string>

#include <yaml-cpp/yaml.h>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace armada::common {

// Loads `path` and hands its root to `parse`. Syntax errors and values of the
// wrong type (yaml-cpp exceptions) come back as statuses naming the line;
// every error is prefixed with the path.
absl::Status ParseYamlFile(const std::string& path,
                           const std::function<absl::Status(const YAML::Node&)>& parse);

// Rejects a key of the map `node` that is not in `known` (a misspelt key would
// otherwise be ignored without a word).
absl::Status CheckKnownKeys(const YAML::Node& node, std::initializer_list<const char*> known);

// Sets *out from `node[key]` ("1s", "500ms", "2h") when the key is present.
absl::Status ReadDuration(const YAML::Node& node, const char* key, absl::Duration* out);

}  // namespace armada::common
