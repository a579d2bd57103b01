#include "lib/auth/internal/compact_jwt.h"

#include <optional>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/auth/internal/base64url.h"
#include "lib/common/utf8.h"

namespace armada::auth::internal {
namespace {

absl::Status Malformed(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("malformed token: ", why));
}

std::optional<nlohmann::json> DecodeJsonObject(absl::string_view part) {
  std::optional<std::string> bytes = DecodeBase64Url(std::string_view(part.data(), part.size()));
  if (!bytes) return std::nullopt;
  nlohmann::json json = nlohmann::json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  return json;
}

}  // namespace

absl::StatusOr<CompactJwt> ParseCompactJwt(std::string_view token) {
  if (token.size() > kMaxTokenBytes) {
    return Malformed(absl::StrCat("longer than ", kMaxTokenBytes, " bytes"));
  }
  std::vector<absl::string_view> parts =
      absl::StrSplit(absl::string_view(token.data(), token.size()), '.');
  if (parts.size() != 3) {
    return Malformed(absl::StrCat(parts.size(), " parts, not header.payload.signature"));
  }
  CompactJwt jwt;
  std::optional<nlohmann::json> header = DecodeJsonObject(parts[0]);
  if (!header) return Malformed("the header is not base64url of a JSON object");
  std::optional<nlohmann::json> payload = DecodeJsonObject(parts[1]);
  if (!payload) return Malformed("the payload is not base64url of a JSON object");
  if (!DecodeBase64Url(std::string_view(parts[2].data(), parts[2].size())))
    return Malformed("the signature is not base64url");
  jwt.header = *std::move(header);
  jwt.payload = *std::move(payload);
  jwt.has_signature = !parts[2].empty();

  auto alg = jwt.header.find("alg");
  if (alg == jwt.header.end() || !alg->is_string()) return Malformed("the header has no alg");
  jwt.alg = alg->get<std::string>();
  if (auto kid = jwt.header.find("kid"); kid != jwt.header.end()) {
    if (!kid->is_string()) return Malformed("the header's kid is not a string");
    jwt.kid = kid->get<std::string>();
  }
  if (jwt.header.contains("crit")) {
    return absl::UnauthenticatedError("token header has crit: no extension is supported");
  }
  // libjwt 1.10 refuses any other typ; say so rather than "signature invalid".
  if (auto typ = jwt.header.find("typ"); typ != jwt.header.end()) {
    if (!typ->is_string() || !absl::EqualsIgnoreCase(typ->get_ref<const std::string&>(), "JWT")) {
      return absl::UnauthenticatedError(absl::StrCat(
          "token type ",
          typ->is_string() ? common::QuoteForMessage(typ->get_ref<const std::string&>(), 32)
                           : std::string("(not a string)"),
          " not supported (only JWT)"));
    }
  }
  return jwt;
}

}  // namespace armada::auth::internal
