#include "lib/net/authorization.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace armada::net {

absl::StatusOr<std::shared_ptr<AuthorizationSource>> AuthorizationSource::Create(
    const ClientAuthConfig& config) {
  if (!config.enabled()) return std::shared_ptr<AuthorizationSource>();
  const int sources =
      !config.password.empty() + !config.password_file.empty() + !config.token_file.empty();
  if (sources != 1) {
    return absl::InvalidArgumentError(
        "auth: set exactly one of password, passwordFile and tokenFile");
  }
  const bool bearer = !config.token_file.empty();
  if (bearer && !config.username.empty()) {
    return absl::InvalidArgumentError("auth: username does not go with tokenFile");
  }
  if (!bearer && config.username.empty()) {
    return absl::InvalidArgumentError("auth: password and passwordFile need username");
  }
  const std::string file = bearer ? config.token_file : config.password_file;
  std::shared_ptr<AuthorizationSource> source(
      new AuthorizationSource(config.username, file, bearer));
  if (file.empty()) {
    source->value_ = source->Format(config.password);
    return source;
  }
  std::lock_guard lock(source->mutex_);
  absl::Status read = source->ReadFileLocked();
  if (!read.ok()) return read;
  return source;
}

std::string AuthorizationSource::Format(const std::string& secret) const {
  if (bearer_) return absl::StrCat("Bearer ", secret);
  return absl::StrCat("Basic ", absl::Base64Escape(absl::StrCat(username_, ":", secret)));
}

absl::Status AuthorizationSource::ReadFileLocked() {
  struct stat st {};
  const std::string what = bearer_ ? "auth.tokenFile " : "auth.passwordFile ";
  if (::stat(file_.c_str(), &st) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(what, file_, ": cannot be read"));
  }
  const long long mtime =
      static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  if (mtime == stamp_mtime_ns_ && st.st_ino == stamp_inode_ && st.st_size == stamp_size_) {
    return absl::OkStatus();
  }
  std::ifstream in(file_, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat(what, file_, ": cannot be read"));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  std::string secret = bytes.str();
  absl::string_view trimmed = absl::StripTrailingAsciiWhitespace(secret);
  if (trimmed.empty()) return absl::InvalidArgumentError(absl::StrCat(what, file_, ": empty"));
  value_ = Format(std::string(trimmed));
  stamp_mtime_ns_ = mtime;
  stamp_inode_ = st.st_ino;
  stamp_size_ = st.st_size;
  return absl::OkStatus();
}

std::string AuthorizationSource::HeaderValue() {
  std::lock_guard lock(mutex_);
  // A rotation caught halfway (an empty or missing file) keeps the old value.
  if (!file_.empty()) ReadFileLocked().IgnoreError();
  return value_;
}

}  // namespace armada::net
