#pragma once

// The two authenticators that check nothing themselves: anonymous access
// (off unless configured) and a client certificate the TLS layer verified.

#include <map>
#include <string>
#include <vector>

#include "lib/auth/authenticator.h"

namespace armada::auth {

// Accepts every call as "anonymous" (groups: everyone). Only sensible last
// in a chain: it never passes anything on.
class AnonymousAuthenticator final : public Authenticator {
 public:
  absl::StatusOr<std::optional<Principal>> Authenticate(const Credentials&) const override;
  std::string_view method() const override { return "Anonymous"; }
};

// The verified client certificate's common name is the principal, with the
// groups configured for that name. No certificate: nullopt. The TLS layer
// must have verified the chain against the configured client CA; this only
// names the caller.
class ClientCertificateAuthenticator final : public Authenticator {
 public:
  explicit ClientCertificateAuthenticator(std::map<std::string, std::vector<std::string>> groups)
      : groups_(std::move(groups)) {}
  absl::StatusOr<std::optional<Principal>> Authenticate(
      const Credentials& credentials) const override;
  std::string_view method() const override { return "ClientCertificate"; }

 private:
  const std::map<std::string, std::vector<std::string>> groups_;
};

}  // namespace armada::auth
