#pragma once

// Typed reads of scenario YAML nodes. Every error is kInvalidArgument and reads
// "<line>: <path>: <problem>", where <path> names the key (`rounds[0].submit[1].count`); the
// caller prefixes the file name. yaml-cpp exceptions never leave these functions.

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/model/resource_list.h"
#include "lib/model/scheduling_types.h"

namespace armada::sim::internal {

// The 1-based line of `node`, or 0 when yaml-cpp has none (a missing node).
int LineOf(const YAML::Node& node);

// ErrorAt(node, path, problem): kInvalidArgument "<line>: <path>: <problem>".
absl::Status ErrorAt(const YAML::Node& node, const std::string& path, const std::string& problem);

// CheckKeys(map, path, known): OK iff `map` is a map whose keys are all in `known`; otherwise
// names the first unknown key with its own line, e.g. `12: rounds[0].submit[0].cout: unknown
// key; known keys: queue, count, ...`.
absl::Status CheckKeys(const YAML::Node& map, const std::string& path,
                       std::initializer_list<const char*> known);

// Require(map, key, path): OK iff `key` is present in `map`; else names `path.key` at the map's
// line.
absl::Status Require(const YAML::Node& map, const char* key, const std::string& path);

// Child path: Key("a", "b") == "a.b", Key("", "b") == "b"; Index("a", 2) == "a[2]".
std::string Key(const std::string& path, const std::string& key);
std::string Index(const std::string& path, size_t i);

// Scalar reads of `node` (which must be present): the error names `path` and the value.
absl::StatusOr<std::string> ReadString(const YAML::Node& node, const std::string& path);
absl::StatusOr<int64_t> ReadInt(const YAML::Node& node, const std::string& path);
absl::StatusOr<double> ReadDouble(const YAML::Node& node, const std::string& path);
absl::StatusOr<bool> ReadBool(const YAML::Node& node, const std::string& path);
// "10s", "5m", "1h30m", "0" (absl::ParseDuration syntax, plus a bare 0).
absl::StatusOr<absl::Duration> ReadDuration(const YAML::Node& node, const std::string& path);

// A map of strings to strings (labels, node selectors); null means empty.
absl::StatusOr<std::map<std::string, std::string>> ReadStringMap(const YAML::Node& node,
                                                                 const std::string& path);
// A map of resource name to Kubernetes quantity ("32", "256Gi"); null means empty.
absl::StatusOr<model::ResourceList> ReadResources(const YAML::Node& node, const std::string& path);
// A list of {key, value, effect}; null means empty.
absl::StatusOr<std::vector<model::Taint>> ReadTaints(const YAML::Node& node,
                                                     const std::string& path);
// A list of Kubernetes tolerations {key, operator, value, effect}; null means empty.
absl::StatusOr<std::vector<model::Toleration>> ReadTolerations(const YAML::Node& node,
                                                               const std::string& path);

}  // namespace armada::sim::internal
