#pragma once

// Password hashes in crypt(3) format, through libxcrypt: yescrypt ("$y$",
// the default for new hashes), sha512-crypt ("$6$"), sha256-crypt ("$5$")
// and bcrypt ("$2b$"). These are the formats `mkpasswd` and /etc/shadow use,
// so an operator can make one with tools already at hand.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace armada::auth {

// A new hash of `password` with a random salt, in libxcrypt's default method.
absl::StatusOr<std::string> HashPassword(std::string_view password);

// True when `password` matches `hash`. A malformed hash matches nothing.
bool VerifyPassword(std::string_view password, const std::string& hash);

// kInvalidArgument unless `hash` is of a method named above.
absl::Status CheckPasswordHash(const std::string& hash);

}  // namespace armada::auth
