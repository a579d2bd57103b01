#include "lib/auth/authenticator.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace armada::auth {

absl::StatusOr<Principal> AuthenticatorChain::Authenticate(const Credentials& credentials) const {
  for (const auto& method : methods_) {
    absl::StatusOr<std::optional<Principal>> result = method->Authenticate(credentials);
    if (!result.ok()) return result.status();
    if (result->has_value()) return std::move(**result);
  }
  const char* what =
      credentials.authorization.empty() && credentials.client_certificate_name.empty()
          ? "no credentials"
          : "credentials of a kind this server does not accept";
  return absl::UnauthenticatedError(
      absl::StrCat(what, ": this server accepts ", absl::StrJoin(Methods(), ", ")));
}

std::vector<std::string> AuthenticatorChain::Methods() const {
  std::vector<std::string> names;
  for (const auto& method : methods_) names.emplace_back(method->method());
  return names;
}

}  // namespace armada::auth
