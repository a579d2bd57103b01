#include "lib/auth/password_hash.h"

#include <crypt.h>
#include <openssl/crypto.h>

#include <memory>

#include "absl/strings/match.h"

namespace armada::auth {

absl::StatusOr<std::string> HashPassword(std::string_view password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  // Null prefix: libxcrypt's default (yescrypt); null random bytes: it reads
  // them from the kernel.
  if (crypt_gensalt_rn(nullptr, 0, nullptr, 0, salt, sizeof salt) == nullptr) {
    return absl::InternalError("crypt_gensalt failed: no random bytes or no default method");
  }
  auto data = std::make_unique<crypt_data>();
  const std::string plain(password);
  const char* hash = crypt_rn(plain.c_str(), salt, data.get(), sizeof(crypt_data));
  if (hash == nullptr || hash[0] == '*') return absl::InternalError("crypt failed");
  return std::string(hash);
}

bool VerifyPassword(std::string_view password, const std::string& hash) {
  if (!CheckPasswordHash(hash).ok()) return false;
  auto data = std::make_unique<crypt_data>();
  const std::string plain(password);
  const char* computed = crypt_rn(plain.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
  if (computed == nullptr || computed[0] == '*') return false;
  const std::string_view result(computed);
  return result.size() == hash.size() &&
         CRYPTO_memcmp(result.data(), hash.data(), hash.size()) == 0;
}

absl::Status CheckPasswordHash(const std::string& hash) {
  for (const char* prefix : {"$y$", "$6$", "$5$", "$2b$", "$2y$"}) {
    if (absl::StartsWith(hash, prefix) && hash.size() > 20) {
      // crypt_checksalt tells a method libxcrypt knows and allows.
      if (crypt_checksalt(hash.c_str()) == CRYPT_SALT_OK) return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(
      "not a supported password hash (want yescrypt $y$, sha512-crypt $6$, sha256-crypt $5$ or "
      "bcrypt $2b$; make one with `armada-server --hash-password`)");
}

}  // namespace armada::auth
