// -----------------------------------------------------------------------------
// File: executor/backends/kubernetes/http_transport.h
// -----------------------------------------------------------------------------
//
// `HttpTransport` sends HTTP(S) requests to one Kubernetes API server with libcurl, with the
// connection's TLS settings and credentials. It knows nothing of Kubernetes resources, rate
// limits or retries (see KubeClient): one call is one HTTP exchange.
//
// Example:
//
//   HttpTransport transport(connection);
//   absl::StatusOr<HttpResponse> r = transport.Do({.method = "GET", .target = "/api/v1/nodes"});
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "executor/backends/kubernetes/kube_config.h"

namespace armada::executor::kubernetes {

struct HttpRequest {
  std::string method = "GET";  // GET, POST, PATCH, PUT or DELETE
  std::string target{};        // path and query, e.g. "/api/v1/pods?labelSelector=a%3Db"
  std::string body{};          // sent when non-empty
  std::string content_type = "application/json";
  absl::Duration timeout = absl::Seconds(30);  // the whole exchange, streams included
};

struct HttpResponse {
  int status = 0;             // HTTP status code
  std::string body{};         // for Stream: only for non-2xx responses
  std::string retry_after{};  // the Retry-After header, if any
};

class HttpTransport {
 public:
  // Reads nothing yet; a bad PEM shows up as an error of the first request.
  explicit HttpTransport(KubeConnection connection);
  ~HttpTransport();

  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // One request/response. Any HTTP status is OK (the caller interprets it); errors are
  // transport failures only: kUnavailable naming the method, URL and curl's message
  // (connection refused, TLS failure, timeout). Thread-safe; connections are reused.
  absl::StatusOr<HttpResponse> Do(const HttpRequest& request);

  // A streaming GET: for a 2xx response, calls `on_line` with each '\n'-terminated line of the
  // body (without the '\n'; empty lines skipped) as it arrives, until the server ends the
  // body, `on_line` returns false, `stop` becomes true (checked every 100ms) or the timeout
  // passes (then kDeadlineExceeded). Stopping early is OK. For a non-2xx response, returns
  // it with its body and calls `on_line` never. Errors as Do. Thread-safe.
  absl::StatusOr<HttpResponse> Stream(const HttpRequest& request,
                                      const std::function<bool(std::string_view)>& on_line,
                                      const std::atomic<bool>& stop);

  const std::string& server() const { return connection_.server; }

 private:
  void* AcquireHandle();
  void ReleaseHandle(void* handle);
  std::string BearerToken();

  const KubeConnection connection_;
  absl::Mutex mu_;
  std::vector<void*> idle_ ABSL_GUARDED_BY(mu_);  // CURL* easy handles, kept for reuse
  std::string token_ ABSL_GUARDED_BY(mu_);
  absl::Time token_read_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace armada::executor::kubernetes
