// Typed reads of armadactl config-file values and the authentication blocks. Private to
// cli/cli_config.cc. Every error is kInvalidArgument "<file>:<line>: <key path>: <problem>".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/auth_config.h"

namespace armada::cli::internal {

// ConfigError(file, node, path, problem): the error above, at the line of `node`.
absl::Status ConfigError(const std::string& file, const YAML::Node& node, const std::string& path,
                         const std::string& problem);

// A scalar as a string (null: ""). Anything else is an error.
absl::StatusOr<std::string> ReadString(const std::string& file, const YAML::Node& node,
                                       const std::string& path);

// true/false (YAML's spellings). Anything else is an error.
absl::StatusOr<bool> ReadBool(const std::string& file, const YAML::Node& node,
                              const std::string& path);

// A list of strings (null: empty). A scalar or a list holding a non-scalar is an error.
absl::StatusOr<std::vector<std::string>> ReadStringList(const std::string& file,
                                                        const YAML::Node& node,
                                                        const std::string& path);

// AuthKindOf(key): the kind an authentication key selects ("openIdPasswordAuth" ->
// kOpenIdPassword); nullopt when `key` is not one.
std::optional<AuthKind> AuthKindOf(const std::string& key);

// ParseAuthBlock(file, kind, node, path): the block `node` at `path`. Checks the block's shape,
// rejects unknown keys (naming them) and requires the fields the kind cannot work without
// ("<path>: missing providerUrl"). The blocks of unsupported kinds (kubernetesNativeAuth,
// openIdKubernetesAuth) must be maps; their fields are not read.
absl::StatusOr<AuthConfig> ParseAuthBlock(const std::string& file, AuthKind kind,
                                          const YAML::Node& node, const std::string& path);

}  // namespace armada::cli::internal
