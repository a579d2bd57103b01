#include "lib/auth/oidc_authenticator.h"

#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "lib/common/clock.h"
#include "tests/unit/auth/fake_idp.h"

namespace armada::auth {
namespace {

using Json = nlohmann::json;
using testing::B64;
using testing::FakeIdp;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

int64_t At(absl::Time t) { return absl::ToUnixSeconds(t); }

struct Env {
  FakeIdp idp;
  common::SimulatedClock clock{kNow};
  OidcConfig config = testing::ConfigFor(idp);

  Env() { idp.ServeKeys(testing::DefaultKeys()); }

  std::unique_ptr<Authenticator> Make() const {
    auto made = MakeOidcAuthenticator(config, clock);
    REQUIRE(made.ok());
    return *std::move(made);
  }

  Json Claims() const {
    const absl::Time now = clock.Now();
    return Json{{"iss", idp.url()},        {"aud", "armada"},
                {"sub", "alice"},          {"exp", At(now + absl::Minutes(5))},
                {"iat", At(now)},          {"groups", {"team-a", "team-b"}},
                {"scope", "submit  watch"}};
  }
};

Json Header(const std::string& alg, const std::string& kid) {
  return Json{{"alg", alg}, {"kid", kid}, {"typ", "JWT"}};
}

std::string RsaToken(const Json& claims, const std::string& kid = "rsa-1") {
  return testing::SignJwt(Header("RS256", kid), claims, testing::Rsa2048());
}

absl::StatusOr<std::optional<Principal>> Auth(const Authenticator& auth, const std::string& token) {
  return auth.Authenticate(Credentials{"Bearer " + token, ""});
}

// Refused with `code`, a message containing `reason`, and no part of the token.
void CheckRefused(const absl::StatusOr<std::optional<Principal>>& result, absl::StatusCode code,
                  const std::string& reason, const std::string& token) {
  REQUIRE_FALSE(result.ok());
  const std::string message(result.status().message());
  INFO(message);
  CHECK(result.status().code() == code);
  CHECK_THAT(message, Catch::Contains(reason));
  if (token.size() > 8) CHECK_THAT(message, !Catch::Contains(token.substr(token.size() - 8)));
}

TEST_CASE("a valid token gives the principal") {
  Env env;
  auto auth = env.Make();
  const std::string token = RsaToken(env.Claims());
  auto result = Auth(*auth, token);
  REQUIRE(result.ok());
  REQUIRE(result->has_value());
  const Principal& p = **result;
  CHECK(p.name == "alice");
  CHECK(p.auth_method == "OIDC");
  CHECK(p.SortedGroups() == std::vector<std::string>{"everyone", "team-a", "team-b"});
  CHECK(p.scopes == absl::flat_hash_set<std::string>{"submit", "watch"});
  CHECK(p.claims ==
        absl::flat_hash_set<std::string>{"iss", "aud", "sub", "exp", "iat", "groups", "scope"});
  CHECK(auth->method() == "OIDC");

  SECTION("the scheme is case-insensitive") {
    for (const char* scheme : {"bearer ", "BEARER ", "BeArEr  "}) {
      auto again = auth->Authenticate(Credentials{scheme + token, ""});
      REQUIRE(again.ok());
      CHECK((*again)->name == "alice");
    }
  }
  SECTION("ES256 with the P-256 key, ES384 with the P-384 key (JWK without alg)") {
    auto es256 =
        Auth(*auth, testing::SignJwt(Header("ES256", "ec-1"), env.Claims(), testing::EcP256()));
    REQUIRE(es256.ok());
    CHECK((*es256)->name == "alice");
    auto es384 =
        Auth(*auth, testing::SignJwt(Header("ES384", "ec-384"), env.Claims(), testing::EcP384()));
    REQUIRE(es384.ok());
    CHECK((*es384)->name == "alice");
  }
  SECTION("a token without typ") {
    auto no_typ = Auth(*auth, testing::SignJwt(Json{{"alg", "RS256"}, {"kid", "rsa-1"}},
                                               env.Claims(), testing::Rsa2048()));
    CHECK(no_typ.ok());
  }
}

TEST_CASE("credentials of another kind are passed on") {
  Env env;
  auto auth = env.Make();
  for (const char* header : {"", "Basic YWxpY2U6cHc=", "Bearerxyz", "Token abc", " Bearer x"}) {
    INFO(header);
    auto result = auth->Authenticate(Credentials{header, ""});
    REQUIRE(result.ok());
    CHECK_FALSE(result->has_value());
  }
  for (const char* header : {"Bearer", "Bearer ", "bearer    "}) {
    CheckRefused(auth->Authenticate(Credentials{header, ""}), absl::StatusCode::kUnauthenticated,
                 "empty bearer token", "");
  }
  CHECK(env.idp.jwks_hits() == 0);  // nothing was worth fetching keys for
}

struct ClaimCase {
  std::string name;
  std::function<void(Json&, absl::Time now, const std::string& issuer)> edit;
  std::string refusal;  // "" = accepted
};

const std::vector<ClaimCase> kClaimCases = {
    {"unchanged", [](Json&, absl::Time, const std::string&) {}, ""},
    {"expired beyond the skew",
     [](Json& c, absl::Time now, const std::string&) { c["exp"] = At(now - absl::Seconds(61)); },
     "token expired at 2027-01-15T07:58:59+00:00"},
    {"expired at exactly the skew",
     [](Json& c, absl::Time now, const std::string&) { c["exp"] = At(now - absl::Seconds(60)); },
     "token expired at"},
    {"expired within the skew",
     [](Json& c, absl::Time now, const std::string&) { c["exp"] = At(now - absl::Seconds(30)); },
     ""},
    {"fractional exp",
     [](Json& c, absl::Time now, const std::string&) {
       c["exp"] = static_cast<double>(At(now)) + 100.5;
     },
     ""},
    {"no exp", [](Json& c, absl::Time, const std::string&) { c.erase("exp"); },
     "token has no expiry (exp)"},
    {"exp not a number", [](Json& c, absl::Time, const std::string&) { c["exp"] = "tomorrow"; },
     "claim exp is not a number"},
    {"not yet valid",
     [](Json& c, absl::Time now, const std::string&) { c["nbf"] = At(now + absl::Seconds(120)); },
     "token not valid before 2027-01-15T08:02:00+00:00"},
    {"nbf within the skew",
     [](Json& c, absl::Time now, const std::string&) { c["nbf"] = At(now + absl::Seconds(30)); },
     ""},
    {"issued in the future",
     [](Json& c, absl::Time now, const std::string&) { c["iat"] = At(now + absl::Seconds(120)); },
     "token issued in the future"},
    {"wrong audience", [](Json& c, absl::Time, const std::string&) { c["aud"] = "other"; },
     "audience \"other\" not accepted: it must include \"armada\""},
    {"audience list naming the client",
     [](Json& c, absl::Time, const std::string&) {
       c["aud"] = {"other", "armada"};
     },
     ""},
    {"audience list without the client",
     [](Json& c, absl::Time, const std::string&) {
       c["aud"] = {"other", "more"};
     },
     "audience \"other\", \"more\" not accepted"},
    {"no audience", [](Json& c, absl::Time, const std::string&) { c.erase("aud"); },
     "token has no audience (aud)"},
    {"wrong issuer", [](Json& c, absl::Time, const std::string&) { c["iss"] = "https://evil"; },
     "issuer \"https://evil\" not accepted"},
    {"issuer with a trailing slash",
     [](Json& c, absl::Time, const std::string& issuer) { c["iss"] = issuer + "/"; },
     "not accepted"},
    {"no issuer", [](Json& c, absl::Time, const std::string&) { c.erase("iss"); },
     "token has no issuer (iss)"},
    {"no subject", [](Json& c, absl::Time, const std::string&) { c.erase("sub"); },
     "token has no user name: claim sub"},
    {"empty subject", [](Json& c, absl::Time, const std::string&) { c["sub"] = ""; },
     "token has no user name"},
};

TEST_CASE("claims are checked") {
  const ClaimCase c = GENERATE(from_range(kClaimCases));
  DYNAMIC_SECTION(c.name) {
    Env env;
    auto auth = env.Make();
    Json claims = env.Claims();
    c.edit(claims, env.clock.Now(), env.idp.url());
    const std::string token = RsaToken(claims);
    auto result = Auth(*auth, token);
    if (c.refusal.empty()) {
      INFO(result.status().ToString());
      REQUIRE(result.ok());
      CHECK((*result)->name == "alice");
    } else {
      CheckRefused(result, absl::StatusCode::kUnauthenticated, c.refusal, token);
    }
  }
}

TEST_CASE("time comes from the injected clock") {
  Env env;
  auto auth = env.Make();
  const std::string token = RsaToken(env.Claims());  // exp = now + 5 min
  REQUIRE(Auth(*auth, token).ok());
  env.clock.Advance(absl::Minutes(5) + absl::Seconds(59));
  CHECK(Auth(*auth, token).ok());  // within the 60 s skew
  env.clock.Advance(absl::Seconds(1));
  CheckRefused(Auth(*auth, token), absl::StatusCode::kUnauthenticated, "token expired at", token);
}

TEST_CASE("optional checks and configurable claims") {
  Env env;
  SECTION("skipClientIdCheck accepts any audience") {
    env.config.skip_client_id_check = true;
    Json claims = env.Claims();
    claims["aud"] = "someone-else";
    CHECK(Auth(*env.Make(), RsaToken(claims)).ok());
  }
  SECTION("usernameClaim and groupsClaim") {
    env.config.username_claim = "email";
    env.config.groups_claim = "roles";
    Json claims = env.Claims();
    claims["email"] = "alice@example.com";
    claims["roles"] = {"admins", 7, "ops"};
    auto result = Auth(*env.Make(), RsaToken(claims));
    REQUIRE(result.ok());
    CHECK((*result)->name == "alice@example.com");
    CHECK((*result)->SortedGroups() == std::vector<std::string>{"admins", "everyone", "ops"});
  }
  SECTION("a groups claim that is not a list gives no groups") {
    Json claims = env.Claims();
    claims["groups"] = "team-a";
    auto result = Auth(*env.Make(), RsaToken(claims));
    REQUIRE(result.ok());
    CHECK((*result)->SortedGroups() == std::vector<std::string>{"everyone"});
  }
  SECTION("no groupsClaim configured: no groups") {
    env.config.groups_claim = "";
    auto result = Auth(*env.Make(), RsaToken(env.Claims()));
    REQUIRE(result.ok());
    CHECK((*result)->SortedGroups() == std::vector<std::string>{"everyone"});
  }
}

TEST_CASE("signatures and algorithms") {
  Env env;
  auto auth = env.Make();
  const Json claims = env.Claims();
  constexpr auto kUnauth = absl::StatusCode::kUnauthenticated;

  SECTION("signed by another key under the same kid") {
    const std::string forged =
        testing::SignJwt(Header("RS256", "rsa-1"), claims, testing::OtherRsa2048());
    CheckRefused(Auth(*auth, forged), kUnauth, "signature does not verify with key \"rsa-1\"",
                 forged);
  }
  SECTION("a valid signature over different claims") {
    const std::string good = RsaToken(claims);
    Json admin = claims;
    admin["groups"] = {"admins"};
    const std::string header = good.substr(0, good.find('.'));
    const std::string sig = good.substr(good.rfind('.') + 1);
    const std::string spliced = absl::StrCat(header, ".", B64(admin.dump()), ".", sig);
    CheckRefused(Auth(*auth, spliced), kUnauth, "signature does not verify", spliced);
  }
  SECTION("alg none") {
    for (const char* none : {"none", "None", "NONE"}) {
      const std::string token = testing::UnsignedJwt(Json{{"alg", none}, {"kid", "rsa-1"}}, claims);
      CheckRefused(Auth(*auth, token), kUnauth, "not accepted", token);
    }
    // none with a signature part from a real token
    const std::string good = RsaToken(claims);
    const std::string with_sig = absl::StrCat(testing::UnsignedJwt(Json{{"alg", "none"}}, claims),
                                              good.substr(good.rfind('.') + 1));
    CheckRefused(Auth(*auth, with_sig), kUnauth, "token algorithm \"none\" not accepted", with_sig);
  }
  SECTION("HS256 with the public key as the HMAC secret") {
    // The classic confusion attack: libjwt alone would accept this, since it
    // takes HS256 from the header and the PEM as the secret. Try the key as
    // published with alg and without.
    env.idp.ServeKeys(Json{{"keys", {testing::PublicJwk(testing::Rsa2048(), "rsa-1", "")}}});
    auto fresh = env.Make();
    for (const std::string& secret :
         {testing::PublicPem(testing::Rsa2048()), std::string("rsa-1")}) {
      const std::string token = testing::HmacSha256Jwt(Header("HS256", "rsa-1"), claims, secret);
      CheckRefused(Auth(*fresh, token), kUnauth, "token algorithm \"HS256\" not accepted", token);
    }
  }
  SECTION("alg that does not fit the key") {
    struct Mismatch {
      std::string alg, kid;
    };
    for (const Mismatch& m : std::vector<Mismatch>{{"ES256", "rsa-1"},
                                                   {"RS384", "rsa-1"},  // key says RS256
                                                   {"RS256", "ec-1"},
                                                   {"ES384", "ec-1"},       // P-256 key
                                                   {"ES256", "ec-384"}}) {  // P-384 key
      INFO(m.alg << " with " << m.kid);
      const testing::TestKey& key = m.alg[0] == 'R' ? testing::Rsa2048() : testing::EcP256();
      const std::string token = testing::SignJwt(Header(m.alg, m.kid), claims, key);
      CheckRefused(Auth(*auth, token), kUnauth,
                   absl::StrCat("token algorithm ", m.alg, " does not fit key \"", m.kid, "\""),
                   token);
    }
  }
  SECTION("unsupported algorithms") {
    for (const char* alg : {"PS256", "EdDSA", "RS1", ""}) {
      const std::string token = RsaToken(claims);
      const std::string relabelled =
          absl::StrCat(B64(Header(alg, "rsa-1").dump()), token.substr(token.find('.')));
      CheckRefused(Auth(*auth, relabelled), kUnauth, "not accepted", relabelled);
    }
  }
  SECTION("a crit header or another typ") {
    Json crit = Header("RS256", "rsa-1");
    crit["crit"] = {"exp"};
    const std::string t1 = testing::SignJwt(crit, claims, testing::Rsa2048());
    CheckRefused(Auth(*auth, t1), kUnauth, "crit", t1);
    Json typ = Header("RS256", "rsa-1");
    typ["typ"] = "at+jwt";
    const std::string t2 = testing::SignJwt(typ, claims, testing::Rsa2048());
    CheckRefused(Auth(*auth, t2), kUnauth, "token type \"at+jwt\" not supported", t2);
  }
}

struct MalformedCase {
  std::string name;
  std::function<std::string(const std::string& good)> token;
  std::string refusal;
};

const std::vector<MalformedCase> kMalformed = {
    {"one part", [](const std::string&) { return std::string("abcdefghijkl"); },
     "malformed token: 1 parts"},
    {"two parts", [](const std::string& g) { return g.substr(0, g.rfind('.')); },
     "malformed token: 2 parts"},
    {"four parts", [](const std::string& g) { return g + ".AAAA"; }, "malformed token: 4 parts"},
    {"header not base64url", [](const std::string& g) { return "eyJ!!!" + g.substr(g.find('.')); },
     "the header is not base64url of a JSON object"},
    {"padded header", [](const std::string& g) { return "e30=" + g.substr(g.find('.')); },
     "the header is not base64url"},
    {"header not JSON", [](const std::string& g) { return B64("hello") + g.substr(g.find('.')); },
     "the header is not base64url of a JSON object"},
    {"payload a JSON array",
     [](const std::string& g) {
       return g.substr(0, g.find('.')) + "." + B64("[1,2]") + g.substr(g.rfind('.'));
     },
     "the payload is not base64url of a JSON object"},
    {"payload invalid UTF-8",
     [](const std::string& g) {
       return g.substr(0, g.find('.')) + "." + B64("{\"sub\":\"\xff\"}") + g.substr(g.rfind('.'));
     },
     "the payload is not base64url of a JSON object"},
    {"signature not base64url", [](const std::string& g) { return g + "+/"; },
     "the signature is not base64url"},
    {"no signature", [](const std::string& g) { return g.substr(0, g.rfind('.') + 1); },
     "token has no signature"},
    {"alg not a string",
     [](const std::string& g) { return B64("{\"alg\":256}") + g.substr(g.find('.')); },
     "the header has no alg"},
    {"too long", [](const std::string& g) { return g + std::string(40000, 'A'); },
     "longer than 32768 bytes"},
};

TEST_CASE("malformed tokens are refused without echoing them") {
  const MalformedCase c = GENERATE(from_range(kMalformed));
  DYNAMIC_SECTION(c.name) {
    Env env;
    auto auth = env.Make();
    const std::string token = c.token(RsaToken(env.Claims()));
    CheckRefused(Auth(*auth, token), absl::StatusCode::kUnauthenticated, c.refusal, token);
  }
}

TEST_CASE("rotated keys: an unknown kid refetches the key set, at most once per interval") {
  Env env;
  auto auth = env.Make();
  REQUIRE(Auth(*auth, RsaToken(env.Claims())).ok());
  CHECK(env.idp.jwks_hits() == 1);
  CHECK(env.idp.discovery_hits() == 1);

  // The IdP rotates to a new key "rsa-2".
  env.idp.ServeKeys(
      Json{{"keys", {testing::PublicJwk(testing::OtherRsa2048(), "rsa-2", "RS256")}}});
  const std::string rotated =
      testing::SignJwt(Header("RS256", "rsa-2"), env.Claims(), testing::OtherRsa2048());
  // Within jwks_min_refresh_interval of the first fetch: no refetch yet.
  CheckRefused(Auth(*auth, rotated), absl::StatusCode::kUnauthenticated, "unknown key id \"rsa-2\"",
               rotated);
  CHECK(env.idp.jwks_hits() == 1);

  env.clock.Advance(env.config.jwks_min_refresh_interval);
  const std::string token =
      testing::SignJwt(Header("RS256", "rsa-2"), env.Claims(), testing::OtherRsa2048());
  auto result = Auth(*auth, token);
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  CHECK(env.idp.jwks_hits() == 2);
  CHECK(env.idp.discovery_hits() == 1);  // the jwks_uri is remembered

  // A flood of forged kids costs nothing more within the interval.
  for (int i = 0; i < 50; ++i) {
    const std::string forged = testing::SignJwt(Header("RS256", absl::StrCat("forged-", i)),
                                                env.Claims(), testing::OtherRsa2048());
    CheckRefused(Auth(*auth, forged), absl::StatusCode::kUnauthenticated, "unknown key id", forged);
  }
  CHECK(env.idp.jwks_hits() == 2);
  // The old key is gone.
  CheckRefused(Auth(*auth, RsaToken(env.Claims())), absl::StatusCode::kUnauthenticated,
               "unknown key id \"rsa-1\"", "");
  // After the interval, one more fetch for the next unknown kid.
  env.clock.Advance(env.config.jwks_min_refresh_interval);
  CHECK_FALSE(Auth(*auth, RsaToken(env.Claims())).ok());
  CHECK_FALSE(Auth(*auth, RsaToken(env.Claims())).ok());
  CHECK(env.idp.jwks_hits() == 3);
}

TEST_CASE("configuration is checked at construction") {
  FakeIdp idp;
  common::SimulatedClock clock{kNow};
  struct Bad {
    std::string name;
    std::function<void(OidcConfig&)> edit;
    std::string error;
  };
  const std::vector<Bad> cases = {
      {"http provider", [](OidcConfig& c) { c.provider_url = "http://idp.example"; },
       "auth.openIdAuth.providerUrl \"http://idp.example\": must be an https:// URL"},
      {"http loopback provider", [](OidcConfig& c) { c.provider_url = "http://127.0.0.1:1"; },
       "must be an https:// URL"},
      {"no provider", [](OidcConfig& c) { c.provider_url = ""; }, "providerUrl"},
      {"http jwks", [](OidcConfig& c) { c.jwks_url = "http://idp.example/keys"; },
       "auth.openIdAuth.jwksUrl"},
      {"no client id", [](OidcConfig& c) { c.client_id = ""; }, "auth.openIdAuth.clientId"},
      {"no username claim", [](OidcConfig& c) { c.username_claim = ""; }, "usernameClaim"},
      {"negative skew", [](OidcConfig& c) { c.clock_skew = absl::Seconds(-1); }, "clockSkew"},
      {"unreadable CA file", [](OidcConfig& c) { c.ca_file = "/nonexistent/ca.pem"; },
       "auth.openIdAuth.caFile /nonexistent/ca.pem: cannot be read"},
  };
  for (const Bad& bad : cases) {
    INFO(bad.name);
    OidcConfig config = testing::ConfigFor(idp);
    bad.edit(config);
    auto made = MakeOidcAuthenticator(config, clock);
    REQUIRE_FALSE(made.ok());
    CHECK(made.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(made.status().message()), Catch::Contains(bad.error));
  }
  OidcConfig skip = testing::ConfigFor(idp);
  skip.client_id = "";
  skip.skip_client_id_check = true;
  CHECK(MakeOidcAuthenticator(skip, clock).ok());
  CHECK(idp.discovery_hits() == 0);  // construction fetches nothing
}

}  // namespace
}  // namespace armada::auth
