#include "cli/oidc_client.h"

#include <algorithm>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "lib/common/status_macros.h"

namespace armada::cli {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

constexpr char kDeviceGrant[] = "urn:ietf:params:oauth:grant-type:device_code";

int IntMember(const nlohmann::json& json, const char* key, int absent) {
  auto it = json.find(key);
  return it != json.end() && it->is_number_integer() ? it->get<int>() : absent;
}

std::string StringMember(const nlohmann::json& json, const char* key) {
  if (!json.is_object()) return "";
  auto it = json.find(key);
  return it != json.end() && it->is_string() ? it->get<std::string>() : "";
}

// The OAuth2 error of a refused token request (RFC 6749 5.2), or the status and body.
std::string OAuthError(const HttpResponse& response) {
  const nlohmann::json json = nlohmann::json::parse(response.body, nullptr, false);
  const std::string error = StringMember(json, "error");
  if (error.empty()) return absl::StrCat("HTTP ", response.status, ": ", response.body);
  const std::string description = StringMember(json, "error_description");
  return description.empty() ? error : absl::StrCat(error, ": ", description);
}

// A token-endpoint POST: the parsed JSON of a 200, else the error as in FetchOidcToken.
absl::StatusOr<nlohmann::json> PostToken(
    const std::string& url, const std::string& ca_file, const Fields& fields,
    const std::vector<std::pair<std::string, std::string>>& headers, const HttpFetch& fetch) {
  HttpRequest request{url, FormEncode(fields), headers, ca_file};
  request.headers.emplace_back("Accept", "application/json");
  ASSIGN_OR_RETURN(const HttpResponse response, fetch(request));
  const std::string where = absl::StrCat("token endpoint ", url, ": ");
  if (response.status >= 500) {
    return absl::UnavailableError(absl::StrCat(where, OAuthError(response)));
  }
  if (response.status == 400 || response.status == 401 || response.status == 403) {
    return absl::UnauthenticatedError(absl::StrCat(where, OAuthError(response)));
  }
  nlohmann::json json = nlohmann::json::parse(response.body, nullptr, false);
  if (response.status != 200 || !json.is_object()) {
    return absl::FailedPreconditionError(
        absl::StrCat(where, "HTTP ", response.status, ": ", response.body));
  }
  return json;
}

absl::StatusOr<std::string> AccessToken(const std::string& url, const nlohmann::json& json) {
  std::string token = StringMember(json, "access_token");
  if (token.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("token endpoint ", url, ": the response has no access_token"));
  }
  return token;
}

// Adds the client's credentials to a token request (RFC 6749 2.3.1).
void AuthenticateClient(const OidcAuthConfig& oidc, const OidcEndpoints& endpoints, Fields& fields,
                        std::vector<std::pair<std::string, std::string>>& headers) {
  const auto& methods = endpoints.token_auth_methods;
  auto supports = [&methods](const char* method) {
    return std::find(methods.begin(), methods.end(), method) != methods.end();
  };
  const bool post =
      !methods.empty() && !supports("client_secret_basic") && supports("client_secret_post");
  if (oidc.client_secret.empty() || post) {
    fields.emplace_back("client_id", oidc.client_id);
    if (!oidc.client_secret.empty()) fields.emplace_back("client_secret", oidc.client_secret);
    return;
  }
  // The id and secret are form-encoded before the Basic encoding (RFC 6749 2.3.1).
  const std::string pair =
      absl::StrCat(FormUrlEncode(oidc.client_id), ":", FormUrlEncode(oidc.client_secret));
  headers.emplace_back("Authorization", absl::StrCat("Basic ", absl::Base64Escape(pair)));
}

absl::StatusOr<std::string> DeviceFlow(const OidcAuthConfig& oidc, const OidcEndpoints& endpoints,
                                       const HttpFetch& fetch, const DeviceFlowIo& io) {
  if (endpoints.device_authorization_endpoint.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        oidc.provider_url, ": the provider does not advertise device_authorization_endpoint"));
  }
  std::vector<std::string> scopes = oidc.scopes;
  if (std::find(scopes.begin(), scopes.end(), "openid") == scopes.end()) {
    scopes.push_back("openid");
  }
  Fields fields{{"scope", absl::StrJoin(scopes, " ")}};
  std::vector<std::pair<std::string, std::string>> headers;
  AuthenticateClient(oidc, endpoints, fields, headers);
  ASSIGN_OR_RETURN(const nlohmann::json device, PostToken(endpoints.device_authorization_endpoint,
                                                          oidc.ca_file, fields, headers, fetch));
  const std::string device_code = StringMember(device, "device_code");
  if (device_code.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(endpoints.device_authorization_endpoint, ": the response has no device_code"));
  }
  const std::string complete = StringMember(device, "verification_uri_complete");
  if (!complete.empty()) {
    *io.out << "Complete your login in the browser:\n\n    " << complete << "\n" << std::flush;
  } else {
    *io.out << "Go to:\n\n    " << StringMember(device, "verification_uri")
            << "\n\nand enter code: " << StringMember(device, "user_code") << "\n"
            << std::flush;
  }
  int interval = IntMember(device, "interval", 5);
  const int expires_in = IntMember(device, "expires_in", 600);
  Fields poll{{"grant_type", kDeviceGrant}, {"device_code", device_code}};
  std::vector<std::pair<std::string, std::string>> poll_headers;
  AuthenticateClient(oidc, endpoints, poll, poll_headers);
  // Time is counted in the intervals waited, so the loop needs no clock.
  for (int waited = 0; waited < expires_in; waited += std::max(interval, 1)) {
    io.sleep(absl::Seconds(std::max(interval, 1)));
    absl::StatusOr<nlohmann::json> token =
        PostToken(endpoints.token_endpoint, oidc.ca_file, poll, poll_headers, fetch);
    if (token.ok()) return AccessToken(endpoints.token_endpoint, *token);
    if (absl::StrContains(token.status().message(), "authorization_pending")) continue;
    if (absl::StrContains(token.status().message(), "slow_down")) {
      interval += 5;  // RFC 8628 3.5
      continue;
    }
    return token.status();
  }
  return absl::UnauthenticatedError(
      absl::StrCat("token endpoint ", endpoints.token_endpoint,
                   ": the device code expired before the login was completed"));
}

}  // namespace

absl::StatusOr<OidcEndpoints> DiscoverOidc(const std::string& provider_url,
                                           const std::string& ca_file, const HttpFetch& fetch) {
  const std::string issuer(absl::StripSuffix(provider_url, "/"));
  const std::string url = absl::StrCat(issuer, "/.well-known/openid-configuration");
  ASSIGN_OR_RETURN(const HttpResponse response, fetch(HttpRequest{url, "", {}, ca_file}));
  if (response.status >= 500) {
    return absl::UnavailableError(absl::StrCat(url, ": HTTP ", response.status));
  }
  if (response.status != 200) {
    return absl::FailedPreconditionError(
        absl::StrCat(url, ": HTTP ", response.status, " (is providerUrl the issuer's URL?)"));
  }
  const nlohmann::json json = nlohmann::json::parse(response.body, nullptr, false);
  if (!json.is_object()) {
    return absl::FailedPreconditionError(absl::StrCat(url, ": the response is not JSON"));
  }
  const std::string advertised = StringMember(json, "issuer");
  if (absl::StripSuffix(advertised, "/") != issuer) {
    return absl::FailedPreconditionError(
        absl::StrCat(url, ": the issuer is \"", advertised, "\", not providerUrl ", provider_url));
  }
  OidcEndpoints endpoints;
  endpoints.token_endpoint = StringMember(json, "token_endpoint");
  if (endpoints.token_endpoint.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(url, ": no token_endpoint"));
  }
  endpoints.device_authorization_endpoint = StringMember(json, "device_authorization_endpoint");
  if (auto it = json.find("token_endpoint_auth_methods_supported");
      it != json.end() && it->is_array()) {
    for (const auto& method : *it) {
      if (method.is_string()) endpoints.token_auth_methods.push_back(method.get<std::string>());
    }
  }
  return endpoints;
}

absl::StatusOr<std::string> FetchOidcToken(const AuthConfig& auth, const HttpFetch& fetch,
                                           const DeviceFlowIo& device_io) {
  const OidcAuthConfig& oidc = auth.oidc;
  ASSIGN_OR_RETURN(const OidcEndpoints endpoints,
                   DiscoverOidc(oidc.provider_url, oidc.ca_file, fetch));
  Fields fields;
  switch (auth.kind) {
    case AuthKind::kOpenIdPassword:
      fields = {
          {"grant_type", "password"}, {"username", oidc.username}, {"password", oidc.password}};
      break;
    case AuthKind::kOpenIdClientCredentials:
      fields = {{"grant_type", "client_credentials"}};
      break;
    case AuthKind::kOpenIdDevice:
      return DeviceFlow(oidc, endpoints, fetch, device_io);
    default:
      return absl::FailedPreconditionError(
          absl::StrCat(auth.key, ": not a token grant armadactl implements"));
  }
  if (!oidc.scopes.empty()) fields.emplace_back("scope", absl::StrJoin(oidc.scopes, " "));
  std::vector<std::pair<std::string, std::string>> headers;
  AuthenticateClient(oidc, endpoints, fields, headers);
  ASSIGN_OR_RETURN(const nlohmann::json token,
                   PostToken(endpoints.token_endpoint, oidc.ca_file, fields, headers, fetch));
  return AccessToken(endpoints.token_endpoint, token);
}

}  // namespace armada::cli
