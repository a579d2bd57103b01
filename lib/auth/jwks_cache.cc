#include "lib/auth/jwks_cache.h"

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "lib/common/utf8.h"

namespace armada::auth {
namespace {

constexpr char kDiscoveryPath[] = "/.well-known/openid-configuration";

std::string DiscoveryUrl(const std::string& provider_url) {
  // OpenID Connect Discovery 1.0, section 4: drop a trailing "/" first.
  absl::string_view base = provider_url;
  absl::ConsumeSuffix(&base, "/");
  return absl::StrCat(base, kDiscoveryPath);
}

absl::StatusOr<std::string> JwksUriFromDiscovery(const std::string& url, const std::string& body) {
  const auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return absl::UnavailableError(
        absl::StrCat("discovery document ", url, " is not a JSON object"));
  }
  auto it = doc.find("jwks_uri");
  if (it == doc.end() || !it->is_string()) {
    return absl::UnavailableError(absl::StrCat("discovery document ", url, " has no jwks_uri"));
  }
  const std::string& jwks_uri = it->get_ref<const std::string&>();
  // The same rule as for configured URLs: keys fetched in clear text could be
  // anyone's.
  if (!internal::IsHttpsUrl(jwks_uri)) {
    return absl::UnavailableError(absl::StrCat("discovery document ", url, ": jwks_uri ",
                                               common::QuoteForMessage(jwks_uri, 100),
                                               " is not an https:// URL"));
  }
  return jwks_uri;
}

}  // namespace

absl::StatusOr<std::unique_ptr<JwksCache>> JwksCache::Create(const OidcConfig& config,
                                                             const common::Clock& clock) {
  if (!internal::IsHttpsUrl(config.provider_url)) {
    return absl::InvalidArgumentError(absl::StrCat("auth.openIdAuth.providerUrl ",
                                                   common::QuoteForMessage(config.provider_url),
                                                   ": must be an https:// URL"));
  }
  if (!config.jwks_url.empty() && !internal::IsHttpsUrl(config.jwks_url)) {
    return absl::InvalidArgumentError(absl::StrCat("auth.openIdAuth.jwksUrl ",
                                                   common::QuoteForMessage(config.jwks_url),
                                                   ": must be an https:// URL"));
  }
  if (config.jwks_refresh_interval <= absl::ZeroDuration() ||
      config.jwks_min_refresh_interval < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "auth.openIdAuth: the JWKS refresh intervals must not be negative (and the refresh "
        "interval not zero)");
  }
  return std::unique_ptr<JwksCache>(new JwksCache(config, clock));
}

JwksCache::JwksCache(const OidcConfig& config, const common::Clock& clock)
    : clock_(clock),
      discovery_url_(DiscoveryUrl(config.provider_url)),
      configured_jwks_url_(config.jwks_url),
      https_{config.ca_file},
      refresh_interval_(config.jwks_refresh_interval),
      min_refresh_interval_(config.jwks_min_refresh_interval),
      jwks_url_(config.jwks_url),
      last_error_(absl::UnavailableError("the OIDC key set has not been fetched yet")) {}

absl::StatusOr<JwksCache::Fetched> JwksCache::Fetch(std::string known_jwks_url) const {
  if (known_jwks_url.empty()) {
    absl::StatusOr<std::string> discovery = internal::HttpsGet(discovery_url_, https_);
    if (!discovery.ok()) return discovery.status();
    absl::StatusOr<std::string> uri = JwksUriFromDiscovery(discovery_url_, *discovery);
    if (!uri.ok()) return uri.status();
    known_jwks_url = *std::move(uri);
  }
  absl::StatusOr<std::string> body = internal::HttpsGet(known_jwks_url, https_);
  if (!body.ok()) return body.status();
  absl::StatusOr<internal::JwkSet> set = internal::ParseJwkSet(*body);
  if (!set.ok()) {
    return absl::UnavailableError(
        absl::StrCat("key set from ", known_jwks_url, ": ", set.status().message()));
  }
  return Fetched{std::make_shared<const internal::JwkSet>(*std::move(set)),
                 std::move(known_jwks_url)};
}

absl::StatusOr<std::shared_ptr<const internal::Jwk>> JwksCache::Lookup(std::string_view kid) const {
  if (keys_ == nullptr) return last_error_;
  if (auto it = keys_->keys.find(kid); it != keys_->keys.end()) {
    // Shares ownership of the whole set, which a refresh may replace.
    return std::shared_ptr<const internal::Jwk>(keys_, &it->second);
  }
  const std::string quoted = common::QuoteForMessage(kid, 64);
  if (auto it = keys_->skipped.find(kid); it != keys_->skipped.end()) {
    return absl::UnauthenticatedError(
        absl::StrCat("key id ", quoted, " cannot verify tokens: ", it->second));
  }
  if (kid.empty()) {
    return absl::UnauthenticatedError(
        "token names no key id (kid) and the key set has no key without one");
  }
  return absl::UnauthenticatedError(absl::StrCat("unknown key id ", quoted));
}

absl::StatusOr<std::shared_ptr<const internal::Jwk>> JwksCache::Find(std::string_view kid) const {
  std::string jwks_url;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_.Now();
    absl::StatusOr<std::shared_ptr<const internal::Jwk>> key = Lookup(kid);
    const bool fresh = keys_ != nullptr && now < fetched_at_ + refresh_interval_;
    if (key.ok() && (fresh || fetching_)) return key;
    if (fetching_) {
      // Someone is fetching what this caller needs: wait for it, not a second fetch.
      mu_.Await(absl::Condition(this, &JwksCache::Idle));
      return Lookup(kid);
    }
    if (now < last_attempt_ + min_refresh_interval_) return key;  // stale key, or the error
    fetching_ = true;
    last_attempt_ = now;
    jwks_url = jwks_url_;
  }

  absl::StatusOr<Fetched> fetched = Fetch(std::move(jwks_url));

  absl::MutexLock lock(&mu_);
  fetching_ = false;
  if (fetched.ok()) {
    keys_ = std::move(fetched->keys);
    jwks_url_ = std::move(fetched->jwks_url);
    fetched_at_ = clock_.Now();
    last_error_ = absl::OkStatus();
    return Lookup(kid);
  }
  last_error_ = fetched.status();
  jwks_url_ = configured_jwks_url_;  // rediscover next time: the IdP may have moved it
  absl::StatusOr<std::shared_ptr<const internal::Jwk>> key = Lookup(kid);
  // A key already held still verifies; a missing one is "cannot check now".
  if (key.ok()) return key;
  return fetched.status();
}

}  // namespace armada::auth
