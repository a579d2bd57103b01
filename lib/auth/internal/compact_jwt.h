#pragma once

// Parsing (not verifying) a JWS compact JWT: header.payload.signature.

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"

namespace armada::auth::internal {

// Larger tokens are refused before any decoding (libjwt copies each part
// onto the stack).
inline constexpr size_t kMaxTokenBytes = 32 * 1024;

struct CompactJwt {
  nlohmann::json header;   // a JSON object
  nlohmann::json payload;  // a JSON object: the claims
  std::string alg;         // header "alg", as written
  std::string kid;         // header "kid"; "" when absent
  bool has_signature = false;
};

// Splits `token` into exactly three parts, decodes each with strict
// base64url, and parses header and payload as JSON objects (UTF-8 checked).
// kUnauthenticated "malformed token: <why>" otherwise, never quoting the
// token. Checks also what the header must not hold: a non-string alg or kid,
// a "crit" member (no extension is understood), a "typ" other than "JWT".
// Pure.
absl::StatusOr<CompactJwt> ParseCompactJwt(std::string_view token);

}  // namespace armada::auth::internal
