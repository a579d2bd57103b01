#pragma once

// The OIDC issuer's signing keys (its JWKS), fetched over HTTPS and cached.

#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/auth/auth_config.h"
#include "lib/auth/internal/https_get.h"
#include "lib/auth/internal/jwk.h"
#include "lib/common/clock.h"

namespace armada::auth {

// JwksCache: the key set of one issuer, by key id.
//
// The key set's URL is config.jwks_url, or the jwks_uri of the discovery
// document at provider_url + "/.well-known/openid-configuration". Nothing is
// fetched at construction, so a server starts while its IdP is down; the
// first Find() fetches. The set is fetched again when it is older than
// jwks_refresh_interval, and when a token names a key id the set lacks, but
// no fetch (successful or not) starts within jwks_min_refresh_interval of the
// previous one: a flood of forged key ids or an IdP outage costs at most one
// request per interval. A failed refresh keeps serving the keys it has.
//
// Thread-safe. Find() for a cached key never waits for a fetch; a caller
// that needs the result of a fetch waits for the one in flight (at most the
// HTTPS timeout, 10 s) instead of starting another.
class JwksCache {
 public:
  // kInvalidArgument when provider_url (or jwks_url, when set) is not an
  // https:// URL, naming the config key. `clock` is borrowed and must
  // outlive the cache.
  static absl::StatusOr<std::unique_ptr<JwksCache>> Create(const OidcConfig& config,
                                                           const common::Clock& clock);

  // The key with id `kid` ("" for a token without one). kUnauthenticated
  // "unknown key id <kid>" (or why the set left that key out) when the
  // current set lacks it; kUnavailable when no key set could be fetched
  // (yet, or on the refetch this call needed), with the reason.
  absl::StatusOr<std::shared_ptr<const internal::Jwk>> Find(std::string_view kid) const;

 private:
  JwksCache(const OidcConfig& config, const common::Clock& clock);

  struct Fetched {
    std::shared_ptr<const internal::JwkSet> keys;
    std::string jwks_url;  // where they came from (for discovery's cache)
  };
  // Discovery (unless jwks_url is known) and the key set; no lock held.
  absl::StatusOr<Fetched> Fetch(std::string known_jwks_url) const;
  absl::StatusOr<std::shared_ptr<const internal::Jwk>> Lookup(std::string_view kid) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool Idle() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !fetching_; }

  const common::Clock& clock_;
  const std::string discovery_url_;
  const std::string configured_jwks_url_;
  const internal::HttpsGetOptions https_;
  const absl::Duration refresh_interval_;
  const absl::Duration min_refresh_interval_;

  mutable absl::Mutex mu_;
  mutable std::shared_ptr<const internal::JwkSet> keys_ ABSL_GUARDED_BY(mu_);
  mutable std::string jwks_url_ ABSL_GUARDED_BY(mu_);  // configured or discovered; "" unknown
  mutable absl::Time fetched_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  mutable absl::Time last_attempt_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  mutable absl::Status last_error_ ABSL_GUARDED_BY(mu_);
  mutable bool fetching_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace armada::auth
