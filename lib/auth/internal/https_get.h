#pragma once

// One HTTPS GET with libcurl, for the OIDC discovery document and the JWKS.

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace armada::auth::internal {

struct HttpsGetOptions {
  // PEM bundle that must have issued the server's certificate; empty: the
  // system CAs. The host name is always checked against the certificate.
  std::string ca_file;
  absl::Duration timeout = absl::Seconds(10);
  // A larger body is refused: a key set is a few kilobytes.
  size_t max_body_bytes = 1 << 20;
};

// The body of a 200 response to GET `url`. Only https:// is spoken, also on
// redirects (at most 3). kInvalidArgument for a URL that is not https://;
// kUnavailable for everything the network or server gets wrong (connect,
// TLS verification, timeout, status other than 200, oversized body), with
// curl's reason and the URL. Thread-safe; blocks for up to `timeout`.
absl::StatusOr<std::string> HttpsGet(const std::string& url, const HttpsGetOptions& options);

// True if `url` starts with "https://" (any case) followed by a host.
bool IsHttpsUrl(const std::string& url);

}  // namespace armada::auth::internal
