#include "lib/auth/auth_setup.h"

#include "absl/strings/str_cat.h"
#include "lib/auth/basic_authenticator.h"
#include "lib/auth/oidc_authenticator.h"
#include "lib/auth/static_authenticators.h"

namespace armada::auth {
namespace {

const std::vector<std::string>& DefaultOrder() {
  static const std::vector<std::string> order = {"clientCertificate", "basic", "openId",
                                                 "anonymous"};
  return order;
}

bool Enabled(const AuthConfig& config, const std::string& method) {
  if (method == "clientCertificate") return config.client_certificates.enabled;
  if (method == "basic") return !config.basic_users.empty();
  if (method == "openId") return !config.oidc.provider_url.empty();
  if (method == "anonymous") return config.anonymous;
  return false;
}

}  // namespace

absl::StatusOr<std::unique_ptr<AuthenticatorChain>> MakeAuthenticatorChain(
    const AuthConfig& config, const common::Clock& clock) {
  std::vector<std::unique_ptr<Authenticator>> methods;
  if (!config.configured) {
    methods.push_back(std::make_unique<AnonymousAuthenticator>());
    return std::make_unique<AuthenticatorChain>(std::move(methods));
  }
  const bool explicit_order = !config.methods.empty();
  for (const std::string& method : explicit_order ? config.methods : DefaultOrder()) {
    if (!Enabled(config, method)) {
      if (explicit_order) {
        return absl::InvalidArgumentError(
            absl::StrCat("auth.methods lists ", method, " but its section is missing or empty"));
      }
      continue;
    }
    if (method == "clientCertificate") {
      methods.push_back(
          std::make_unique<ClientCertificateAuthenticator>(config.client_certificates.groups));
    } else if (method == "basic") {
      methods.push_back(std::make_unique<BasicAuthenticator>(config.basic_users, clock));
    } else if (method == "openId") {
      auto oidc = MakeOidcAuthenticator(config.oidc, clock);
      if (!oidc.ok()) return oidc.status();
      methods.push_back(std::move(*oidc));
    } else if (method == "anonymous") {
      methods.push_back(std::make_unique<AnonymousAuthenticator>());
    }
  }
  if (methods.empty()) {
    return absl::InvalidArgumentError(
        "auth: no authentication method is configured (set basicAuth.users, openIdAuth, "
        "clientCertificateAuth or anonymousAuth: true)");
  }
  return std::make_unique<AuthenticatorChain>(std::move(methods));
}

PermissionPolicy MakePermissionPolicy(const AuthConfig& config) {
  if (!config.configured) return PermissionPolicy::AllowEveryone();
  return PermissionPolicy(config.permissions);
}

}  // namespace armada::auth
