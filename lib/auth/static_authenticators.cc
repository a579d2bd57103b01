#include "lib/auth/static_authenticators.h"

namespace armada::auth {

absl::StatusOr<std::optional<Principal>> AnonymousAuthenticator::Authenticate(
    const Credentials&) const {
  return MakePrincipal("anonymous", "Anonymous", {});
}

absl::StatusOr<std::optional<Principal>> ClientCertificateAuthenticator::Authenticate(
    const Credentials& credentials) const {
  if (credentials.client_certificate_name.empty()) return std::nullopt;
  auto found = groups_.find(credentials.client_certificate_name);
  return MakePrincipal(credentials.client_certificate_name, "ClientCertificate",
                       found == groups_.end() ? std::vector<std::string>{} : found->second);
}

}  // namespace armada::auth
