// OpenID Connect token requests (oidc_client.h) against a scripted HttpFetch.
#include "cli/oidc_client.h"

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "cli/credentials.h"

namespace armada::cli {
namespace {

constexpr char kIssuer[] = "https://idp.test/realms/armada";

// Answers by URL (one queued response per request, the last one repeated); records requests.
struct FakeProvider {
  std::map<std::string, std::vector<HttpResponse>> answers;
  std::vector<HttpRequest> requests;

  FakeProvider() {
    answers[std::string(kIssuer) + "/.well-known/openid-configuration"] = {
        {200, R"({"issuer": "https://idp.test/realms/armada",
                  "token_endpoint": "https://idp.test/token",
                  "device_authorization_endpoint": "https://idp.test/device"})"}};
    answers["https://idp.test/token"] = {
        {200, R"({"access_token": "tok-1", "token_type": "Bearer", "expires_in": 300})"}};
  }

  HttpFetch Fetch() {
    return [this](const HttpRequest& request) -> absl::StatusOr<HttpResponse> {
      requests.push_back(request);
      auto it = answers.find(request.url);
      if (it == answers.end()) return absl::UnavailableError(request.url + ": refused");
      HttpResponse response = it->second.front();
      if (it->second.size() > 1) it->second.erase(it->second.begin());
      return response;
    };
  }

  std::string Header(std::size_t request, const std::string& name) const {
    for (const auto& [key, value] : requests.at(request).headers) {
      if (key == name) return value;
    }
    return "";
  }
};

AuthConfig Oidc(AuthKind kind) {
  AuthConfig auth;
  auth.kind = kind;
  auth.key = "contexts.a.oidc";
  auth.oidc.provider_url = std::string(kIssuer) + "/";
  auth.oidc.client_id = "armadactl";
  auth.oidc.scopes = {"openid", "armada"};
  auth.oidc.ca_file = "/etc/idp-ca.crt";
  return auth;
}

DeviceFlowIo NoDevice() {
  return DeviceFlowIo{nullptr, [](absl::Duration) {}};
}

TEST_CASE("password grant", "[oidc]") {
  FakeProvider provider;
  AuthConfig auth = Oidc(AuthKind::kOpenIdPassword);
  auth.oidc.username = "alice";
  auth.oidc.password = "p&ss word";
  SECTION("public client: client_id in the form") {
    CHECK(*FetchOidcToken(auth, provider.Fetch(), NoDevice()) == "tok-1");
    REQUIRE(provider.requests.size() == 2);
    CHECK(provider.requests[0].form_body.empty());  // discovery is a GET
    CHECK(provider.requests[0].ca_file == "/etc/idp-ca.crt");
    CHECK(provider.requests[1].url == "https://idp.test/token");
    CHECK(provider.requests[1].ca_file == "/etc/idp-ca.crt");
    CHECK(provider.requests[1].form_body ==
          "grant_type=password&username=alice&password=p%26ss%20word&scope=openid%20armada&"
          "client_id=armadactl");
    CHECK(provider.Header(1, "Authorization").empty());
  }
  SECTION("confidential client: HTTP Basic") {
    auth.oidc.client_secret = "s:cret";
    CHECK(*FetchOidcToken(auth, provider.Fetch(), NoDevice()) == "tok-1");
    CHECK(provider.Header(1, "Authorization") ==
          "Basic " + absl::Base64Escape("armadactl:s%3Acret"));
  }
  SECTION("wrong password") {
    provider.answers["https://idp.test/token"] = {
        {401, R"({"error": "invalid_grant", "error_description": "Invalid user credentials"})"}};
    absl::StatusOr<std::string> token = FetchOidcToken(auth, provider.Fetch(), NoDevice());
    CHECK(token.status().code() == absl::StatusCode::kUnauthenticated);
    CHECK(std::string(token.status().message()) ==
          "token endpoint https://idp.test/token: invalid_grant: Invalid user credentials");
  }
}

TEST_CASE("client-credentials grant", "[oidc]") {
  FakeProvider provider;
  AuthConfig auth = Oidc(AuthKind::kOpenIdClientCredentials);
  auth.oidc.client_secret = "robot-secret";
  SECTION("client_secret_basic by default") {
    CHECK(*FetchOidcToken(auth, provider.Fetch(), NoDevice()) == "tok-1");
    CHECK(provider.requests[1].form_body == "grant_type=client_credentials&scope=openid%20armada");
    CHECK(provider.Header(1, "Authorization") ==
          "Basic " + absl::Base64Escape("armadactl:robot-secret"));
  }
  SECTION("client_secret_post when the provider offers only that") {
    provider.answers[std::string(kIssuer) + "/.well-known/openid-configuration"] = {
        {200, R"({"issuer": "https://idp.test/realms/armada/", "token_endpoint":
                  "https://idp.test/token", "token_endpoint_auth_methods_supported":
                  ["client_secret_post"]})"}};
    CHECK(*FetchOidcToken(auth, provider.Fetch(), NoDevice()) == "tok-1");
    CHECK(provider.requests[1].form_body ==
          "grant_type=client_credentials&scope=openid%20armada&client_id=armadactl&"
          "client_secret=robot-secret");
  }
  SECTION("token endpoint down") {
    provider.answers["https://idp.test/token"] = {{503, "busy"}};
    CHECK(FetchOidcToken(auth, provider.Fetch(), NoDevice()).status().code() ==
          absl::StatusCode::kUnavailable);
  }
  SECTION("200 without a token") {
    provider.answers["https://idp.test/token"] = {{200, R"({"token_type": "Bearer"})"}};
    CHECK(std::string(FetchOidcToken(auth, provider.Fetch(), NoDevice()).status().message()) ==
          "token endpoint https://idp.test/token: the response has no access_token");
  }
}

TEST_CASE("discovery errors", "[oidc]") {
  FakeProvider provider;
  const std::string url = std::string(kIssuer) + "/.well-known/openid-configuration";
  SECTION("another issuer") {
    provider.answers[url] = {{200, R"({"issuer": "https://evil", "token_endpoint": "x"})"}};
    absl::StatusOr<OidcEndpoints> e = DiscoverOidc(kIssuer, "", provider.Fetch());
    CHECK(e.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK(std::string(e.status().message()) ==
          url + ": the issuer is \"https://evil\", not providerUrl " + kIssuer);
  }
  SECTION("not found") {
    provider.answers[url] = {{404, "no"}};
    CHECK(std::string(DiscoverOidc(kIssuer, "", provider.Fetch()).status().message()) ==
          url + ": HTTP 404 (is providerUrl the issuer's URL?)");
  }
  SECTION("no token endpoint") {
    provider.answers[url] = {{200, R"({"issuer": "https://idp.test/realms/armada"})"}};
    CHECK(std::string(DiscoverOidc(kIssuer, "", provider.Fetch()).status().message()) ==
          url + ": no token_endpoint");
  }
  SECTION("unreachable") {
    provider.answers.clear();
    CHECK(DiscoverOidc(kIssuer, "", provider.Fetch()).status().code() ==
          absl::StatusCode::kUnavailable);
  }
}

TEST_CASE("device grant", "[oidc]") {
  FakeProvider provider;
  AuthConfig auth = Oidc(AuthKind::kOpenIdDevice);
  auth.oidc.scopes = {"email"};
  provider.answers["https://idp.test/device"] = {
      {200, R"({"device_code": "dev-1", "user_code": "ABCD-EFGH", "verification_uri":
                "https://idp.test/activate", "expires_in": 60, "interval": 2})"}};
  std::ostringstream out;
  std::vector<absl::Duration> waits;
  DeviceFlowIo io{&out, [&waits](absl::Duration d) { waits.push_back(d); }};
  SECTION("pending, slow down, then the token") {
    provider.answers["https://idp.test/token"] = {{400, R"({"error": "authorization_pending"})"},
                                                  {400, R"({"error": "slow_down"})"},
                                                  {200, R"({"access_token": "device-token"})"}};
    CHECK(*FetchOidcToken(auth, provider.Fetch(), io) == "device-token");
    CHECK(out.str() == "Go to:\n\n    https://idp.test/activate\n\nand enter code: ABCD-EFGH\n");
    CHECK(waits ==
          std::vector<absl::Duration>{absl::Seconds(2), absl::Seconds(2), absl::Seconds(7)});
    CHECK(provider.requests[1].form_body == "scope=email%20openid&client_id=armadactl");
    CHECK(provider.requests[2].form_body ==
          "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=dev-1&"
          "client_id=armadactl");
  }
  SECTION("the code expires") {
    provider.answers["https://idp.test/token"] = {{400, R"({"error": "authorization_pending"})"}};
    absl::StatusOr<std::string> token = FetchOidcToken(auth, provider.Fetch(), io);
    CHECK(token.status().code() == absl::StatusCode::kUnauthenticated);
    CHECK(waits.size() == 30);
  }
  SECTION("denied") {
    provider.answers["https://idp.test/token"] = {{400, R"({"error": "access_denied"})"}};
    CHECK(std::string(FetchOidcToken(auth, provider.Fetch(), io).status().message()) ==
          "token endpoint https://idp.test/token: access_denied");
  }
  SECTION("a provider without a device endpoint") {
    provider.answers[std::string(kIssuer) + "/.well-known/openid-configuration"] = {
        {200, R"({"issuer": "https://idp.test/realms/armada", "token_endpoint": "t"})"}};
    CHECK(FetchOidcToken(auth, provider.Fetch(), io).status().code() ==
          absl::StatusCode::kFailedPrecondition);
  }
}

TEST_CASE("Authorization wraps the OpenID token as Bearer, naming the key on error", "[oidc]") {
  FakeProvider provider;
  CredentialSources sources = CredentialSources::Real();
  sources.fetch = provider.Fetch();
  AuthConfig auth = Oidc(AuthKind::kOpenIdClientCredentials);
  auth.oidc.client_secret = "s";
  CHECK(*Authorization(auth, sources) == "Bearer tok-1");
  provider.answers.clear();
  CHECK(std::string(Authorization(auth, sources).status().message()) ==
        "contexts.a.oidc: " + std::string(kIssuer) + "/.well-known/openid-configuration: refused");
}

}  // namespace
}  // namespace armada::cli
