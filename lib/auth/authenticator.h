#pragma once

// The authentication seam. Each Authenticator checks one kind of credential;
// an AuthenticatorChain tries them in the configured order, as Armada's
// MultiAuthService does: a method that does not recognise the credentials
// passes them on, one that recognises them and finds them wrong ends the
// chain (a wrong password never falls through to anonymous).

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/auth/principal.h"

namespace armada::auth {

// What a caller presented, whatever the transport.
struct Credentials {
  // The Authorization header (HTTP) or "authorization" metadata (gRPC),
  // verbatim, e.g. "Basic dXNlcjpwdw==" or "Bearer eyJ...". Empty: none.
  std::string authorization;
  // The subject common name of a client certificate that the TLS layer has
  // already verified against the configured client CA. Empty: none.
  std::string client_certificate_name;
};

// Implementations are thread-safe: one instance serves every call.
class Authenticator {
 public:
  virtual ~Authenticator() = default;

  // nullopt: the credentials are not of this method's kind (the chain goes
  // on). kUnauthenticated: they are of its kind and do not check out; the
  // message says why without echoing a secret. kUnavailable: they cannot be
  // checked now (an identity provider out of reach).
  virtual absl::StatusOr<std::optional<Principal>> Authenticate(
      const Credentials& credentials) const = 0;

  // "Anonymous", "Basic", "OIDC", "ClientCertificate": for logs and errors.
  virtual std::string_view method() const = 0;
};

class AuthenticatorChain {
 public:
  explicit AuthenticatorChain(std::vector<std::unique_ptr<Authenticator>> methods)
      : methods_(std::move(methods)) {}

  // The first method's principal; kUnauthenticated when none recognises the
  // credentials ("no credentials: this server accepts Basic, OIDC") or the
  // first that recognises them refuses them.
  absl::StatusOr<Principal> Authenticate(const Credentials& credentials) const;

  // Method names in order.
  std::vector<std::string> Methods() const;

 private:
  std::vector<std::unique_ptr<Authenticator>> methods_;
};

}  // namespace armada::auth
