#pragma once

// The `authorization` header a client sends: HTTP Basic from a user name and
// a password (given, or read from a file), or a bearer token read from a
// file and re-read when the file changes (Kubernetes projected service
// account tokens are rotated in place).

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"

namespace armada::net {

// What a client authenticates with; at most one of password, password_file
// and token_file (username goes with the first two).
struct ClientAuthConfig {
  std::string username = {};
  std::string password = {};
  std::string password_file = {};  // the password, trailing newline ignored
  std::string token_file = {};     // a bearer token, trailing newline ignored

  bool enabled() const {
    return !username.empty() || !password.empty() || !password_file.empty() || !token_file.empty();
  }
};

// Thread-safe. Never logs the secret.
class AuthorizationSource {
 public:
  // Null when `config` sets nothing. kInvalidArgument when the combination is
  // wrong (a password without a user, two sources) or a file is unreadable
  // now (its path named, not its content).
  static absl::StatusOr<std::shared_ptr<AuthorizationSource>> Create(
      const ClientAuthConfig& config);

  // "Basic <base64(user:password)>" or "Bearer <token>". For a file, its
  // content as of the last change seen (checked on each call, a stat); when a
  // changed file cannot be read, the previous value.
  std::string HeaderValue();

 private:
  AuthorizationSource(std::string username, std::string file, bool bearer)
      : username_(std::move(username)), file_(std::move(file)), bearer_(bearer) {}
  std::string Format(const std::string& secret) const;
  absl::Status ReadFileLocked();

  const std::string username_;
  const std::string file_;  // empty: value_ is fixed
  const bool bearer_;
  std::mutex mutex_;
  std::string value_ = {};         // GUARDED_BY(mutex_)
  long long stamp_mtime_ns_ = -1;  // GUARDED_BY(mutex_)
  ino_t stamp_inode_ = 0;          // GUARDED_BY(mutex_)
  off_t stamp_size_ = -1;          // GUARDED_BY(mutex_)
};

}  // namespace armada::net
