#pragma once

// armada-server's `auth:` section, in Armada's shape (its AuthConfig) plus
// what Armada lacks: hashed passwords, client certificates, an explicit
// method order and executor identities.
//
//   auth:
//     anonymousAuth: false
//     methods: [basic, openId, anonymous]   # optional; default Armada's order
//     basicAuth:
//       users:
//         alice: {passwordHash: "$y$j9T$...", groups: [team-a]}
//     openIdAuth: {providerUrl: https://idp, clientId: armada, groupsClaim: groups}
//     clientCertificateAuth: {enabled: true, groups: {executor-a: [executors]}}
//     permissionGroupMapping: {submit_any_jobs: [admins], execute_jobs: [executors]}
//     permissionScopeMapping: {...}
//     permissionClaimMapping: {...}
//     executorIdentities: {cluster-a: executor-principal}

#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/auth/permissions.h"

namespace armada::auth {

struct BasicUser {
  // A crypt(3) hash: yescrypt "$y$", sha512-crypt "$6$", bcrypt "$2b$".
  // A plain `password:` in the file is hashed when the file is read.
  std::string password_hash;
  std::vector<std::string> groups;
};

struct OidcConfig {
  // The issuer: tokens must carry iss == providerUrl. Its JWKS is found
  // through providerUrl + "/.well-known/openid-configuration" unless jwksUrl
  // is set. Both must be https:// URLs.
  std::string provider_url;
  std::string jwks_url;
  // The audience a token must name (Armada's clientId); required unless
  // skipClientIdCheck.
  std::string client_id;
  bool skip_client_id_check = false;
  // The claim holding the caller's groups (a list of strings); empty: none.
  std::string groups_claim;
  // The claim naming the principal; Armada uses "sub".
  std::string username_claim = "sub";
  // PEM bundle to verify the provider's TLS certificate; empty: system CAs.
  std::string ca_file;
  // Tolerance on exp, nbf and iat.
  absl::Duration clock_skew = absl::Seconds(60);
  // The key set is fetched again after this long, or on a token whose key id
  // it lacks (at most once per jwks_min_refresh_interval).
  absl::Duration jwks_refresh_interval = absl::Hours(1);
  absl::Duration jwks_min_refresh_interval = absl::Seconds(10);
};

struct ClientCertificateConfig {
  // A verified client certificate's subject CN becomes the principal.
  bool enabled = false;
  // Groups per certificate name.
  std::map<std::string, std::vector<std::string>> groups;
};

struct AuthConfig {
  // False: the `auth:` section is absent, every caller is anonymous and holds
  // every permission (the demo's setting; the server logs a warning).
  bool configured = false;
  bool anonymous = false;
  // Method names in the order they are tried: "basic", "openId",
  // "clientCertificate", "anonymous". Empty: clientCertificate, basic,
  // openId, anonymous (Armada's order, with certificates first).
  std::vector<std::string> methods;
  std::map<std::string, BasicUser> basic_users;
  OidcConfig oidc;  // used when provider_url is set
  ClientCertificateConfig client_certificates;
  PermissionMappings permissions;
  // Executor id -> the only principal that may act as it. Ids not listed are
  // bound to the first principal that leases as them.
  std::map<std::string, std::string> executor_identities;
  // Protect /metrics: callers need an authenticated principal.
  bool protect_metrics = false;
};

// Reads `node` (the `auth:` mapping); kInvalidArgument names the key and value.
absl::Status ParseAuthConfig(const YAML::Node& node, AuthConfig* out);

}  // namespace armada::auth
