#pragma once

// HTTP Basic authentication against the users of the server config
// (`auth.basicAuth.users`), whose passwords are stored as crypt(3) hashes.
// A hash costs milliseconds to check by design, and executors call every
// second, so a successful check is remembered for a few minutes under a
// SHA-256 of the user and password (never the password itself).

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/auth/auth_config.h"
#include "lib/auth/authenticator.h"
#include "lib/common/clock.h"

namespace armada::auth {

class BasicAuthenticator final : public Authenticator {
 public:
  BasicAuthenticator(std::map<std::string, BasicUser> users, const common::Clock& clock);

  // "Basic <base64(user:password)>" (scheme case-insensitive) or nullopt.
  // A wrong password and an unknown user get the same answer, in about the
  // same time.
  absl::StatusOr<std::optional<Principal>> Authenticate(
      const Credentials& credentials) const override;
  std::string_view method() const override { return "Basic"; }

 private:
  bool Verify(const std::string& user, const BasicUser* entry, const std::string& password) const;

  const std::map<std::string, BasicUser> users_;
  const common::Clock& clock_;
  const std::string decoy_hash_;  // checked for unknown users, to take the same time
  mutable absl::Mutex mu_;
  mutable absl::flat_hash_map<std::string, absl::Time> verified_ ABSL_GUARDED_BY(mu_);
};

}  // namespace armada::auth
