#pragma once

// JSON Web Keys (RFC 7517/7518) for signature verification: RSA and EC
// public keys turned into SubjectPublicKeyInfo PEM with OpenSSL 3.

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace armada::auth::internal {

enum class KeyType { kRsa, kEc };

struct Jwk {
  std::string kid;  // "" when the JWK has none
  KeyType type = KeyType::kRsa;
  std::string alg;    // the JWK's "alg"; "" when it names none
  std::string curve;  // EC only: "P-256", "P-384", "P-521"
  std::string pem;    // the public key, PEM "PUBLIC KEY"
};

struct JwkSet {
  // Usable signing keys by kid. A kid that appears twice keeps the first key.
  std::map<std::string, Jwk, std::less<>> keys;
  // kid -> why its key was left out ("RSA key of 1024 bits", "use enc",
  // "kty oct"), so a token naming it gets a precise refusal.
  std::map<std::string, std::string, std::less<>> skipped;
};

// Parses a JWKS document ({"keys": [...]}). Keys that cannot verify
// signatures here are skipped, not fatal: symmetric and OKP keys, "use" other
// than "sig", RSA under 2048 bits, EC points not on their curve. Fails with
// kInvalidArgument only when the document itself is malformed. Pure.
absl::StatusOr<JwkSet> ParseJwkSet(std::string_view json);

// The "alg" a token must carry to be verified with `key`: true when `alg` is
// RS256/RS384/RS512 and the key is RSA, or ES256/ES384/ES512 and the key is
// EC on P-256/P-384/P-521 respectively; and the key's own "alg", if any, is
// `alg`. Never true for "none" or HS*.
bool KeyAcceptsAlg(const Jwk& key, std::string_view alg);

}  // namespace armada::auth::internal
