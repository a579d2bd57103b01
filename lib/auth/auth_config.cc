#include "lib/auth/auth_config.h"

#include "absl/strings/str_cat.h"
#include "lib/auth/password_hash.h"
#include "lib/common/status_macros.h"
#include "lib/common/yaml_config.h"
#include "spdlog/spdlog.h"

namespace armada::auth {
namespace {

absl::Status Invalid(absl::string_view key, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("auth.", key, ": ", what));
}

absl::Status ParseUsers(const YAML::Node& users, std::map<std::string, BasicUser>* out) {
  if (!users.IsMap())
    return Invalid("basicAuth.users", "must map user names to {passwordHash, groups}");
  for (const auto& entry : users) {
    const std::string name = entry.first.as<std::string>();
    const std::string key = absl::StrCat("basicAuth.users.", name);
    const YAML::Node& user = entry.second;
    if (name.empty() || name.find(':') != std::string::npos) {
      return Invalid(key, "a user name must be non-empty and contain no ':'");
    }
    RETURN_IF_ERROR(common::CheckKnownKeys(user, {"password", "passwordHash", "groups"}));
    BasicUser parsed;
    if (user["passwordHash"] && user["password"]) {
      return Invalid(key, "set passwordHash or password, not both");
    }
    if (user["passwordHash"]) {
      parsed.password_hash = user["passwordHash"].as<std::string>();
      if (absl::Status s = CheckPasswordHash(parsed.password_hash); !s.ok()) {
        return Invalid(key + ".passwordHash", s.message());
      }
    } else if (user["password"]) {
      // Armada's shape. Kept for compatibility, hashed at once so that the
      // plain text lives no longer than the parse.
      auto hash = HashPassword(user["password"].as<std::string>());
      if (!hash.ok()) return hash.status();
      parsed.password_hash = *hash;
      spdlog::warn(
          "auth.{}: a plain-text password in the config file; prefer passwordHash "
          "(armada-server --hash-password)",
          key);
    } else {
      return Invalid(key, "needs passwordHash (or password)");
    }
    if (user["groups"]) parsed.groups = user["groups"].as<std::vector<std::string>>();
    (*out)[name] = std::move(parsed);
  }
  return absl::OkStatus();
}

absl::Status ParseOidc(const YAML::Node& node, OidcConfig* out) {
  RETURN_IF_ERROR(
      common::CheckKnownKeys(node, {"providerUrl", "jwksUrl", "clientId", "skipClientIdCheck",
                                    "skipClientIDCheck", "groupsClaim", "usernameClaim", "caFile",
                                    "clockSkew", "jwksRefreshInterval", "jwksMinRefreshInterval"}));
  auto read = [&](const char* key, std::string* field) {
    if (node[key]) *field = node[key].as<std::string>();
  };
  read("providerUrl", &out->provider_url);
  read("jwksUrl", &out->jwks_url);
  read("clientId", &out->client_id);
  read("groupsClaim", &out->groups_claim);
  read("usernameClaim", &out->username_claim);
  read("caFile", &out->ca_file);
  for (const char* key : {"skipClientIdCheck", "skipClientIDCheck"}) {
    if (node[key]) out->skip_client_id_check = node[key].as<bool>();
  }
  RETURN_IF_ERROR(common::ReadDuration(node, "clockSkew", &out->clock_skew));
  RETURN_IF_ERROR(common::ReadDuration(node, "jwksRefreshInterval", &out->jwks_refresh_interval));
  RETURN_IF_ERROR(
      common::ReadDuration(node, "jwksMinRefreshInterval", &out->jwks_min_refresh_interval));
  if (out->provider_url.empty()) return Invalid("openIdAuth.providerUrl", "is required");
  if (out->client_id.empty() && !out->skip_client_id_check) {
    return Invalid("openIdAuth.clientId", "is required unless skipClientIdCheck: true");
  }
  if (out->username_claim.empty()) return Invalid("openIdAuth.usernameClaim", "must not be empty");
  return absl::OkStatus();
}

absl::Status ParseMapping(const YAML::Node& node, const char* key,
                          std::map<Permission, std::vector<std::string>>* out) {
  if (!node[key]) return absl::OkStatus();
  if (!node[key].IsMap()) return Invalid(key, "must map permission names to lists");
  for (const auto& entry : node[key]) {
    const std::string name = entry.first.as<std::string>();
    std::optional<Permission> permission = ParsePermission(name);
    if (!permission) {
      return Invalid(absl::StrCat(key, ".", name), "is not a permission (see docs/security.md)");
    }
    (*out)[*permission] = entry.second.as<std::vector<std::string>>();
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseAuthConfig(const YAML::Node& node, AuthConfig* out) {
  RETURN_IF_ERROR(common::CheckKnownKeys(
      node, {"anonymousAuth", "methods", "basicAuth", "openIdAuth", "clientCertificateAuth",
             "permissionGroupMapping", "permissionScopeMapping", "permissionClaimMapping",
             "executorIdentities", "protectMetrics"}));
  out->configured = true;
  if (node["anonymousAuth"]) out->anonymous = node["anonymousAuth"].as<bool>();
  if (node["methods"]) {
    out->methods = node["methods"].as<std::vector<std::string>>();
    for (const std::string& method : out->methods) {
      if (method != "basic" && method != "openId" && method != "clientCertificate" &&
          method != "anonymous") {
        return Invalid("methods", absl::StrCat("unknown method \"", method,
                                               "\" (basic, openId, clientCertificate, anonymous)"));
      }
    }
  }
  if (const YAML::Node basic = node["basicAuth"]) {
    RETURN_IF_ERROR(common::CheckKnownKeys(basic, {"users"}));
    if (basic["users"]) RETURN_IF_ERROR(ParseUsers(basic["users"], &out->basic_users));
  }
  if (const YAML::Node oidc = node["openIdAuth"]) RETURN_IF_ERROR(ParseOidc(oidc, &out->oidc));
  if (const YAML::Node certs = node["clientCertificateAuth"]) {
    RETURN_IF_ERROR(common::CheckKnownKeys(certs, {"enabled", "groups"}));
    if (certs["enabled"]) out->client_certificates.enabled = certs["enabled"].as<bool>();
    if (certs["groups"]) {
      out->client_certificates.groups =
          certs["groups"].as<std::map<std::string, std::vector<std::string>>>();
    }
  }
  RETURN_IF_ERROR(ParseMapping(node, "permissionGroupMapping", &out->permissions.groups));
  RETURN_IF_ERROR(ParseMapping(node, "permissionScopeMapping", &out->permissions.scopes));
  RETURN_IF_ERROR(ParseMapping(node, "permissionClaimMapping", &out->permissions.claims));
  if (node["executorIdentities"]) {
    out->executor_identities = node["executorIdentities"].as<std::map<std::string, std::string>>();
  }
  if (node["protectMetrics"]) out->protect_metrics = node["protectMetrics"].as<bool>();
  return absl::OkStatus();
}

}  // namespace armada::auth
