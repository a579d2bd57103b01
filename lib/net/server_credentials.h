#pragma once

// gRPC server credentials from a TlsServerConfig, and the verified client
// certificate's name on a call.

#include <memory>
#include <string>

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_context.h>

#include "absl/status/statusor.h"
#include "lib/net/tls_config.h"

namespace armada::net {

// Insecure credentials when config.cert_file is empty. Otherwise TLS, from a
// certificate provider that re-reads the files every
// refresh_interval_seconds, so that replaced files serve new connections
// without a restart (a pair that fails to load is ignored and the old one
// kept). With client_ca_file, client certificates are requested and
// verified, and required when require_client_certificate.
// The files are checked now: kInvalidArgument naming the file when one is
// missing or unparsable, the key does not match the certificate, or
// key_file / client_ca_file are inconsistent with the rest.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsServerConfig& config);

// The common name (gRPC's "x509_common_name") of the client certificate the
// TLS handshake verified for this call; empty when the connection is not
// TLS or the client sent no certificate. Takes a ServerContext or a
// CallbackServerContext (both are ServerContextBase). Also the name the HTTP
// gateway vouches for with ForwardedClientNameMetadata on the calls it
// forwards (over the in-process channel, whose calls have no TLS of their
// own).
std::string VerifiedClientCertificateName(const grpc::ServerContextBase& context);

// The metadata key by which the HTTP gateway passes the verified client
// certificate name of an HTTPS request on its forwarded call.
inline constexpr char kForwardedClientNameHeader[] = "x-armada-verified-client-name";

// {kForwardedClientNameHeader, "<secret> <name>"}: the secret is random per
// process and never leaves it, so a remote caller cannot forge the header.
// Thread-safe.
std::pair<std::string, std::string> ForwardedClientNameMetadata(const std::string& name);

// Checks a TlsServerConfig without building credentials (the same errors as
// MakeServerCredentials); OK when TLS is off.
absl::Status ValidateServerConfig(const TlsServerConfig& config);

}  // namespace armada::net
