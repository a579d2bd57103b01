// OpenID Connect token requests for armadactl: the provider's discovery document, then the OAuth2
// resource-owner password grant (openIdPasswordAuth), the client-credentials grant
// (openIdClientCredentialsAuth) or the device authorization grant (openIdDeviceAuth, RFC 8628).
// The browser login (openIdAuth, authorization code with PKCE) is not implemented.
#pragma once

#include <functional>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cli/auth_config.h"
#include "cli/http_client.h"

namespace armada::cli {

// The endpoints of a provider's discovery document.
struct OidcEndpoints {
  std::string token_endpoint;
  std::string device_authorization_endpoint;  // empty: not advertised
  // token_endpoint_auth_methods_supported; empty: not advertised (client_secret_basic).
  std::vector<std::string> token_auth_methods;
};

// DiscoverOidc(provider_url, ca_file, fetch): GETs provider_url (trailing '/' dropped) +
// "/.well-known/openid-configuration" and checks that its issuer is provider_url (as Armada's
// go-oidc does; trailing '/' ignored). Errors: fetch's own (kUnavailable when unreachable);
// kUnavailable for HTTP 5xx; kFailedPrecondition for another non-200 status, a body that is not
// JSON, a missing token_endpoint or a different issuer. Messages start with the URL fetched.
absl::StatusOr<OidcEndpoints> DiscoverOidc(const std::string& provider_url,
                                           const std::string& ca_file, const HttpFetch& fetch);

// What the device flow needs besides HTTP: where to tell the user the code, and how to wait
// between polls (tests pass one that returns at once).
struct DeviceFlowIo {
  std::ostream* out = nullptr;  // REQUIRES: not null for openIdDeviceAuth
  std::function<void(absl::Duration)> sleep;
};

// FetchOidcToken(auth, fetch, device_io): discovers the token endpoint and returns the access
// token the grant of `auth.kind` (kOpenIdPassword, kOpenIdClientCredentials, kOpenIdDevice)
// yields. The client authenticates with HTTP Basic (client_secret_basic) when it has a secret,
// unless the provider advertises only client_secret_post; without a secret client_id goes in the
// form. Scopes are sent space-separated (the device flow adds "openid" as Armada does).
//
// Errors: DiscoverOidc's; kUnauthenticated "token endpoint <url>: <error>: <description>" when
// the provider refuses (HTTP 400/401/403, or the device code expired or was denied);
// kUnavailable for HTTP 5xx; kFailedPrecondition for a 200 without access_token, a provider
// without device_authorization_endpoint, or another kind.
absl::StatusOr<std::string> FetchOidcToken(const AuthConfig& auth, const HttpFetch& fetch,
                                           const DeviceFlowIo& device_io);

}  // namespace armada::cli
