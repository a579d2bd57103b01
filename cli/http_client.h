// HTTP(S) requests for armadactl's OpenID Connect flows (discovery and token requests), with
// libcurl. Callers take an HttpFetch so tests can answer without a network.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace armada::cli {

struct HttpRequest {
  std::string url;  // http:// or https://
  // Empty: GET. Otherwise POST with this application/x-www-form-urlencoded body.
  std::string form_body;
  // Extra headers (name, value), e.g. {"Authorization", "Basic ..."}.
  std::vector<std::pair<std::string, std::string>> headers;
  // PEM CAs the server's certificate must chain to; empty: the system roots.
  std::string ca_file;
  absl::Duration timeout = absl::Seconds(30);
};

struct HttpResponse {
  long status = 0;  // e.g. 200
  std::string body;
};

// Sends a request and returns the response, whatever its HTTP status. Errors are for requests
// that got no response.
using HttpFetch = std::function<absl::StatusOr<HttpResponse>(const HttpRequest&)>;

// CurlFetch(request): `request` with libcurl. Certificates are verified (chain and host name);
// redirects are not followed. Errors: kUnavailable "<url>: <curl's reason>" when no response
// came (connection refused, TLS handshake or certificate failure, timeout), kInvalidArgument for
// a URL curl cannot use. Thread-safe; each call makes its own connection.
absl::StatusOr<HttpResponse> CurlFetch(const HttpRequest& request);

// FormUrlEncode(text): `text` percent-encoded for a form (every byte but A-Z a-z 0-9 - . _ ~).
std::string FormUrlEncode(const std::string& text);

// FormEncode(fields): "k1=v1&k2=v2" with each key and value percent-encoded (RFC 6749 B).
std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace armada::cli
