#pragma once

// armada-server's HTTP port: Armada's REST routes (server/rest_routes.h),
// /health, /metrics and the web UI (server/http/ui_assets.h). Each REST call
// is forwarded to the gRPC method over a channel, normally the server's
// in-process one, so the services' own validation, errors and interceptors
// (metrics) apply unchanged and the gateway depends on no service class.
// gRPC status codes become HTTP statuses as grpc-gateway maps them
// (HttpStatusFromGrpc); a body that is not JSON or does not fit the request
// message is INVALID_ARGUMENT (400) with the parse position or the field in
// the message; errors have the body
// {"code": <gRPC code>, "message": "...", "error": "...", "details": []}.
// Server-streaming methods answer with chunked newline-delimited JSON, one
// {"result": {...}} object per message, until the gRPC stream ends or the
// HTTP client goes away.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/net/tls_config.h"
#include "server/http/rest_routes.h"
#include "server/http/ui_assets.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace armada::net {
class CertificateReloader;
}

namespace armada::server {

// The HTTP status for a gRPC code, as Armada's gateway (grpc-gateway v1's
// runtime.HTTPStatusFromCode) maps it: INVALID_ARGUMENT, FAILED_PRECONDITION
// and OUT_OF_RANGE 400, UNAUTHENTICATED 401, PERMISSION_DENIED 403,
// NOT_FOUND 404, CANCELLED 408, ALREADY_EXISTS and ABORTED 409,
// RESOURCE_EXHAUSTED 429, UNIMPLEMENTED 501, UNAVAILABLE 503,
// DEADLINE_EXCEEDED 504, UNKNOWN, INTERNAL and DATA_LOSS 500.
int HttpStatusFromGrpc(grpc::StatusCode code);

class HttpGateway {
 public:
  struct Options {
    // /health answers 200 when this returns OK, 503 with its message
    // otherwise; unset: always 200.
    std::function<absl::Status()> health;
    // The Prometheus text exposition served at /metrics; unset: no /metrics.
    std::function<std::string()> metrics;
    // Set: /metrics answers only requests whose Authorization header this
    // accepts (the error's code becomes the HTTP status).
    std::function<absl::Status(const std::string& authorization)> authorize_metrics;
    // The web UI's files, served at / and /ui/... (ui_assets.h); must outlive
    // the gateway. Null: no UI routes.
    const std::vector<UiAsset>* ui_assets = nullptr;
    // Requests served at once; each open event stream holds one.
    int max_concurrent_requests = 64;
    size_t max_body_bytes = 16 << 20;
    // HTTPS when tls.cert_file is set; replaced files are served from the
    // next connection on. With tls.client_ca_file, client certificates are
    // verified and the verified name is passed on to the gRPC call
    // (net::VerifiedClientCertificateName); with
    // tls.require_client_certificate, a request without one is answered 401,
    // except /health, which probes reach without a certificate.
    net::TlsServerConfig tls;
  };

  // kInvalidArgument when a route of ArmadaRestRoutes() does not match the
  // linked protobuf descriptors (a programming error), or naming the file
  // when a TLS file is missing or unusable.
  static absl::StatusOr<std::unique_ptr<HttpGateway>> Create(
      std::shared_ptr<grpc::ChannelInterface> channel, Options options);
  // Stops the server if it still runs.
  ~HttpGateway();

  // Listens on `address` ("host:port"; port 0 picks a free one) and serves
  // on a background thread. Returns the bound port. kInvalidArgument for a
  // malformed address, kUnavailable when the port cannot be bound. Call once.
  absl::StatusOr<int> Start(const std::string& address);

  // Ends open event streams, stops listening and waits for the workers.
  // Idempotent.
  void Stop();

 private:
  HttpGateway(std::shared_ptr<grpc::ChannelInterface> channel, Options options,
              std::vector<ResolvedRoute> routes, std::unique_ptr<net::CertificateReloader> tls);
  void Serve(const ResolvedRoute& route, const httplib::Request& request,
             httplib::Response& response);
  void ServeStream(const ResolvedRoute& route, const std::string& payload,
                   const httplib::Request& request, httplib::Response& response);

  std::shared_ptr<grpc::ChannelInterface> channel_;
  Options options_;
  std::vector<ResolvedRoute> routes_;
  std::unique_ptr<net::CertificateReloader> tls_;  // null: plain HTTP; outlives server_
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
};

}  // namespace armada::server
