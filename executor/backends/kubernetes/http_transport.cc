#include "executor/backends/kubernetes/http_transport.h"

#include <curl/curl.h>

#include <mutex>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "spdlog/spdlog.h"

namespace armada::executor::kubernetes {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// State shared with libcurl's callbacks during one exchange.
struct Exchange {
  HttpResponse response;
  CURL* curl = nullptr;
  const std::function<bool(std::string_view)>* on_line = nullptr;  // streaming only
  int lines = -1;       // streaming: -1 undecided, 1 the body is lines (2xx), 0 an error body
  std::string pending;  // an incomplete line
  bool stopped_by_caller = false;
};

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  absl::string_view line(data, size * count);
  if (absl::StartsWithIgnoreCase(line, "HTTP/")) ex->response.retry_after.clear();
  constexpr absl::string_view kRetryAfter = "retry-after:";
  if (absl::StartsWithIgnoreCase(line, kRetryAfter)) {
    ex->response.retry_after =
        std::string(absl::StripAsciiWhitespace(line.substr(kRetryAfter.size())));
  }
  return size * count;
}

long StatusOf(CURL* curl) {
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  return code;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const size_t n = size * count;
  // Only 2xx bodies of streams are split into lines; other bodies are kept whole.
  if (ex->on_line != nullptr && ex->lines < 0) {
    const long status = StatusOf(ex->curl);
    ex->lines = status >= 200 && status < 300 ? 1 : 0;
  }
  if (ex->lines != 1) {
    ex->response.body.append(data, n);
    return n;
  }
  ex->pending.append(data, n);
  size_t start = 0;
  for (size_t nl; (nl = ex->pending.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string_view line(ex->pending.data() + start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (!(*ex->on_line)(line)) {
      ex->stopped_by_caller = true;
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
  }
  ex->pending.erase(0, start);
  return n;
}

curl_blob Blob(const std::string& s) {
  return curl_blob{const_cast<char*>(s.data()), s.size(), CURL_BLOB_COPY};
}

}  // namespace

HttpTransport::HttpTransport(KubeConnection connection) : connection_(std::move(connection)) {
  GlobalInit();
  token_ = connection_.bearer_token;
  if (!connection_.bearer_token.empty()) token_read_ = absl::Now();
}

HttpTransport::~HttpTransport() {
  absl::MutexLock lock(&mu_);
  for (void* handle : idle_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void* HttpTransport::AcquireHandle() {
  {
    absl::MutexLock lock(&mu_);
    if (!idle_.empty()) {
      void* handle = idle_.back();
      idle_.pop_back();
      curl_easy_reset(static_cast<CURL*>(handle));
      return handle;
    }
  }
  return curl_easy_init();
}

void HttpTransport::ReleaseHandle(void* handle) {
  absl::MutexLock lock(&mu_);
  if (idle_.size() < 8) {
    idle_.push_back(handle);
  } else {
    curl_easy_cleanup(static_cast<CURL*>(handle));
  }
}

std::string HttpTransport::BearerToken() {
  absl::MutexLock lock(&mu_);
  if (!connection_.bearer_token_file.empty() && absl::Now() - token_read_ > absl::Minutes(1)) {
    absl::StatusOr<std::string> token = ReadFileToString(connection_.bearer_token_file);
    if (token.ok()) {
      token_ = std::string(absl::StripAsciiWhitespace(*token));
      token_read_ = absl::Now();
    } else {
      spdlog::warn("kubernetes: cannot re-read the bearer token: {}", token.status().ToString());
    }
  }
  return token_;
}

namespace {

// Sets everything but the write target on `curl`; returns the header list to free.
curl_slist* Configure(CURL* curl, const KubeConnection& conn, const HttpRequest& request,
                      const std::string& token, Exchange& ex) {
  const std::string url = conn.server + request.target;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(request.timeout)));
  if (request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (!request.body.empty() || request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_COPYPOSTFIELDS, request.body.c_str());
  }
  curl_slist* headers = curl_slist_append(nullptr, "Accept: application/json");
  if (!request.body.empty()) {
    headers = curl_slist_append(headers, ("Content-Type: " + request.content_type).c_str());
  }
  if (!token.empty()) {
    headers = curl_slist_append(headers, ("Authorization: Bearer " + token).c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (!conn.ca_pem.empty()) {
    curl_blob ca = Blob(conn.ca_pem);
    curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &ca);
  }
  if (conn.insecure_skip_tls_verify) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!conn.client_cert_pem.empty()) {
    curl_blob cert = Blob(conn.client_cert_pem);
    curl_blob key = Blob(conn.client_key_pem);
    curl_easy_setopt(curl, CURLOPT_SSLCERT_BLOB, &cert);
    curl_easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
    curl_easy_setopt(curl, CURLOPT_SSLKEY_BLOB, &key);
    curl_easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");
  }
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &ex);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &ex);
  return headers;
}

absl::Status CurlError(const HttpRequest& request, const std::string& server, CURLcode code,
                       const char* detail) {
  const std::string message = absl::StrCat(request.method, " ", server, request.target, ": ",
                                           *detail ? detail : curl_easy_strerror(code));
  if (code == CURLE_OPERATION_TIMEDOUT) return absl::DeadlineExceededError(message);
  return absl::UnavailableError(message);
}

}  // namespace

absl::StatusOr<HttpResponse> HttpTransport::Do(const HttpRequest& request) {
  CURL* curl = static_cast<CURL*>(AcquireHandle());
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  Exchange ex;
  char error[CURL_ERROR_SIZE] = "";
  curl_slist* headers = Configure(curl, connection_, request, BearerToken(), ex);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  const CURLcode code = curl_easy_perform(curl);
  ex.response.status = static_cast<int>(StatusOf(curl));
  curl_slist_free_all(headers);
  ReleaseHandle(curl);
  if (code != CURLE_OK) return CurlError(request, connection_.server, code, error);
  return std::move(ex.response);
}

absl::StatusOr<HttpResponse> HttpTransport::Stream(
    const HttpRequest& request, const std::function<bool(std::string_view)>& on_line,
    const std::atomic<bool>& stop) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  Exchange ex;
  char error[CURL_ERROR_SIZE] = "";
  curl_slist* headers = Configure(curl, connection_, request, BearerToken(), ex);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  ex.curl = curl;
  ex.on_line = &on_line;
  CURLM* multi = curl_multi_init();
  curl_multi_add_handle(multi, curl);
  int running = 1;
  while (running > 0 && !stop.load()) {
    if (curl_multi_perform(multi, &running) != CURLM_OK) break;
    if (running > 0) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  CURLcode code = CURLE_OK;
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
    if (msg->msg == CURLMSG_DONE) code = msg->data.result;
  }
  ex.response.status = static_cast<int>(StatusOf(curl));
  curl_multi_remove_handle(multi, curl);
  curl_multi_cleanup(multi);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (stop.load() || ex.stopped_by_caller) return std::move(ex.response);
  if (code != CURLE_OK) return CurlError(request, connection_.server, code, error);
  return std::move(ex.response);
}

}  // namespace armada::executor::kubernetes
