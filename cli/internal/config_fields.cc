#include "cli/internal/config_fields.h"

#include <functional>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/yaml_proto.h"
#include "lib/common/status_macros.h"

namespace armada::cli::internal {
namespace {

// One key of a block and how to read its value (`path` is the key's path, for errors).
struct Field {
  std::string key;
  std::function<absl::Status(const YAML::Node& value, const std::string& path)> read;
};

absl::Status ReadFields(const std::string& file, const YAML::Node& node, const std::string& path,
                        const std::vector<Field>& fields) {
  if (!node.IsMap()) {
    return ConfigError(file, node, path, absl::StrCat("expected a map, got ", DescribeYaml(node)));
  }
  for (const auto& entry : node) {
    const std::string key = entry.first.as<std::string>("");
    const std::string key_path = absl::StrCat(path, ".", key);
    const Field* field = nullptr;
    for (const Field& candidate : fields) {
      if (candidate.key == key) field = &candidate;
    }
    if (field == nullptr) {
      std::vector<std::string> known;
      for (const Field& candidate : fields) known.push_back(candidate.key);
      return ConfigError(file, entry.first, key_path,
                         absl::StrCat("unknown key (expected ", absl::StrJoin(known, ", "), ")"));
    }
    RETURN_IF_ERROR(field->read(entry.second, key_path));
  }
  return absl::OkStatus();
}

Field StringField(const std::string& file, const std::string& key, std::string& out) {
  return Field{key, [&file, &out](const YAML::Node& value, const std::string& path) {
                 ASSIGN_OR_RETURN(out, ReadString(file, value, path));
                 return absl::OkStatus();
               }};
}

Field ListField(const std::string& file, const std::string& key, std::vector<std::string>& out) {
  return Field{key, [&file, &out](const YAML::Node& value, const std::string& path) {
                 ASSIGN_OR_RETURN(out, ReadStringList(file, value, path));
                 return absl::OkStatus();
               }};
}

// A field Armada has and armadactl does not use (openIdAuth.localPort): any scalar.
Field UnusedScalarField(const std::string& file, const std::string& key) {
  return Field{key, [&file](const YAML::Node& value, const std::string& path) {
                 return ReadString(file, value, path).status();
               }};
}

// "<path>: missing <key>" for each required key left empty.
absl::Status RequireFields(const std::string& file, const YAML::Node& node, const std::string& path,
                           const std::vector<std::pair<std::string, const std::string*>>& keys) {
  for (const auto& [key, value] : keys) {
    if (value->empty()) return ConfigError(file, node, path, absl::StrCat("missing ", key));
  }
  return absl::OkStatus();
}

// execAuth.env: a list of {name, value}.
absl::Status ReadEnv(const std::string& file, const YAML::Node& node, const std::string& path,
                     std::vector<std::pair<std::string, std::string>>& env) {
  if (node.IsNull()) return absl::OkStatus();
  if (!node.IsSequence()) {
    return ConfigError(file, node, path,
                       absl::StrCat("expected a list of {name, value}, got ", DescribeYaml(node)));
  }
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string item_path = absl::StrCat(path, "[", i, "]");
    std::string name;
    std::string value;
    RETURN_IF_ERROR(
        ReadFields(file, node[i], item_path,
                   {StringField(file, "name", name), StringField(file, "value", value)}));
    if (name.empty()) return ConfigError(file, node[i], item_path, "missing name");
    env.emplace_back(name, value);
  }
  return absl::OkStatus();
}

absl::Status ParseOidc(const std::string& file, AuthKind kind, const YAML::Node& node,
                       const std::string& path, OidcAuthConfig& oidc) {
  std::vector<Field> fields = {
      StringField(file, "providerUrl", oidc.provider_url),
      StringField(file, "clientId", oidc.client_id),
      ListField(file, "scopes", oidc.scopes),
      StringField(file, "caFile", oidc.ca_file),
  };
  std::vector<std::pair<std::string, const std::string*>> required = {
      {"providerUrl", &oidc.provider_url}, {"clientId", &oidc.client_id}};
  switch (kind) {
    case AuthKind::kOpenIdPkce:
      fields.push_back(UnusedScalarField(file, "localPort"));
      break;
    case AuthKind::kOpenIdDevice:
      break;
    case AuthKind::kOpenIdPassword:
      fields.push_back(StringField(file, "clientSecret", oidc.client_secret));
      fields.push_back(StringField(file, "username", oidc.username));
      fields.push_back(StringField(file, "password", oidc.password));
      required.emplace_back("username", &oidc.username);
      required.emplace_back("password", &oidc.password);
      break;
    case AuthKind::kOpenIdClientCredentials:
      fields.push_back(StringField(file, "clientSecret", oidc.client_secret));
      required.emplace_back("clientSecret", &oidc.client_secret);
      break;
    default:
      break;
  }
  RETURN_IF_ERROR(ReadFields(file, node, path, fields));
  return RequireFields(file, node, path, required);
}

absl::Status ParseExec(const std::string& file, const YAML::Node& node, const std::string& path,
                       ExecAuthConfig& exec) {
  RETURN_IF_ERROR(ReadFields(file, node, path,
                             {
                                 StringField(file, "cmd", exec.cmd),
                                 ListField(file, "args", exec.args),
                                 Field{"env",
                                       [&](const YAML::Node& value, const std::string& key_path) {
                                         return ReadEnv(file, value, key_path, exec.env);
                                       }},
                                 Field{"interactive",
                                       [&](const YAML::Node& value, const std::string& key_path) {
                                         ASSIGN_OR_RETURN(exec.interactive,
                                                          ReadBool(file, value, key_path));
                                         return absl::OkStatus();
                                       }},
                             }));
  return RequireFields(file, node, path, {{"cmd", &exec.cmd}});
}

}  // namespace

absl::Status ConfigError(const std::string& file, const YAML::Node& node, const std::string& path,
                         const std::string& problem) {
  return PrefixWithFile(file, YamlError(node, path, problem));
}

absl::StatusOr<std::string> ReadString(const std::string& file, const YAML::Node& node,
                                       const std::string& path) {
  if (node.IsNull()) return std::string();
  if (!node.IsScalar()) {
    return ConfigError(file, node, path,
                       absl::StrCat("expected a string, got ", DescribeYaml(node)));
  }
  return node.Scalar();
}

absl::StatusOr<bool> ReadBool(const std::string& file, const YAML::Node& node,
                              const std::string& path) {
  bool value = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
    return ConfigError(file, node, path,
                       absl::StrCat("expected true or false, got ", DescribeYaml(node)));
  }
  return value;
}

absl::StatusOr<std::vector<std::string>> ReadStringList(const std::string& file,
                                                        const YAML::Node& node,
                                                        const std::string& path) {
  std::vector<std::string> values;
  if (node.IsNull()) return values;
  if (!node.IsSequence()) {
    return ConfigError(file, node, path, absl::StrCat("expected a list, got ", DescribeYaml(node)));
  }
  for (std::size_t i = 0; i < node.size(); ++i) {
    ASSIGN_OR_RETURN(std::string value, ReadString(file, node[i], absl::StrCat(path, "[", i, "]")));
    values.push_back(std::move(value));
  }
  return values;
}

std::optional<AuthKind> AuthKindOf(const std::string& key) {
  static const auto* kinds = new std::map<std::string, AuthKind>{
      {"basicAuth", AuthKind::kBasic},
      {"kubernetesNativeAuth", AuthKind::kKubernetesNative},
      {"openIdAuth", AuthKind::kOpenIdPkce},
      {"openIdDeviceAuth", AuthKind::kOpenIdDevice},
      {"openIdPasswordAuth", AuthKind::kOpenIdPassword},
      {"openIdClientCredentialsAuth", AuthKind::kOpenIdClientCredentials},
      {"openIdKubernetesAuth", AuthKind::kOpenIdKubernetes},
      {"execAuth", AuthKind::kExec},
      {"bearerTokenFile", AuthKind::kBearerTokenFile},
  };
  auto it = kinds->find(key);
  if (it == kinds->end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<AuthConfig> ParseAuthBlock(const std::string& file, AuthKind kind,
                                          const YAML::Node& node, const std::string& path) {
  AuthConfig auth;
  auth.kind = kind;
  auth.key = path;
  switch (kind) {
    case AuthKind::kBasic: {
      RETURN_IF_ERROR(ReadFields(file, node, path,
                                 {StringField(file, "username", auth.username),
                                  StringField(file, "password", auth.password)}));
      RETURN_IF_ERROR(RequireFields(file, node, path, {{"username", &auth.username}}));
      break;
    }
    case AuthKind::kOpenIdPkce:
    case AuthKind::kOpenIdDevice:
    case AuthKind::kOpenIdPassword:
    case AuthKind::kOpenIdClientCredentials: {
      RETURN_IF_ERROR(ParseOidc(file, kind, node, path, auth.oidc));
      break;
    }
    case AuthKind::kExec: {
      RETURN_IF_ERROR(ParseExec(file, node, path, auth.exec));
      break;
    }
    case AuthKind::kBearerTokenFile: {
      ASSIGN_OR_RETURN(auth.token_file, ReadString(file, node, path));
      if (auth.token_file.empty()) return ConfigError(file, node, path, "expected a file name");
      break;
    }
    case AuthKind::kKubernetesNative:
    case AuthKind::kOpenIdKubernetes:
    default:  // Unsupported: the shape only.
      if (!node.IsMap()) {
        return ConfigError(file, node, path,
                           absl::StrCat("expected a map, got ", DescribeYaml(node)));
      }
      break;
  }
  return auth;
}

}  // namespace armada::cli::internal
