#include "lib/net/channel_credentials.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/support/client_interceptor.h>

#include <vector>

#include "lib/net/internal/pem.h"

namespace armada::net {
namespace {

// Puts the authorization header on each call's initial metadata.
class AuthorizationInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit AuthorizationInterceptor(AuthorizationSource& source) : source_(source) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      std::string value = source_.HeaderValue();
      if (!value.empty()) methods->GetSendInitialMetadata()->emplace("authorization", value);
    }
    methods->Proceed();
  }

 private:
  AuthorizationSource& source_;
};

class AuthorizationInterceptorFactory
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit AuthorizationInterceptorFactory(std::shared_ptr<AuthorizationSource> source)
      : source_(std::move(source)) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    return new AuthorizationInterceptor(*source_);
  }

 private:
  std::shared_ptr<AuthorizationSource> source_;
};

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const TlsClientConfig& config) {
  if (config.plaintext) return grpc::InsecureChannelCredentials();
  if (config.cert_file.empty() != config.key_file.empty()) {
    return absl::InvalidArgumentError("tls: certFile and keyFile go together");
  }
  grpc::SslCredentialsOptions options;
  if (!config.ca_file.empty()) {
    absl::StatusOr<std::string> roots = internal::ReadFile(config.ca_file, "CA file");
    if (!roots.ok()) return roots.status();
    if (!internal::LoadCaStore(config.ca_file).ok()) {
      return absl::InvalidArgumentError("CA file " + config.ca_file + ": no PEM certificate");
    }
    options.pem_root_certs = std::move(*roots);
  }
  if (!config.cert_file.empty()) {
    absl::StatusOr<internal::KeyPair> pair =
        internal::LoadKeyPair(config.cert_file, config.key_file);
    if (!pair.ok()) return pair.status();
    absl::StatusOr<std::string> cert = internal::ReadFile(config.cert_file, "certificate");
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = internal::ReadFile(config.key_file, "key");
    if (!key.ok()) return key.status();
    options.pem_cert_chain = std::move(*cert);
    options.pem_private_key = std::move(*key);
  }
  return grpc::SslCredentials(options);
}

void AddTlsChannelArguments(const TlsClientConfig& config, grpc::ChannelArguments& args) {
  if (!config.plaintext && !config.server_name.empty()) {
    args.SetSslTargetNameOverride(config.server_name);
  }
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    const std::string& target, const TlsClientConfig& tls, grpc::ChannelArguments args,
    std::shared_ptr<AuthorizationSource> authorization) {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      MakeChannelCredentials(tls);
  if (!credentials.ok()) return credentials.status();
  AddTlsChannelArguments(tls, args);
  if (!authorization) return grpc::CreateCustomChannel(target, *credentials, args);
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<AuthorizationInterceptorFactory>(std::move(authorization)));
  return grpc::experimental::CreateCustomChannelWithInterceptors(target, *credentials, args,
                                                                 std::move(factories));
}

}  // namespace armada::net
