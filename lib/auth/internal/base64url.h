#pragma once

// Strict base64url (RFC 4648 section 5, unpadded), as JWS compact tokens and
// JWKs use it. Strict so that one token has one spelling: a decoder that
// skipped stray characters or padding would let differently written tokens
// verify alike.

#include <optional>
#include <string>
#include <string_view>

namespace armada::auth::internal {

// The decoded bytes; nullopt when `text` holds anything but [A-Za-z0-9_-],
// has padding, a length of 1 mod 4, or non-zero unused trailing bits.
std::optional<std::string> DecodeBase64Url(std::string_view text);

// Unpadded base64url.
std::string EncodeBase64Url(std::string_view bytes);

}  // namespace armada::auth::internal
