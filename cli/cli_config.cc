#include "cli/cli_config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "cli/internal/config_fields.h"
#include "cli/output_format.h"
#include "cli/yaml_proto.h"
#include "lib/common/status_macros.h"

namespace armada::cli {
namespace {

using internal::ConfigError;
using internal::ReadBool;
using internal::ReadString;

// Armada's connection keys that this client accepts but does not use, and why.
const std::map<std::string, std::string>& IgnoredKeys() {
  static const auto* keys = new std::map<std::string, std::string>{
      {"armadaRestUrl", "armadactl uses gRPC only"},
      {"executorClusters", "not used by armadactl"},
      {"grpcKeepAliveTime", "not used by this armadactl"},
      {"grpcKeepAliveTimeout", "not used by this armadactl"},
      {"cacheRefreshToken", "this armadactl keeps tokens in memory, for one command"},
  };
  return *keys;
}

// The string-valued connection keys and where they go.
std::string* StringKey(const std::string& key, ContextConfig& context) {
  if (key == "armadaUrl") return &context.armada_url;
  if (key == "caFile") return &context.ca_file;
  if (key == "clientCertFile") return &context.client_cert_file;
  if (key == "clientKeyFile") return &context.client_key_file;
  if (key == "tlsServerName") return &context.tls_server_name;
  if (key == "localLogDir") return &context.local_log_dir;
  return nullptr;
}

// Reads one connection key into `context`. Returns false if `key` is not a connection key.
absl::StatusOr<bool> ParseConnectionKey(const std::string& file, const std::string& key,
                                        const YAML::Node& key_node, const YAML::Node& value,
                                        const std::string& path, ContextConfig& context) {
  if (std::string* field = StringKey(key, context); field != nullptr) {
    ASSIGN_OR_RETURN(*field, ReadString(file, value, path));
  } else if (key == "forceNoTls") {
    ASSIGN_OR_RETURN(context.force_no_tls, ReadBool(file, value, path));
  } else if (std::optional<AuthKind> kind = internal::AuthKindOf(key); kind.has_value()) {
    ASSIGN_OR_RETURN(AuthConfig auth, internal::ParseAuthBlock(file, *kind, value, path));
    context.auth.push_back(std::move(auth));
  } else if (auto it = IgnoredKeys().find(key); it != IgnoredKeys().end()) {
    context.notes.push_back(
        absl::StrCat(file, ":", key_node.Mark().line + 1, ": ", path, ": ignored: ", it->second));
  } else {
    return false;
  }
  return true;
}

absl::StatusOr<ContextConfig> ParseContext(const std::string& file, const YAML::Node& node,
                                           const std::string& path) {
  ContextConfig context;
  if (node.IsNull()) return context;
  if (!node.IsMap()) {
    return ConfigError(file, node, path, absl::StrCat("expected a map, got ", DescribeYaml(node)));
  }
  for (const auto& entry : node) {
    const std::string key = entry.first.as<std::string>("");
    const std::string key_path = absl::StrCat(path, ".", key);
    ASSIGN_OR_RETURN(const bool known,
                     ParseConnectionKey(file, key, entry.first, entry.second, key_path, context));
    if (!known) return ConfigError(file, entry.first, key_path, "unknown connection key");
  }
  return context;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

CliEnvironment CliEnvironment::FromProcess() {
  auto get = [](const char* name) {
    const char* value = std::getenv(name);
    return value == nullptr ? std::string() : std::string(value);
  };
  return CliEnvironment{get("HOME"), get("ARMADA_URL"), get("ARMADACTL_CONFIG")};
}

std::string ConfigPath(const GlobalFlags& flags, const CliEnvironment& env, bool* explicit_path) {
  *explicit_path = true;
  if (!flags.config_path.empty()) return flags.config_path;
  if (!env.armadactl_config.empty()) return env.armadactl_config;
  *explicit_path = false;
  if (env.home.empty()) return "";
  return (std::filesystem::path(env.home) / ".armadactl.yaml").string();
}

absl::StatusOr<CliConfig> ParseCliConfig(const std::string& text, const std::string& file) {
  CliConfig config;
  config.path = file;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return absl::InvalidArgumentError(absl::StrCat(file, ":", e.mark.line + 1, ": ", e.msg));
  }
  if (root.IsNull()) return config;
  if (!root.IsMap()) {
    return ConfigError(file, root, "(document)",
                       absl::StrCat("expected a map, got ", DescribeYaml(root)));
  }
  for (const auto& entry : root) {
    const std::string key = entry.first.as<std::string>("");
    if (key == "currentContext") {
      ASSIGN_OR_RETURN(config.current_context, ReadString(file, entry.second, key));
    } else if (key == "contexts") {
      if (entry.second.IsNull()) continue;
      if (!entry.second.IsMap()) {
        return ConfigError(
            file, entry.second, key,
            absl::StrCat("expected a map of contexts, got ", DescribeYaml(entry.second)));
      }
      for (const auto& context : entry.second) {
        const std::string name = context.first.as<std::string>("");
        ASSIGN_OR_RETURN(config.contexts[name],
                         ParseContext(file, context.second, absl::StrCat("contexts.", name)));
      }
    } else {
      ASSIGN_OR_RETURN(const bool known, ParseConnectionKey(file, key, entry.first, entry.second,
                                                            key, config.top_level));
      if (!known) {
        return ConfigError(file, entry.first, key,
                           "unknown key (expected currentContext, contexts or a connection key)");
      }
    }
  }
  return config;
}

absl::StatusOr<CliConfig> LoadCliConfig(const std::string& path, bool must_exist) {
  std::error_code ec;
  if (path.empty() || !std::filesystem::exists(path, ec)) {
    if (must_exist) return absl::NotFoundError(absl::StrCat(path, ": no such config file"));
    return CliConfig();
  }
  std::ifstream probe(path);
  if (!probe) return absl::PermissionDeniedError(absl::StrCat(path, ": cannot be read"));
  return ParseCliConfig(ReadFile(path), path);
}

absl::StatusOr<ResolvedConnection> ResolveConnection(const CliConfig& config,
                                                     const GlobalFlags& flags,
                                                     const CliEnvironment& env) {
  ResolvedConnection resolved;
  resolved.context = flags.context.empty() ? config.current_context : flags.context;
  const ContextConfig* keys = &config.top_level;
  if (!resolved.context.empty()) {
    auto it = config.contexts.find(resolved.context);
    if (it == config.contexts.end()) {
      return absl::NotFoundError(
          absl::StrCat("context ", resolved.context, " is not in ",
                       config.path.empty() ? "the config file (there is none)" : config.path));
    }
    keys = &it->second;
  }
  ArmadaClientOptions& options = resolved.options;
  if (!flags.armada_url.empty()) {
    options.url = flags.armada_url;
  } else if (!env.armada_url.empty()) {
    options.url = env.armada_url;
  } else if (!keys->armada_url.empty()) {
    options.url = keys->armada_url;
  }
  const std::string where = resolved.context.empty() ? std::string("the config file")
                                                     : absl::StrCat("context ", resolved.context);
  if (keys->force_no_tls && keys->has_tls_keys()) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": forceNoTls: true with caFile, clientCertFile, clientKeyFile or tlsServerName"));
  }
  if (keys->client_cert_file.empty() != keys->client_key_file.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": clientCertFile and clientKeyFile go together"));
  }
  options.use_tls = !keys->force_no_tls && (keys->has_tls_keys() || !IsLoopbackUrl(options.url));
  options.ca_file = keys->ca_file;
  options.client_cert_file = keys->client_cert_file;
  options.client_key_file = keys->client_key_file;
  options.tls_server_name = keys->tls_server_name;
  resolved.notes = keys->notes;
  for (const AuthConfig& auth : keys->auth) {
    if (!resolved.auth.has_value() || auth.kind < resolved.auth->kind) resolved.auth = auth;
  }
  for (const AuthConfig& auth : keys->auth) {
    if (auth.key != resolved.auth->key) {
      resolved.notes.push_back(absl::StrCat(auth.key, ": ignored: ", resolved.auth->key,
                                            " takes precedence (as in Armada)"));
    }
  }
  if (resolved.auth.has_value() && resolved.auth->oidc.ca_file.empty()) {
    resolved.auth->oidc.ca_file = keys->ca_file;
  }
  resolved.local_log_dir = keys->local_log_dir;
  return resolved;
}

bool IsLoopbackUrl(const std::string& url) {
  absl::string_view target = url;
  if (absl::StartsWith(target, "unix:") || absl::StartsWith(target, "unix-abstract:")) return true;
  for (absl::string_view scheme : {"dns:///", "ipv4:", "ipv6:"}) {
    if (absl::StartsWith(target, scheme)) target.remove_prefix(scheme.size());
  }
  absl::string_view host = target;
  if (absl::StartsWith(host, "[")) {
    const std::size_t close = host.find(']');
    host = host.substr(1, close == absl::string_view::npos ? close : close - 1);
  } else if (std::size_t colon = host.rfind(':');
             colon != absl::string_view::npos && host.find(':') == colon) {
    host = host.substr(0, colon);  // one colon: host:port; more: a bare IPv6 address
  }
  const std::string lower = absl::AsciiStrToLower(host);
  if (lower == "localhost" || absl::EndsWith(lower, ".localhost") || lower == "::1") return true;
  std::vector<absl::string_view> octets = absl::StrSplit(lower, '.');
  if (octets.size() != 4 || octets[0] != "127") return false;
  for (absl::string_view octet : octets) {
    int value = 0;
    if (octet.empty() || octet.size() > 3 || !absl::SimpleAtoi(octet, &value) || value > 255) {
      return false;
    }
  }
  return true;
}

std::string SetCurrentContext(const std::string& text, const std::string& name) {
  const std::string line = absl::StrCat("currentContext: ", name);
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  for (std::string& existing : lines) {
    if (absl::StartsWith(existing, "currentContext:")) {
      existing = line;
      return absl::StrJoin(lines, "\n");
    }
  }
  return absl::StrCat(line, "\n", text);
}

absl::Status RunUseContext(const std::string& path, const std::string& name, std::ostream& out) {
  ASSIGN_OR_RETURN(const CliConfig config, LoadCliConfig(path, /*must_exist=*/true));
  if (config.contexts.count(name) == 0) {
    return absl::NotFoundError(absl::StrCat("context ", name, " is not in ", path));
  }
  const std::string text = SetCurrentContext(ReadFile(path), name);
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  if (!file) return absl::PermissionDeniedError(absl::StrCat(path, ": cannot be written"));
  out << "Switched to context " << name << "\n";
  return absl::OkStatus();
}

absl::Status RunGetContexts(const CliConfig& config, std::ostream& out) {
  if (config.contexts.empty()) {
    return absl::NotFoundError(config.path.empty() ? "there is no config file (~/.armadactl.yaml)"
                                                   : absl::StrCat("no contexts in ", config.path));
  }
  Table table({"CURRENT", "NAME", "ARMADA URL"});
  for (const auto& [name, context] : config.contexts) {
    table.AddRow({name == config.current_context ? "*" : " ", name, context.armada_url});
  }
  out << table.Render();
  return absl::OkStatus();
}

absl::Status RunCurrentContext(const CliConfig& config, std::ostream& out) {
  if (config.current_context.empty()) {
    return absl::NotFoundError("no current context is set (armadactl config use-context NAME)");
  }
  out << config.current_context << "\n";
  return absl::OkStatus();
}

}  // namespace armada::cli
