#include "lib/net/server_credentials.h"

#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>

#include <openssl/rand.h>

#include <algorithm>
#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"

#include "lib/net/internal/pem.h"

namespace armada::net {
namespace {

// Random per process; proves that forwarded metadata came from this process.
const std::string& ForwardingSecret() {
  static const std::string secret = [] {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof(bytes)) != 1) std::abort();  // no entropy: cannot go on safely
    return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(bytes), sizeof(bytes)));
  }();
  return secret;
}

}  // namespace

std::pair<std::string, std::string> ForwardedClientNameMetadata(const std::string& name) {
  return {kForwardedClientNameHeader, ForwardingSecret() + " " + name};
}

absl::Status ValidateServerConfig(const TlsServerConfig& config) {
  if (!config.enabled()) {
    if (!config.key_file.empty() || !config.client_ca_file.empty()) {
      return absl::InvalidArgumentError("tls: keyFile and clientCaFile need certFile");
    }
    return absl::OkStatus();
  }
  if (config.key_file.empty()) return absl::InvalidArgumentError("tls: certFile needs keyFile");
  if (config.require_client_certificate && config.client_ca_file.empty()) {
    return absl::InvalidArgumentError("tls: requireClientCertificate needs clientCaFile");
  }
  absl::StatusOr<internal::KeyPair> pair = internal::LoadKeyPair(config.cert_file, config.key_file);
  if (!pair.ok()) return pair.status();
  if (!config.client_ca_file.empty()) {
    absl::StatusOr<internal::StorePtr> ca = internal::LoadCaStore(config.client_ca_file);
    if (!ca.ok()) return ca.status();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsServerConfig& config) {
  absl::Status valid = ValidateServerConfig(config);
  if (!valid.ok()) return valid;
  if (!config.enabled()) return grpc::InsecureServerCredentials();
  using grpc::experimental::FileWatcherCertificateProvider;
  const unsigned int refresh = std::max(1u, config.refresh_interval_seconds);
  auto provider = std::make_shared<FileWatcherCertificateProvider>(
      config.key_file, config.cert_file, config.client_ca_file, refresh);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (config.client_ca_file.empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    options.set_cert_request_type(config.require_client_certificate
                                      ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                      : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  std::shared_ptr<grpc::ServerCredentials> credentials =
      grpc::experimental::TlsServerCredentials(options);
  if (!credentials) return absl::InternalError("tls: gRPC refused the TLS server options");
  return credentials;
}

std::string VerifiedClientCertificateName(const grpc::ServerContextBase& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth && auth->IsPeerAuthenticated()) {
    std::vector<grpc::string_ref> names = auth->FindPropertyValues("x509_common_name");
    if (!names.empty()) return std::string(names.front().data(), names.front().size());
  }
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(kForwardedClientNameHeader);
  if (it == metadata.end()) return "";
  const std::string value(it->second.data(), it->second.size());
  const std::string& secret = ForwardingSecret();
  if (value.size() <= secret.size() + 1 || !absl::StartsWith(value, secret) ||
      value[secret.size()] != ' ') {
    return "";  // forged or stale: no name
  }
  return value.substr(secret.size() + 1);
}

}  // namespace armada::net
