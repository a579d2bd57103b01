#include "lib/common/yaml_config.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace armada::common {

absl::Status ParseYamlFile(const std::string& path,
                           const std::function<absl::Status(const YAML::Node&)>& parse) {
  absl::Status status;
  try {
    status = parse(YAML::LoadFile(path));
  } catch (const YAML::Exception& e) {
    status = absl::InvalidArgumentError(e.what());
  }
  if (status.ok()) return status;
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", status.message()));
}

absl::Status CheckKnownKeys(const YAML::Node& node, std::initializer_list<const char*> known) {
  if (!node.IsMap()) return absl::InvalidArgumentError("expected a map of settings");
  for (const auto& entry : node) {
    const std::string key = entry.first.as<std::string>();
    bool found = false;
    for (const char* k : known) found = found || key == k;
    if (!found) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", entry.first.Mark().line + 1, ": unknown key \"", key,
                       "\"; known keys: ", absl::StrJoin(known, ", ")));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadDuration(const YAML::Node& node, const char* key, absl::Duration* out) {
  if (!node[key]) return absl::OkStatus();
  const std::string text = node[key].as<std::string>();
  if (!absl::ParseDuration(text, out)) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, ": \"", text, "\" is not a duration (e.g. \"1s\", \"500ms\")"));
  }
  return absl::OkStatus();
}

}  // namespace armada::common
