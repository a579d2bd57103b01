#include "lib/auth/internal/base64url.h"

#include "absl/strings/escaping.h"

namespace armada::auth::internal {
namespace {

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

std::optional<std::string> DecodeBase64Url(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  for (char c : text) {
    if (!IsBase64UrlChar(c)) return std::nullopt;
  }
  std::string bytes;
  if (!absl::WebSafeBase64Unescape(absl::string_view(text.data(), text.size()), &bytes)) {
    return std::nullopt;
  }
  // Re-encoding catches non-zero unused bits: "AB" and "AA" must not both
  // decode to the same byte.
  if (EncodeBase64Url(bytes) != text) return std::nullopt;
  return bytes;
}

std::string EncodeBase64Url(std::string_view bytes) {
  return absl::WebSafeBase64Escape(absl::string_view(bytes.data(), bytes.size()));
}

}  // namespace armada::auth::internal
