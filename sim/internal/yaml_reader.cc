#include "sim/internal/yaml_reader.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/common/status_macros.h"

namespace armada::sim::internal {
namespace {

// The scalar text of `node`, or an error naming `path` when it is not a scalar.
absl::StatusOr<std::string> Scalar(const YAML::Node& node, const std::string& path,
                                   const std::string& expected) {
  if (!node.IsDefined() || node.IsNull()) return ErrorAt(node, path, "missing value");
  if (!node.IsScalar()) return ErrorAt(node, path, absl::StrCat("expected ", expected));
  return node.Scalar();
}

template <typename T>
absl::StatusOr<T> Convert(const YAML::Node& node, const std::string& path,
                          const std::string& expected) {
  ASSIGN_OR_RETURN(std::string text, Scalar(node, path, expected));
  T value;
  if (!YAML::convert<T>::decode(node, value)) {
    return ErrorAt(node, path, absl::StrCat("expected ", expected, ", got \"", text, "\""));
  }
  return value;
}

}  // namespace

int LineOf(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  return node.Mark().line + 1;
}

absl::Status ErrorAt(const YAML::Node& node, const std::string& path, const std::string& problem) {
  return absl::InvalidArgumentError(absl::StrCat(LineOf(node), ": ", path, ": ", problem));
}

absl::Status CheckKeys(const YAML::Node& map, const std::string& path,
                       std::initializer_list<const char*> known) {
  if (!map.IsMap()) return ErrorAt(map, path.empty() ? "scenario" : path, "expected a map");
  for (const auto& entry : map) {
    const std::string key = entry.first.Scalar();
    bool found = false;
    for (const char* k : known) found = found || key == k;
    if (!found) {
      return ErrorAt(entry.first, Key(path, key),
                     absl::StrCat("unknown key; known keys: ", absl::StrJoin(known, ", ")));
    }
  }
  return absl::OkStatus();
}

absl::Status Require(const YAML::Node& map, const char* key, const std::string& path) {
  if (map.IsMap() && map[key].IsDefined()) return absl::OkStatus();
  return ErrorAt(map, Key(path, key), "required key is missing");
}

std::string Key(const std::string& path, const std::string& key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
}

std::string Index(const std::string& path, size_t i) { return absl::StrCat(path, "[", i, "]"); }

absl::StatusOr<std::string> ReadString(const YAML::Node& node, const std::string& path) {
  return Scalar(node, path, "a string");
}

absl::StatusOr<int64_t> ReadInt(const YAML::Node& node, const std::string& path) {
  return Convert<int64_t>(node, path, "an integer");
}

absl::StatusOr<double> ReadDouble(const YAML::Node& node, const std::string& path) {
  return Convert<double>(node, path, "a number");
}

absl::StatusOr<bool> ReadBool(const YAML::Node& node, const std::string& path) {
  return Convert<bool>(node, path, "true or false");
}

absl::StatusOr<absl::Duration> ReadDuration(const YAML::Node& node, const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, Scalar(node, path, "a duration"));
  absl::Duration d;
  if (!absl::ParseDuration(text, &d)) {
    return ErrorAt(node, path,
                   absl::StrCat("\"", text, "\" is not a duration (e.g. \"10s\", \"5m\")"));
  }
  if (d < absl::ZeroDuration()) return ErrorAt(node, path, "must not be negative");
  return d;
}

absl::StatusOr<std::map<std::string, std::string>> ReadStringMap(const YAML::Node& node,
                                                                 const std::string& path) {
  std::map<std::string, std::string> out;
  if (!node.IsDefined() || node.IsNull()) return out;
  if (!node.IsMap()) return ErrorAt(node, path, "expected a map of strings");
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    ASSIGN_OR_RETURN(out[key], ReadString(entry.second, Key(path, key)));
  }
  return out;
}

absl::StatusOr<model::ResourceList> ReadResources(const YAML::Node& node, const std::string& path) {
  ASSIGN_OR_RETURN(auto quantities, ReadStringMap(node, path));
  auto parsed = model::ResourceList::Parse(quantities);
  if (!parsed.ok()) return ErrorAt(node, path, std::string(parsed.status().message()));
  for (const auto& [name, milli] : parsed->entries()) {
    if (milli < 0) return ErrorAt(node, Key(path, name), "must not be negative");
  }
  return *std::move(parsed);
}

absl::StatusOr<std::vector<model::Taint>> ReadTaints(const YAML::Node& node,
                                                     const std::string& path) {
  std::vector<model::Taint> out;
  if (!node.IsDefined() || node.IsNull()) return out;
  if (!node.IsSequence()) return ErrorAt(node, path, "expected a list of taints");
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node t = node[i];
    const std::string p = Index(path, i);
    RETURN_IF_ERROR(CheckKeys(t, p, {"key", "value", "effect"}));
    RETURN_IF_ERROR(Require(t, "key", p));
    RETURN_IF_ERROR(Require(t, "effect", p));
    model::Taint taint;
    ASSIGN_OR_RETURN(taint.key, ReadString(t["key"], Key(p, "key")));
    if (t["value"]) {
      ASSIGN_OR_RETURN(taint.value, ReadString(t["value"], Key(p, "value")));
    }
    ASSIGN_OR_RETURN(taint.effect, ReadString(t["effect"], Key(p, "effect")));
    if (taint.effect != "NoSchedule" && taint.effect != "PreferNoSchedule" &&
        taint.effect != "NoExecute") {
      return ErrorAt(t["effect"], Key(p, "effect"),
                     "expected NoSchedule, PreferNoSchedule or NoExecute");
    }
    out.push_back(std::move(taint));
  }
  return out;
}

absl::StatusOr<std::vector<model::Toleration>> ReadTolerations(const YAML::Node& node,
                                                               const std::string& path) {
  std::vector<model::Toleration> out;
  if (!node.IsDefined() || node.IsNull()) return out;
  if (!node.IsSequence()) return ErrorAt(node, path, "expected a list of tolerations");
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node t = node[i];
    const std::string p = Index(path, i);
    RETURN_IF_ERROR(CheckKeys(t, p, {"key", "operator", "value", "effect", "tolerationSeconds"}));
    model::Toleration tol;
    if (t["key"]) {
      ASSIGN_OR_RETURN(tol.key, ReadString(t["key"], Key(p, "key")));
    }
    if (t["operator"]) {
      ASSIGN_OR_RETURN(tol.op, ReadString(t["operator"], Key(p, "operator")));
    }
    if (tol.op != "Equal" && tol.op != "Exists") {
      return ErrorAt(t["operator"], Key(p, "operator"), "expected Equal or Exists");
    }
    if (t["value"]) {
      ASSIGN_OR_RETURN(tol.value, ReadString(t["value"], Key(p, "value")));
    }
    if (t["effect"]) {
      ASSIGN_OR_RETURN(tol.effect, ReadString(t["effect"], Key(p, "effect")));
    }
    out.push_back(std::move(tol));
  }
  return out;
}

}  // namespace armada::sim::internal
