#include "lib/auth/internal/https_get.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace armada::auth::internal {
namespace {

struct Body {
  std::string data;
  size_t limit = 0;
  bool overflow = false;
};

size_t WriteBody(char* ptr, size_t size, size_t count, void* user) {
  auto* body = static_cast<Body*>(user);
  const size_t n = size * count;
  if (body->data.size() + n > body->limit) {
    body->overflow = true;
    return 0;  // makes curl fail with CURLE_WRITE_ERROR
  }
  body->data.append(ptr, n);
  return n;
}

// curl_global_init is not thread-safe with every TLS backend; do it once.
void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};

}  // namespace

bool IsHttpsUrl(const std::string& url) {
  constexpr std::string_view kScheme = "https://";
  if (url.size() <= kScheme.size()) return false;
  if (!absl::StartsWithIgnoreCase(url, absl::string_view(kScheme.data(), kScheme.size()))) {
    return false;
  }
  for (char c : url) {
    if (absl::ascii_iscntrl(static_cast<unsigned char>(c)) || c == ' ') return false;
  }
  return url[kScheme.size()] != '/';
}

absl::StatusOr<std::string> HttpsGet(const std::string& url, const HttpsGetOptions& options) {
  if (!IsHttpsUrl(url)) {
    return absl::InvalidArgumentError(absl::StrCat("refusing to fetch ", url, ": not https://"));
  }
  InitCurlOnce();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  Body body;
  body.limit = options.max_body_bytes;
  char error[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options.ca_file.c_str());
  // Signals are process-wide: a multi-threaded server must not get SIGALRM.
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options.timeout)));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "armada-server");

  const CURLcode rc = curl_easy_perform(c);
  if (body.overflow) {
    return absl::UnavailableError(
        absl::StrCat("GET ", url, ": response larger than ", options.max_body_bytes, " bytes"));
  }
  if (rc != CURLE_OK) {
    return absl::UnavailableError(
        absl::StrCat("GET ", url, ": ", error[0] != '\0' ? error : curl_easy_strerror(rc)));
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    return absl::UnavailableError(absl::StrCat("GET ", url, ": HTTP status ", status));
  }
  return std::move(body.data);
}

}  // namespace armada::auth::internal
