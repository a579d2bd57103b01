#include "lib/auth/oidc_authenticator.h"

#include <jwt.h>

#include <cmath>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "lib/auth/internal/compact_jwt.h"
#include "lib/auth/internal/jwk.h"
#include "lib/auth/jwks_cache.h"
#include "lib/common/utf8.h"

namespace armada::auth {
namespace {

using Json = nlohmann::json;

constexpr char kMethod[] = "OIDC";

std::string Quote(const std::string& text) { return common::QuoteForMessage(text, 64); }

std::string TimeText(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_sec, t, absl::UTCTimeZone());
}

// libjwt's name for an alg we accept; nullopt for the rest.
std::optional<jwt_alg_t> LibjwtAlg(std::string_view alg) {
  if (alg == "RS256") return JWT_ALG_RS256;
  if (alg == "RS384") return JWT_ALG_RS384;
  if (alg == "RS512") return JWT_ALG_RS512;
  if (alg == "ES256") return JWT_ALG_ES256;
  if (alg == "ES384") return JWT_ALG_ES384;
  if (alg == "ES512") return JWT_ALG_ES512;
  return std::nullopt;
}

// libjwt 1.10's jwt_decode() takes the algorithm from the token's own header
// and, for HS*, uses the key bytes it is given as the HMAC secret: handed a
// PEM public key, it would accept a token "signed" with that public text.
// So the caller has already matched the header's alg to the key, and this
// checks that libjwt verified with that very alg.
absl::Status VerifySignature(const std::string& token, const internal::Jwk& key, jwt_alg_t alg) {
  jwt_t* raw = nullptr;
  const int rc =
      jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(key.pem.data()),
                 static_cast<int>(key.pem.size()));
  std::unique_ptr<jwt_t, decltype(&jwt_free)> jwt(raw, &jwt_free);
  if (rc != 0 || jwt == nullptr) {
    return absl::UnauthenticatedError(
        absl::StrCat("token signature does not verify with key ", Quote(key.kid)));
  }
  if (jwt_get_alg(jwt.get()) != alg) {
    return absl::UnauthenticatedError("token verified with an unexpected algorithm");
  }
  return absl::OkStatus();
}

// A NumericDate claim (seconds since the epoch, possibly fractional).
absl::StatusOr<std::optional<absl::Time>> NumericDate(const Json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if (it->is_number_unsigned()) {
    const uint64_t v = it->get<uint64_t>();
    if (v > static_cast<uint64_t>(INT64_MAX)) return absl::InfiniteFuture();
    return absl::FromUnixSeconds(static_cast<int64_t>(v));
  }
  if (it->is_number_integer()) return absl::FromUnixSeconds(it->get<int64_t>());
  if (it->is_number_float() && std::isfinite(it->get<double>())) {
    return absl::UnixEpoch() + absl::Seconds(it->get<double>());
  }
  return absl::UnauthenticatedError(absl::StrCat("token claim ", name, " is not a number"));
}

class OidcAuthenticator final : public Authenticator {
 public:
  OidcAuthenticator(const OidcConfig& config, std::unique_ptr<JwksCache> jwks,
                    const common::Clock& clock)
      : config_(config), jwks_(std::move(jwks)), clock_(clock) {}

  absl::StatusOr<std::optional<Principal>> Authenticate(
      const Credentials& credentials) const override {
    const std::string& header = credentials.authorization;
    const size_t space = header.find(' ');
    const std::string_view scheme = std::string_view(header).substr(0, space);
    if (!absl::EqualsIgnoreCase(absl::string_view(scheme.data(), scheme.size()), "Bearer")) {
      return std::nullopt;
    }
    const std::string token(
        space == std::string::npos
            ? ""
            : absl::StripAsciiWhitespace(absl::string_view(header).substr(space + 1)));
    if (token.empty()) return absl::UnauthenticatedError("empty bearer token");
    absl::StatusOr<Principal> principal = Verify(token);
    if (!principal.ok()) return principal.status();
    return *std::move(principal);
  }

  std::string_view method() const override { return kMethod; }

 private:
  absl::StatusOr<Principal> Verify(const std::string& token) const {
    absl::StatusOr<internal::CompactJwt> jwt = internal::ParseCompactJwt(token);
    if (!jwt.ok()) return jwt.status();
    const std::optional<jwt_alg_t> alg = LibjwtAlg(jwt->alg);
    if (!alg) {
      return absl::UnauthenticatedError(absl::StrCat("token algorithm ", Quote(jwt->alg),
                                                     " not accepted (RS256, RS384, RS512, ES256, "
                                                     "ES384, ES512 are)"));
    }
    if (!jwt->has_signature) return absl::UnauthenticatedError("token has no signature");
    absl::StatusOr<std::shared_ptr<const internal::Jwk>> key = jwks_->Find(jwt->kid);
    if (!key.ok()) return key.status();
    // The algorithm-confusion guard: the key decides what the token may claim.
    if (!internal::KeyAcceptsAlg(**key, jwt->alg)) {
      return absl::UnauthenticatedError(
          absl::StrCat("token algorithm ", jwt->alg, " does not fit key ", Quote((*key)->kid)));
    }
    if (absl::Status s = VerifySignature(token, **key, *alg); !s.ok()) return s;
    if (absl::Status s = CheckClaims(jwt->payload); !s.ok()) return s;
    return ToPrincipal(jwt->payload);
  }

  absl::Status CheckClaims(const Json& claims) const {
    auto iss = claims.find("iss");
    if (iss == claims.end() || !iss->is_string()) {
      return absl::UnauthenticatedError("token has no issuer (iss)");
    }
    if (iss->get_ref<const std::string&>() != config_.provider_url) {
      return absl::UnauthenticatedError(
          absl::StrCat("issuer ", Quote(iss->get<std::string>()), " not accepted"));
    }
    if (!config_.skip_client_id_check) {
      if (absl::Status s = CheckAudience(claims); !s.ok()) return s;
    }
    return CheckTimes(claims);
  }

  absl::Status CheckAudience(const Json& claims) const {
    auto aud = claims.find("aud");
    if (aud == claims.end()) return absl::UnauthenticatedError("token has no audience (aud)");
    std::vector<std::string> audiences;
    if (aud->is_string()) {
      audiences.push_back(aud->get<std::string>());
    } else if (aud->is_array()) {
      for (const Json& a : *aud) {
        if (a.is_string()) audiences.push_back(a.get<std::string>());
      }
    }
    for (const std::string& a : audiences) {
      if (a == config_.client_id) return absl::OkStatus();
    }
    std::vector<std::string> quoted;
    for (size_t i = 0; i < audiences.size() && i < 5; ++i) quoted.push_back(Quote(audiences[i]));
    return absl::UnauthenticatedError(
        absl::StrCat("audience ", quoted.empty() ? "(none)" : absl::StrJoin(quoted, ", "),
                     " not accepted: it must include ", Quote(config_.client_id)));
  }

  absl::Status CheckTimes(const Json& claims) const {
    const absl::Time now = clock_.Now();
    const absl::Duration skew = config_.clock_skew;
    absl::StatusOr<std::optional<absl::Time>> exp = NumericDate(claims, "exp");
    if (!exp.ok()) return exp.status();
    if (!exp->has_value()) return absl::UnauthenticatedError("token has no expiry (exp)");
    // RFC 7519 4.1.4: not accepted "on or after" exp.
    if (now - skew >= **exp) {
      return absl::UnauthenticatedError(absl::StrCat("token expired at ", TimeText(**exp)));
    }
    absl::StatusOr<std::optional<absl::Time>> nbf = NumericDate(claims, "nbf");
    if (!nbf.ok()) return nbf.status();
    if (nbf->has_value() && **nbf > now + skew) {
      return absl::UnauthenticatedError(absl::StrCat("token not valid before ", TimeText(**nbf)));
    }
    absl::StatusOr<std::optional<absl::Time>> iat = NumericDate(claims, "iat");
    if (!iat.ok()) return iat.status();
    if (iat->has_value() && **iat > now + skew) {
      return absl::UnauthenticatedError(
          absl::StrCat("token issued in the future, at ", TimeText(**iat)));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Principal> ToPrincipal(const Json& claims) const {
    auto name = claims.find(config_.username_claim);
    if (name == claims.end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
      return absl::UnauthenticatedError(absl::StrCat("token has no user name: claim ",
                                                     config_.username_claim,
                                                     " is missing or not a non-empty string"));
    }
    std::vector<std::string> groups;
    if (!config_.groups_claim.empty()) {
      auto it = claims.find(config_.groups_claim);
      if (it != claims.end() && it->is_array()) {
        for (const Json& g : *it) {
          if (g.is_string()) groups.push_back(g.get<std::string>());
        }
      }
    }
    std::vector<std::string> scopes;
    if (auto it = claims.find("scope"); it != claims.end() && it->is_string()) {
      scopes = absl::StrSplit(it->get_ref<const std::string&>(), ' ', absl::SkipEmpty());
    }
    std::vector<std::string> names;
    for (const auto& [claim, value] : claims.items()) names.push_back(claim);
    return MakePrincipal(name->get<std::string>(), kMethod, groups, scopes, names);
  }

  const OidcConfig config_;
  const std::unique_ptr<JwksCache> jwks_;
  const common::Clock& clock_;
};

absl::Status ValidateConfig(const OidcConfig& config) {
  if (config.client_id.empty() && !config.skip_client_id_check) {
    return absl::InvalidArgumentError(
        "auth.openIdAuth.clientId: required unless skipClientIdCheck is true");
  }
  if (config.username_claim.empty()) {
    return absl::InvalidArgumentError("auth.openIdAuth.usernameClaim: must not be empty");
  }
  if (config.clock_skew < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("auth.openIdAuth.clockSkew: must not be negative");
  }
  if (!config.ca_file.empty() && !std::ifstream(config.ca_file).good()) {
    return absl::InvalidArgumentError(
        absl::StrCat("auth.openIdAuth.caFile ", config.ca_file, ": cannot be read"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Authenticator>> MakeOidcAuthenticator(const OidcConfig& config,
                                                                     const common::Clock& clock) {
  if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<JwksCache>> jwks = JwksCache::Create(config, clock);
  if (!jwks.ok()) return jwks.status();
  return std::make_unique<OidcAuthenticator>(config, *std::move(jwks), clock);
}

}  // namespace armada::auth
