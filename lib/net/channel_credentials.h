#pragma once

// gRPC client channels from a TlsClientConfig, with an optional
// `authorization` header on every call.

#include <memory>
#include <string>

#include <grpcpp/channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include "absl/status/statusor.h"
#include "lib/net/authorization.h"
#include "lib/net/tls_config.h"

namespace armada::net {

// Insecure credentials when config.plaintext; otherwise TLS trusting
// ca_file (empty: the system roots), with the client certificate when
// cert_file is set. Files are read now (a renewed client certificate takes
// effect for channels made after it). kInvalidArgument naming the file when
// one is unreadable or the pair does not match, or only one of
// cert_file / key_file is set.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const TlsClientConfig& config);

// Adds the server-name override to `args` when config.server_name is set
// (and TLS is on); leaves them alone otherwise.
void AddTlsChannelArguments(const TlsClientConfig& config, grpc::ChannelArguments& args);

// A channel to `target` with MakeChannelCredentials(tls) and `args` (plus
// AddTlsChannelArguments). With `authorization`, every call carries its
// current header value (an interceptor, so that it works over plaintext
// too; the caller decides whether sending credentials in clear is allowed).
// Errors as MakeChannelCredentials.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    const std::string& target, const TlsClientConfig& tls, grpc::ChannelArguments args,
    std::shared_ptr<AuthorizationSource> authorization = nullptr);

}  // namespace armada::net
