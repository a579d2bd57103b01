// armadactl's configuration: the config file with its contexts, the environment and the global
// flags, resolved into the connection armadactl uses. Armada's config file format:
//
//   currentContext: main
//   contexts:
//     main:
//       armadaUrl: armada.example.com:443
//       openIdClientCredentialsAuth: {providerUrl: ..., clientId: ..., clientSecret: ...}
//     dev:
//       armadaUrl: localhost:50051
//       forceNoTls: true
//       basicAuth: {username: user1, password: pw}
//       localLogDir: /tmp/armada-executor              # armada-cpp: `armadactl logs`
//
// or the connection keys at the top level (no contexts). The authentication blocks are in
// auth_config.h; docs/cli.md lists every key. Pure except for the file functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/armada_client.h"
#include "cli/auth_config.h"

namespace armada::cli {

// The connection keys of one context (Armada's ApiConnectionDetails, plus the armada-cpp keys
// caFile, clientCertFile, clientKeyFile, tlsServerName, bearerTokenFile and localLogDir).
struct ContextConfig {
  std::string armada_url;  // empty: not set
  // Plaintext instead of TLS. Armada's default (absent) is TLS; see ResolveConnection.
  bool force_no_tls = false;
  // TLS to the server, PEM files: the CAs its certificate must chain to (empty: the system
  // roots); a client certificate and key for mutual TLS (both or neither); the name its
  // certificate must carry when that is not the host of armadaUrl (e.g. dialing an IP).
  std::string ca_file;
  std::string client_cert_file;
  std::string client_key_file;
  std::string tls_server_name;
  // The authentication blocks, in file order (ResolveConnection picks one).
  std::vector<AuthConfig> auth;
  // The executor's local-backend work directory, read by `armadactl logs`.
  std::string local_log_dir;
  // Notes for the user about accepted but unused keys, as "<file>:<line>: <key>: ignored: <why>".
  std::vector<std::string> notes;

  // Whether any of the TLS keys above is set.
  bool has_tls_keys() const {
    return !ca_file.empty() || !client_cert_file.empty() || !client_key_file.empty() ||
           !tls_server_name.empty();
  }
};

struct CliConfig {
  // The file it was read from; empty when there was none.
  std::string path;
  std::string current_context;
  // Ordered by name.
  std::map<std::string, ContextConfig> contexts;
  // Connection keys at the top level of the file (used when no context is selected).
  ContextConfig top_level;
};

// What the process environment supplies; FromProcess reads it. Injected so tests need no env.
struct CliEnvironment {
  std::string home;              // $HOME
  std::string armada_url;        // $ARMADA_URL
  std::string armadactl_config;  // $ARMADACTL_CONFIG

  static CliEnvironment FromProcess();
};

// The global flags; empty means not given.
struct GlobalFlags {
  std::string config_path;  // --config
  std::string context;      // -c / --context
  std::string armada_url;   // --armadaUrl
};

// ConfigPath(flags, env): --config, else $ARMADACTL_CONFIG, else $HOME/.armadactl.yaml ("" when
// HOME is unset too). `explicit_path` is set to whether the path was named (flag or variable).
std::string ConfigPath(const GlobalFlags& flags, const CliEnvironment& env, bool* explicit_path);

// ParseCliConfig(text, file): parses a config file's contents; `file` names it in errors.
// Errors are kInvalidArgument "<file>:<line>: <key path>: <problem>" (a key of the wrong type,
// contexts that is not a map, a YAML syntax error, an unknown key inside an authentication block,
// a required field of one missing: "<path>: missing providerUrl"). Unknown keys are errors too,
// except the connection keys Armada knows and this client does not use, which become notes.
absl::StatusOr<CliConfig> ParseCliConfig(const std::string& text, const std::string& file);

// LoadCliConfig(path, must_exist): reads and parses the file. A missing file is an empty config
// (path empty) unless `must_exist`, then kNotFound "<path>: no such config file".
absl::StatusOr<CliConfig> LoadCliConfig(const std::string& path, bool must_exist);

// The connection armadactl makes.
struct ResolvedConnection {
  std::string context;  // the context used; empty for none
  // URL, TLS and timeout; no metadata yet (credentials.h adds the authorization).
  ArmadaClientOptions options;
  // The authentication block to use; nullopt: calls carry no credentials.
  std::optional<AuthConfig> auth;
  std::string local_log_dir;
  std::vector<std::string> notes;
};

// ResolveConnection(config, flags, env): the context is --context, else currentContext, else
// none (top-level keys). The URL is --armadaUrl, else $ARMADA_URL, else the context's armadaUrl,
// else localhost:50051.
//
// TLS: forceNoTls: true gives plaintext. Otherwise the channel uses TLS, except that a loopback
// URL (IsLoopbackUrl) with none of the TLS keys set stays plaintext (Armada does the same for
// URLs containing "localhost"), so local servers work without a config file.
//
// Authentication: of the context's blocks, the first in AuthKind order (Armada's precedence);
// each other block gets a note. An OpenID block without caFile takes the context's caFile.
//
// Errors: kNotFound "context <name> is not in <file>" for an unknown context; kInvalidArgument
// "<context>: forceNoTls: true with caFile ..." when forceNoTls is set with TLS keys, and
// "<context>: clientCertFile and clientKeyFile go together" when only one is set.
absl::StatusOr<ResolvedConnection> ResolveConnection(const CliConfig& config,
                                                     const GlobalFlags& flags,
                                                     const CliEnvironment& env);

// IsLoopbackUrl(url): whether the host of a gRPC target "host:port" ("[::1]:port",
// "dns:///host:port", "unix:path" too) is localhost, 127.0.0.0/8 or ::1. A unix socket counts.
bool IsLoopbackUrl(const std::string& url);

// SetCurrentContext(text, name): the file contents with `currentContext: <name>`, replacing the
// top-level currentContext line if there is one, else adding it as the first line. Comments and
// other lines are kept.
std::string SetCurrentContext(const std::string& text, const std::string& name);

// `config use-context NAME`: checks that the context exists in the file at `path` and makes it
// current (rewriting the file). Prints "Switched to context <name>".
absl::Status RunUseContext(const std::string& path, const std::string& name, std::ostream& out);

// `config get-contexts`: a table CURRENT (a "*" on the current one), NAME, ARMADA URL.
absl::Status RunGetContexts(const CliConfig& config, std::ostream& out);

// `config current-context`: prints the current context's name. kNotFound when none is set.
absl::Status RunCurrentContext(const CliConfig& config, std::ostream& out);

}  // namespace armada::cli
