// -----------------------------------------------------------------------------
// File: executor/backends/kubernetes/kube_config.h
// -----------------------------------------------------------------------------
//
// Where the Kubernetes API server is and how to authenticate to it: either the in-cluster
// service account (the executor runs as a pod) or a kubeconfig file.
//
// Example:
//
//   absl::StatusOr<KubeConnection> conn =
//       path.empty() ? LoadInClusterConnection() : LoadKubeconfig(path);
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace armada::executor::kubernetes {

// The service account directory mounted into every pod.
inline constexpr char kServiceAccountDir[] = "/var/run/secrets/kubernetes.io/serviceaccount";

// Everything the REST client needs to reach and authenticate to one API server.
struct KubeConnection {
  std::string server{};                   // "https://10.0.0.1:443" (no trailing slash)
  std::string ca_pem{};                   // PEM bundle to verify the server; empty = system CAs
  bool insecure_skip_tls_verify = false;  // kubeconfig insecure-skip-tls-verify
  std::string bearer_token{};             // sent as "Authorization: Bearer ..."; may be empty
  // When set, the token is (re-)read from this file, so rotated service account tokens work.
  std::string bearer_token_file{};
  std::string client_cert_pem{};    // client certificate (PEM); empty = none
  std::string client_key_pem{};     // its private key (PEM); REQUIRES: set iff client_cert_pem
  std::string default_namespace{};  // the context's or service account's namespace; may be empty
};

// The in-cluster connection: server https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT,
// CA from `<sa_dir>/ca.crt`, token from `<sa_dir>/token`, namespace from `<sa_dir>/namespace`
// (optional). Errors: kFailedPrecondition when not running in a cluster (variables unset),
// kNotFound/kPermissionDenied naming the unreadable file. Reads the environment and files.
absl::StatusOr<KubeConnection> LoadInClusterConnection(
    const std::string& sa_dir = kServiceAccountDir);

// The connection of `context` (empty: the file's current-context) in the kubeconfig at
// `path`. Supports clusters[].cluster.{server, certificate-authority-data,
// certificate-authority, insecure-skip-tls-verify}, users[].user.{token, tokenFile,
// client-certificate-data, client-key-data, client-certificate, client-key} and
// contexts[].context.{cluster, user, namespace}. Relative file paths are relative to the
// kubeconfig's directory. exec and auth-provider plugins are not supported.
// Errors: kNotFound for a missing file, context, cluster or user (naming it);
// kInvalidArgument for malformed YAML or base64, naming the key; kUnimplemented for a user
// that authenticates only with an exec or auth-provider plugin.
absl::StatusOr<KubeConnection> LoadKubeconfig(const std::string& path,
                                              const std::string& context = "");

// Reads a whole file. Errors: kNotFound, kPermissionDenied or kInternal naming `path`.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

}  // namespace armada::executor::kubernetes
