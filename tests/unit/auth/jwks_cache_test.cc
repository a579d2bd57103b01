#include "lib/auth/jwks_cache.h"

#include <atomic>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "lib/auth/oidc_authenticator.h"
#include "lib/common/clock.h"
#include "tests/unit/auth/fake_idp.h"

namespace armada::auth {
namespace {

using Json = nlohmann::json;
using testing::FakeIdp;

struct Env {
  FakeIdp idp;
  common::SimulatedClock clock{absl::FromUnixSeconds(1'800'000'000)};
  OidcConfig config = testing::ConfigFor(idp);

  Env() { idp.ServeKeys(testing::DefaultKeys()); }

  std::unique_ptr<JwksCache> Make() const {
    auto made = JwksCache::Create(config, clock);
    REQUIRE(made.ok());
    return *std::move(made);
  }
};

void CheckUnavailable(const JwksCache& cache, const std::string& kid, const std::string& reason) {
  auto key = cache.Find(kid);
  REQUIRE_FALSE(key.ok());
  INFO(key.status().ToString());
  CHECK(key.status().code() == absl::StatusCode::kUnavailable);
  CHECK_THAT(std::string(key.status().message()), Catch::Contains(reason));
}

TEST_CASE("keys are found by kid after discovery") {
  Env env;
  auto cache = env.Make();
  CHECK(env.idp.discovery_hits() == 0);  // nothing before first use
  auto rsa = cache->Find("rsa-1");
  REQUIRE(rsa.ok());
  CHECK((*rsa)->type == internal::KeyType::kRsa);
  CHECK((*rsa)->alg == "RS256");
  CHECK_THAT((*rsa)->pem, Catch::StartsWith("-----BEGIN PUBLIC KEY-----"));
  auto ec = cache->Find("ec-384");
  REQUIRE(ec.ok());
  CHECK((*ec)->curve == "P-384");
  CHECK((*ec)->alg.empty());
  CHECK(env.idp.discovery_hits() == 1);
  CHECK(env.idp.jwks_hits() == 1);
}

TEST_CASE("a configured jwksUrl skips discovery") {
  Env env;
  env.config.jwks_url = env.idp.url() + "/keys";
  auto cache = env.Make();
  REQUIRE(cache->Find("ec-1").ok());
  CHECK(env.idp.discovery_hits() == 0);
  CHECK(env.idp.jwks_hits() == 1);
}

TEST_CASE("the key set is fetched again after the refresh interval") {
  Env env;
  auto cache = env.Make();
  REQUIRE(cache->Find("rsa-1").ok());
  env.clock.Advance(env.config.jwks_refresh_interval - absl::Seconds(1));
  REQUIRE(cache->Find("rsa-1").ok());
  CHECK(env.idp.jwks_hits() == 1);
  env.clock.Advance(absl::Seconds(1));
  REQUIRE(cache->Find("rsa-1").ok());
  CHECK(env.idp.jwks_hits() == 2);
}

TEST_CASE("the IdP down: kUnavailable, at most one attempt per interval, then recovery") {
  Env env;
  auto cache = env.Make();
  env.idp.SetDown(true);
  CheckUnavailable(*cache, "rsa-1", "HTTP status 503");
  CheckUnavailable(*cache, "rsa-1", "HTTP status 503");  // the stored failure, no new request
  CHECK(env.idp.discovery_hits() == 1);

  env.idp.SetDown(false);
  CheckUnavailable(*cache, "rsa-1", "503");  // still within the interval
  env.clock.Advance(env.config.jwks_min_refresh_interval);
  auto key = cache->Find("rsa-1");
  REQUIRE(key.ok());
  CHECK(env.idp.discovery_hits() == 2);

  SECTION("a failed refresh keeps the keys it has") {
    env.idp.SetDown(true);
    env.clock.Advance(env.config.jwks_refresh_interval);
    CHECK(cache->Find("rsa-1").ok());  // stale but still served
    CHECK(env.idp.jwks_hits() == 2);   // one refresh attempt (it failed)
    CHECK(cache->Find("rsa-1").ok());
    CHECK(env.idp.jwks_hits() == 2);
    // A kid it does not have, while the IdP cannot be asked: "cannot check now".
    env.clock.Advance(env.config.jwks_min_refresh_interval);
    CheckUnavailable(*cache, "rsa-9", "503");
  }
}

TEST_CASE("the authenticator reports kUnavailable while the IdP is down") {
  Env env;
  env.idp.SetDown(true);
  auto made = MakeOidcAuthenticator(env.config, env.clock);  // starts anyway
  REQUIRE(made.ok());
  const absl::Time now = env.clock.Now();
  const Json claims = {{"iss", env.idp.url()},
                       {"aud", "armada"},
                       {"sub", "alice"},
                       {"exp", absl::ToUnixSeconds(now + absl::Minutes(30))}};
  const std::string token =
      testing::SignJwt(Json{{"alg", "RS256"}, {"kid", "rsa-1"}}, claims, testing::Rsa2048());
  auto down = (*made)->Authenticate(Credentials{"Bearer " + token, ""});
  REQUIRE_FALSE(down.ok());
  CHECK(down.status().code() == absl::StatusCode::kUnavailable);
  env.idp.SetDown(false);
  env.clock.Advance(env.config.jwks_min_refresh_interval);
  auto up = (*made)->Authenticate(Credentials{"Bearer " + token, ""});
  REQUIRE(up.ok());
  CHECK((*up)->name == "alice");
}

TEST_CASE("the IdP's certificate is verified") {
  Env env;
  SECTION("against the system CAs, a self-signed certificate fails") {
    env.config.ca_file = "";
    CheckUnavailable(*env.Make(), "rsa-1", "certificate");
  }
  SECTION("the host name must match the certificate") {
    env.config.provider_url = "https://localhost" + env.idp.url().substr(env.idp.url().rfind(':'));
    CheckUnavailable(*env.Make(), "rsa-1", "GET https://localhost");
    CHECK(env.idp.discovery_hits() == 0);
  }
}

TEST_CASE("a discovery document with an http:// jwks_uri is refused") {
  Env env;
  env.idp.SetJwksUri("http://127.0.0.1:1/keys");
  CheckUnavailable(*env.Make(), "rsa-1",
                   "jwks_uri \"http://127.0.0.1:1/keys\" is not an https:// URL");
  CHECK(env.idp.jwks_hits() == 0);
}

TEST_CASE("keys that cannot verify are skipped with a reason") {
  Env env;
  Json enc = testing::PublicJwk(testing::Rsa2048(), "enc-1", "");
  enc["use"] = "enc";
  Json small_ec = testing::PublicJwk(testing::EcP256(), "short-x", "ES256");
  small_ec["x"] = "AAAA";
  Json off_curve = testing::PublicJwk(testing::EcP256(), "off-curve", "ES256");
  off_curve["y"] = off_curve["x"];
  env.idp.ServeKeys(
      Json{{"keys",
            {enc, small_ec, off_curve, Json{{"kty", "oct"}, {"kid", "hmac"}, {"k", "c2VjcmV0"}},
             Json{{"kty", "RSA"}, {"kid", "rsa-small"}, {"n", "AQAB"}, {"e", "AQAB"}},
             testing::PublicJwk(testing::Rsa2048(), "rsa-1", "RS256")}}});
  auto cache = env.Make();
  REQUIRE(cache->Find("rsa-1").ok());
  struct Skipped {
    std::string kid, reason;
  };
  for (const Skipped& s : std::vector<Skipped>{{"enc-1", "use is not sig"},
                                               {"short-x", "EC key without valid x and y"},
                                               {"off-curve", "not on its curve"},
                                               {"hmac", "kty oct not supported"},
                                               {"rsa-small", "RSA key of 17 bits"}}) {
    auto key = cache->Find(s.kid);
    REQUIRE_FALSE(key.ok());
    CHECK(key.status().code() == absl::StatusCode::kUnauthenticated);
    CHECK_THAT(std::string(key.status().message()), Catch::Contains(s.reason));
  }
}

TEST_CASE("a token without kid matches a key without kid") {
  Env env;
  Json anonymous = testing::PublicJwk(testing::Rsa2048(), "", "RS256");
  anonymous.erase("kid");
  SECTION("present") {
    env.idp.ServeKeys(Json{{"keys", {anonymous}}});
    CHECK(env.Make()->Find("").ok());
  }
  SECTION("absent") {
    auto key = env.Make()->Find("");
    REQUIRE_FALSE(key.ok());
    CHECK_THAT(std::string(key.status().message()), Catch::Contains("names no key id"));
  }
}

TEST_CASE("a malformed key set is kUnavailable") {
  Env env;
  env.idp.ServeKeys(Json{{"not-keys", 1}});
  CheckUnavailable(*env.Make(), "rsa-1", "has no \"keys\" array");
}

TEST_CASE("concurrent first use fetches once") {
  Env env;
  auto cache = env.Make();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        if (cache->Find(i % 2 ? "rsa-1" : "ec-1").ok()) ++ok;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(ok == 200);
  CHECK(env.idp.jwks_hits() == 1);
}

}  // namespace
}  // namespace armada::auth
