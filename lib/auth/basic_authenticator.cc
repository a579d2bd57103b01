#include "lib/auth/basic_authenticator.h"

#include <openssl/sha.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/auth/password_hash.h"

namespace armada::auth {
namespace {

constexpr absl::Duration kVerifiedFor = absl::Minutes(5);
constexpr size_t kMaxRemembered = 10000;

std::string CacheKey(const std::string& user, const std::string& password) {
  std::string input = user + std::string(1, '\0') + password;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

}  // namespace

BasicAuthenticator::BasicAuthenticator(std::map<std::string, BasicUser> users,
                                       const common::Clock& clock)
    : users_(std::move(users)), clock_(clock), decoy_hash_(HashPassword("decoy").value_or("")) {}

absl::StatusOr<std::optional<Principal>> BasicAuthenticator::Authenticate(
    const Credentials& credentials) const {
  const std::string& header = credentials.authorization;
  const size_t space = header.find(' ');
  if (space == std::string::npos || absl::AsciiStrToLower(header.substr(0, space)) != "basic") {
    return std::nullopt;
  }
  std::string decoded;
  if (!absl::Base64Unescape(absl::StripAsciiWhitespace(absl::string_view(header).substr(space + 1)),
                            &decoded)) {
    return absl::UnauthenticatedError("Basic credentials are not valid base64");
  }
  const size_t colon = decoded.find(':');
  if (colon == std::string::npos) {
    return absl::UnauthenticatedError("Basic credentials lack the ':' between user and password");
  }
  const std::string user = decoded.substr(0, colon);
  const std::string password = decoded.substr(colon + 1);
  auto found = users_.find(user);
  const BasicUser* entry = found == users_.end() ? nullptr : &found->second;
  if (!Verify(user, entry, password)) {
    // The user name is the caller's own claim; it is safe to name, and the
    // message does not say whether the user exists.
    return absl::UnauthenticatedError(absl::StrCat("Basic: wrong user name or password for user \"",
                                                   absl::CHexEscape(user), "\""));
  }
  return MakePrincipal(user, "Basic", entry->groups);
}

bool BasicAuthenticator::Verify(const std::string& user, const BasicUser* entry,
                                const std::string& password) const {
  if (entry == nullptr) {
    VerifyPassword(password, decoy_hash_);
    return false;
  }
  const std::string key = CacheKey(user, password);
  const absl::Time now = clock_.Now();
  {
    absl::MutexLock lock(&mu_);
    auto remembered = verified_.find(key);
    if (remembered != verified_.end() && remembered->second > now) return true;
  }
  if (!VerifyPassword(password, entry->password_hash)) return false;
  absl::MutexLock lock(&mu_);
  if (verified_.size() >= kMaxRemembered) verified_.clear();
  verified_[key] = now + kVerifiedFor;
  return true;
}

}  // namespace armada::auth
