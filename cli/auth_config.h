// How armadactl authenticates to the server: the authentication blocks of one context, as
// Armada's ApiConnectionDetails holds them, plus bearerTokenFile (armada-cpp). Plain data:
// cli_config.h reads it from the config file, credentials.h turns it into the `authorization`
// value sent with every call.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace armada::cli {

// The kinds, in Armada's order of precedence (pkg/client/connection.go perRpcCredentials): when
// a context has several blocks, the first kind in this order is used and the others are noted.
enum class AuthKind {
  kBasic,                    // basicAuth
  kKubernetesNative,         // kubernetesNativeAuth (not supported)
  kOpenIdPkce,               // openIdAuth (browser login; not supported)
  kOpenIdDevice,             // openIdDeviceAuth
  kOpenIdPassword,           // openIdPasswordAuth
  kOpenIdClientCredentials,  // openIdClientCredentialsAuth
  kOpenIdKubernetes,         // openIdKubernetesAuth (not supported)
  kExec,                     // execAuth
  kBearerTokenFile,          // bearerTokenFile (armada-cpp)
};

// The OpenID Connect blocks. Which fields a kind requires is checked when parsing.
struct OidcAuthConfig {
  // The issuer; the token endpoint is found at providerUrl + "/.well-known/openid-configuration".
  std::string provider_url;
  std::string client_id;
  // Optional for the password and device grants; required for client credentials.
  std::string client_secret;
  std::vector<std::string> scopes;
  // Password grant only.
  std::string username;
  std::string password;
  // armada-cpp: PEM CAs for the provider's HTTPS. Empty: the context's caFile, else the system
  // roots (filled in by ResolveConnection).
  std::string ca_file;
};

// execAuth: the command prints the token (or a Kubernetes ExecCredential) on stdout.
struct ExecAuthConfig {
  std::string cmd;  // looked up on PATH when it has no '/'
  std::vector<std::string> args;
  // Added to armadactl's own environment (name, value).
  std::vector<std::pair<std::string, std::string>> env;
  // The command gets armadactl's stdin (e.g. to prompt); otherwise stdin is /dev/null.
  bool interactive = false;
};

// One authentication block of a context.
struct AuthConfig {
  AuthKind kind = AuthKind::kBasic;
  // Its key path in the config file ("contexts.dev.openIdPasswordAuth"), for messages.
  std::string key;
  // kBasic.
  std::string username;
  std::string password;
  // kOpenId*.
  OidcAuthConfig oidc;
  // kExec.
  ExecAuthConfig exec;
  // kBearerTokenFile: the file holding the token (surrounding whitespace is dropped).
  std::string token_file;
};

}  // namespace armada::cli
