// -----------------------------------------------------------------------------
// File: tests/fakes/fake_kube_apiserver/fake_kube_apiserver.h
// -----------------------------------------------------------------------------
//
// `FakeKubeApiServer` serves a `FakeKubeStore` over HTTP (or HTTPS with a given certificate)
// on loopback, speaking the Kubernetes REST paths the executor uses:
//
//   GET    /api/v1/nodes[?labelSelector=][&watch=1&resourceVersion=&timeoutSeconds=]
//   POST   /api/v1/nodes                              GET|PATCH|DELETE /api/v1/nodes/{name}
//   GET    /api/v1/pods[?...]                         (all namespaces; list and watch)
//   GET|POST /api/v1/namespaces/{ns}/pods[?...]
//   GET|PATCH|DELETE /api/v1/namespaces/{ns}/pods/{name}[?gracePeriodSeconds=]
//   GET    /api/v1/namespaces/{ns}/pods/{name}/log[?timestamps=&sinceTime=&tailLines=&limitBytes=]
//
// Watches are streams of newline-delimited {"type": ..., "object": ...} events; a too-old
// resourceVersion gets an ERROR event carrying a 410 Status, like a real API server.
//
// Admin paths, for tests in another process (the in-process API is store()):
//   POST /admin/nodes                               body: a Node (created or replaced)
//   POST /admin/namespaces/{ns}/pods/{name}/status  body: {"status": {...}, "nodeName": "n"}
//   POST /admin/namespaces/{ns}/pods/{name}/complete-deletion
//   POST /admin/namespaces/{ns}/pods/{name}/log     body: lines the container printed now
//   POST /admin/defer-deletion?defer=true|false     keep deleted running pods until then
//   POST /admin/faults  body: {"method","targetContains","code","retryAfterSeconds","times"}
//   POST /admin/compact | /admin/close-watches | /admin/pause-watches?paused=true|false
//   GET  /admin/requests                            the request log
//
// With Options::rbac_rules, requests the rules do not allow get 403 Forbidden (fake_rbac.h).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tests/fakes/fake_kube_apiserver/fake_kube_store.h"
#include "tests/fakes/fake_kube_apiserver/fake_rbac.h"

namespace armada::fakes {

class FakeKubeApiServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    int port = 0;  // 0: any free port
    // Both set: serve HTTPS with this PEM certificate and key.
    std::string tls_cert_file{};
    std::string tls_key_file{};
    int threads = 32;  // every open watch holds one
    // Set: every non-admin request must be allowed by these rules (fake_rbac.h), else 403
    // Forbidden naming `rbac_user`, as the API server's RBAC authorizer answers.
    std::optional<std::vector<RbacRule>> rbac_rules{};
    std::string rbac_user = "system:serviceaccount:armada:armada-executor";
  };

  explicit FakeKubeApiServer(Options options);
  // Stops the server.
  ~FakeKubeApiServer();

  FakeKubeApiServer(const FakeKubeApiServer&) = delete;
  FakeKubeApiServer& operator=(const FakeKubeApiServer&) = delete;

  // Binds and starts serving in a background thread. kUnavailable if it cannot bind,
  // kInvalidArgument if the TLS files are unusable.
  absl::Status Start();
  // Ends watches, stops serving and joins the thread. Idempotent.
  void Stop();

  int port() const;
  std::string url() const;  // "http://127.0.0.1:<port>" (https with TLS)
  FakeKubeStore& store();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes a self-signed certificate for 127.0.0.1 and localhost (1 day) and its key into
// `dir` as cert.pem and key.pem, with the openssl command. kInternal if openssl fails.
absl::Status WriteSelfSignedCert(const std::string& dir);

}  // namespace armada::fakes
