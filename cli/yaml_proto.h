// Descriptor-driven conversion of YAML (and JSON, which is YAML) into protobuf messages.
//
// armadactl reads job and queue files written in the camelCase JSON form of Armada's API
// messages. Instead of a hand-written parser per message, YamlToMessage walks the target
// message's Descriptor and fills it through Reflection, so every message in proto/ (including the
// embedded Kubernetes types) is supported without further code.
//
// Errors are kInvalidArgument with the message "<line>: <field path>: <problem>", for example
//   14: jobs[0].podSpec.containers[0].command: expected a list, got "echo hi"
// where <line> is 1-based (0 when the node carries no position, i.e. was built in code). Callers
// that know the file prefix the message with "<file>:" (see LoadYamlFile / job_file.h).
#pragma once

#include <string>
#include <vector>

#include <google/protobuf/message.h>
#include <yaml-cpp/yaml.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace armada::cli {

// YamlToMessage(node, message, path_for_errors): merges the YAML mapping `node` into `*message`.
//
// `path_for_errors` is the field path of `node` itself ("jobs[0]"; empty for a document root);
// error messages extend it ("jobs[0].podSpec.containers[1].image"). Keys of `skip_keys` are
// ignored in the top-level mapping only (the caller has handled them, e.g. apiVersion/kind).
//
// Rules:
//  - A key matches a field by its JSON name ("podSpec") or its proto name ("pod_spec"). Unknown
//    keys, duplicate keys and two members of one oneof are errors.
//  - Scalars are converted by field type: string (any scalar), bytes (base64), bool (true/false,
//    yes/no, on/off), int32/int64/uint32/uint64 (decimal, range-checked), double/float, enums by
//    value name ("Headless") or number.
//  - Repeated fields take YAML sequences, map fields take YAML mappings (keys converted by the map
//    key type), message fields take mappings, recursively.
//  - A null value ("key:" or "key: ~") leaves the field unset.
//  - Kubernetes/protobuf types with a scalar JSON form accept that scalar:
//      k8s.io.apimachinery.pkg.api.resource.Quantity      "1", "500m", "512Mi" (validated)
//      k8s.io.apimachinery.pkg.util.intstr.IntOrString    8080 -> intVal, "http" -> strVal
//      k8s meta.v1 Time / MicroTime, google.protobuf.Timestamp   RFC 3339 time
//      k8s meta.v1 Duration, google.protobuf.Duration     "1h30m", "1.5s"
//
// On error `*message` is left partially filled; callers discard it. Never throws. Thread-safe for
// distinct messages. `message` must not be null.
absl::Status YamlToMessage(const YAML::Node& node, google::protobuf::Message* message,
                           const std::string& path_for_errors,
                           const std::vector<std::string>& skip_keys = {});

// YamlError(node, path, problem): the kInvalidArgument status "<line of node>: <path>: <problem>"
// in the format YamlToMessage uses, for callers that check YAML themselves.
absl::Status YamlError(const YAML::Node& node, absl::string_view path, absl::string_view problem);

// DescribeYaml(node): how a value is shown in error messages: a scalar quoted ("\"echo hi\""),
// otherwise "a list", "a map" or "null".
std::string DescribeYaml(const YAML::Node& node);

// LoadYamlFile(path): the first YAML document of the file at `path`.
//
// Errors: kNotFound if the file does not exist, kPermissionDenied if it cannot be opened,
// kInvalidArgument "<path>:<line>: <problem>" for a YAML syntax error, and kInvalidArgument
// "<path>: the file is empty" for a file without a document. Never throws.
absl::StatusOr<YAML::Node> LoadYamlFile(const std::string& path);

// PrefixWithFile(file, status): `status` with its message prefixed by "<file>:", turning
// YamlToMessage's "<line>: ..." into "<file>:<line>: ...". Returns OK unchanged.
absl::Status PrefixWithFile(absl::string_view file, const absl::Status& status);

}  // namespace armada::cli
