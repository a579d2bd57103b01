#pragma once

// OpenID Connect bearer tokens: "Authorization: Bearer <JWT>" verified
// against the issuer's published keys (Armada's openIdAuth).

#include <memory>

#include "absl/status/statusor.h"
#include "lib/auth/auth_config.h"
#include "lib/auth/authenticator.h"
#include "lib/common/clock.h"

namespace armada::auth {

// An Authenticator for OIDC access or ID tokens (method "OIDC").
//
// It recognises an authorization of scheme "Bearer" (any case) and nothing
// else (nullopt). The token must be a JWS compact JWT signed with RS256,
// RS384, RS512, ES256, ES384 or ES512 by a key of the issuer's JWKS (see
// JwksCache) whose type, curve and "alg" fit the token's "alg"; "none" and
// HS* are refused, as are "crit" headers and a "typ" other than JWT. Key
// URLs inside tokens (jku, x5u, jwk) are ignored. Claims: iss ==
// provider_url; aud names client_id (string or array) unless
// skip_client_id_check; exp present and, with clock_skew, not past; nbf and
// iat, when present, not beyond clock_skew in the future; username_claim a
// non-empty string.
//
// The principal: name = username_claim, groups = the strings of
// groups_claim when it is a list (anything else: no groups), scopes = the
// "scope" claim split on spaces, claims = the names of all claims.
//
// Authenticate() returns kUnauthenticated naming what is wrong ("token
// expired at 2026-01-01T00:00:00+00:00", "audience \"x\" not accepted",
// "unknown key id \"abc\"") and never the token; kUnavailable while the key
// set cannot be fetched.
//
// MakeOidcAuthenticator: kInvalidArgument naming the config key when
// provider_url or jwks_url is not https://, client_id is empty without
// skip_client_id_check, username_claim is empty, clock_skew is negative or
// ca_file cannot be read. Does no network I/O. `clock` is borrowed and must
// outlive the authenticator. The authenticator is thread-safe.
absl::StatusOr<std::unique_ptr<Authenticator>> MakeOidcAuthenticator(const OidcConfig& config,
                                                                     const common::Clock& clock);

}  // namespace armada::auth
