// TLS on armada-server's ports with the real pieces: gRPC credentials from
// lib/net (server and client), the HTTP gateway over httplib::SSLServer,
// client certificates, and certificate files replaced while serving.
// Behind both ports sits a generic gRPC service that answers every call
// with PERMISSION_DENIED "client=<VerifiedClientCertificateName>", so a test
// sees what the server learnt about its caller.

#include <httplib.h>

#include <memory>
#include <string>

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_callback.h>
#include <catch2/catch.hpp>

#include "api/event.grpc.pb.h"
#include "api/job.grpc.pb.h"
#include "api/schedulerobjects/scheduler_reporting.grpc.pb.h"
#include "api/submit.grpc.pb.h"
#include "lib/net/channel_credentials.h"
#include "lib/net/server_credentials.h"
#include "server/http/http_gateway.h"
#include "tests/integration/tls_test_util.h"

namespace armada::testing {
namespace {

class NameService : public grpc::CallbackGenericService {
  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override {
    class Reactor : public grpc::ServerGenericBidiReactor {
     public:
      explicit Reactor(const std::string& name) {
        Finish(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "client=" + name));
      }
      void OnDone() override { delete this; }
    };
    return new Reactor(net::VerifiedClientCertificateName(*context));
  }
};

// A gRPC server with NameService on a loopback port with `tls`.
class NameServer {
 public:
  explicit NameServer(const net::TlsServerConfig& tls) {
    auto credentials = net::MakeServerCredentials(tls);
    REQUIRE(credentials.ok());
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", *credentials, &port_);
    builder.RegisterCallbackGenericService(&service_);
    server_ = builder.BuildAndStart();
    REQUIRE(server_);
  }
  ~NameServer() { server_->Shutdown(); }
  int port() const { return port_; }
  grpc::Server& server() { return *server_; }

 private:
  NameService service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

// One GetQueue call on a new channel: the status it got.
grpc::Status Call(int port, const net::TlsClientConfig& tls, const std::string& host = "127.0.0.1",
                  const std::string& forged_name = "") {
  auto channel = net::MakeChannel(host + ":" + std::to_string(port), tls, {});
  REQUIRE(channel.ok());
  auto stub = api::Submit::NewStub(*channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  if (!forged_name.empty()) context.AddMetadata(net::kForwardedClientNameHeader, forged_name);
  api::QueueGetRequest request;
  request.set_name("q");
  api::Queue queue;
  return stub->GetQueue(&context, request, &queue);
}

// What the server saw: "client=<name>", or the transport's error.
std::string Seen(const grpc::Status& status) {
  if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) return status.error_message();
  return "error " + std::to_string(status.error_code()) + ": " + status.error_message();
}

net::TlsServerConfig ServerTls(const TestCerts& certs) {
  return {.cert_file = certs.File("server.crt"),
          .key_file = certs.File("server.key"),
          .refresh_interval_seconds = 1};
}

net::TlsClientConfig Trusting(const TestCerts& certs, const std::string& ca = "ca.crt") {
  return {.ca_file = certs.File(ca)};
}

net::TlsClientConfig WithCert(const TestCerts& certs, const std::string& name) {
  return {.ca_file = certs.File("ca.crt"),
          .cert_file = certs.File(name + ".crt"),
          .key_file = certs.File(name + ".key")};
}

TEST_CASE("tls grpc: a client trusting the CA connects, a wrong CA and plaintext are refused") {
  TestCerts certs;
  NameServer server(ServerTls(certs));
  CHECK(Seen(Call(server.port(), Trusting(certs))) == "client=");
  CHECK(Seen(Call(server.port(), Trusting(certs), "localhost")) == "client=");
  CHECK(Call(server.port(), Trusting(certs, "other-ca.crt")).error_code() ==
        grpc::StatusCode::UNAVAILABLE);
  CHECK(Call(server.port(), {.plaintext = true}).error_code() == grpc::StatusCode::UNAVAILABLE);
  // A name the certificate does not carry is refused; the override names it.
  auto named = Trusting(certs);
  named.server_name = "armada.example.com";
  CHECK(Call(server.port(), named).error_code() == grpc::StatusCode::UNAVAILABLE);
  named.server_name = "localhost";
  CHECK(Seen(Call(server.port(), named)) == "client=");
}

TEST_CASE("tls grpc: a required client certificate is verified and its name reaches the call") {
  TestCerts certs;
  auto tls = ServerTls(certs);
  tls.client_ca_file = certs.File("ca.crt");
  tls.require_client_certificate = true;
  NameServer server(tls);
  CHECK(Call(server.port(), Trusting(certs)).error_code() == grpc::StatusCode::UNAVAILABLE);
  CHECK(Seen(Call(server.port(), WithCert(certs, "executor"))) == "client=executor");
  CHECK(Seen(Call(server.port(), WithCert(certs, "admin"))) == "client=admin");
  // A certificate of another CA does not verify.
  net::TlsClientConfig foreign = {.ca_file = certs.File("ca.crt"),
                                  .cert_file = certs.File("other-server.crt"),
                                  .key_file = certs.File("other-server.key")};
  CHECK(Call(server.port(), foreign).error_code() == grpc::StatusCode::UNAVAILABLE);
}

TEST_CASE("tls grpc: an optional client certificate is verified when sent") {
  TestCerts certs;
  auto tls = ServerTls(certs);
  tls.client_ca_file = certs.File("ca.crt");
  NameServer server(tls);
  CHECK(Seen(Call(server.port(), Trusting(certs))) == "client=");
  CHECK(Seen(Call(server.port(), WithCert(certs, "executor"))) == "client=executor");
}

TEST_CASE(
    "tls grpc: plaintext servers give no client name, and the gateway's header is unforgeable") {
  NameServer server({});
  CHECK(Seen(Call(server.port(), {.plaintext = true})) == "client=");
  CHECK(Seen(Call(server.port(), {.plaintext = true}, "127.0.0.1", "admin")) == "client=");
  CHECK(Seen(Call(server.port(), {.plaintext = true}, "127.0.0.1", "0000 admin")) == "client=");
}

TEST_CASE("tls config: unusable files are named before the server starts") {
  TestCerts certs;
  auto missing = ServerTls(certs);
  missing.cert_file = certs.File("nope.crt");
  auto status = net::MakeServerCredentials(missing).status();
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(status.message()), Catch::Contains("nope.crt"));
  auto mismatch = ServerTls(certs);
  mismatch.key_file = certs.File("server2.key");
  status = net::MakeServerCredentials(mismatch).status();
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(status.message()), Catch::Contains("does not match"));
  auto required_without_ca = ServerTls(certs);
  required_without_ca.require_client_certificate = true;
  CHECK(net::MakeServerCredentials(required_without_ca).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(net::MakeChannelCredentials({.ca_file = certs.File("nope.crt")}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(net::MakeChannelCredentials({.cert_file = certs.File("executor.crt")}).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("tls grpc: replaced certificate files serve new connections without a restart") {
  TestCerts certs;
  const std::string live_cert = certs.File("live.crt");
  const std::string live_key = certs.File("live.key");
  ReplaceFile(certs.File("server.crt"), live_cert);
  ReplaceFile(certs.File("server.key"), live_key);
  NameServer server({.cert_file = live_cert, .key_file = live_key, .refresh_interval_seconds = 1});
  const std::string first = FileCertificateFingerprint(certs.File("server.crt"));
  const std::string second = FileCertificateFingerprint(certs.File("server2.crt"));
  REQUIRE(PollUntil([&] { return PresentedCertificateFingerprint(server.port()) == first; }));

  ReplaceFile(certs.File("server2.key"), live_key);
  ReplaceFile(certs.File("server2.crt"), live_cert);
  CHECK(PollUntil([&] { return PresentedCertificateFingerprint(server.port()) == second; }));
  CHECK(Seen(Call(server.port(), Trusting(certs))) == "client=");

  // A certificate of another CA: clients trusting only ours now refuse.
  ReplaceFile(certs.File("other-server.key"), live_key);
  ReplaceFile(certs.File("other-server.crt"), live_cert);
  CHECK(PollUntil([&] {
    return Call(server.port(), Trusting(certs, "other-ca.crt")).error_code() ==
           grpc::StatusCode::PERMISSION_DENIED;
  }));
  CHECK(Call(server.port(), Trusting(certs)).error_code() == grpc::StatusCode::UNAVAILABLE);
}

// The HTTP gateway over HTTPS in front of a NameServer's in-process channel.
class Gateway {
 public:
  Gateway(NameServer& backend, const net::TlsServerConfig& tls) {
    // The routes resolve their methods in the generated pool: link them in.
    auto in_process = backend.server().InProcessChannel(grpc::ChannelArguments());
    REQUIRE(api::Event::NewStub(in_process));
    REQUIRE(api::Jobs::NewStub(in_process));
    REQUIRE(schedulerobjects::SchedulerReporting::NewStub(in_process));
    server::HttpGateway::Options options;
    options.tls = tls;
    auto gateway = server::HttpGateway::Create(
        backend.server().InProcessChannel(grpc::ChannelArguments()), std::move(options));
    INFO(gateway.status().ToString());
    REQUIRE(gateway.ok());
    gateway_ = std::move(*gateway);
    auto port = gateway_->Start("127.0.0.1:0");
    REQUIRE(port.ok());
    port_ = *port;
  }
  int port() const { return port_; }

 private:
  std::unique_ptr<server::HttpGateway> gateway_;
  int port_ = 0;
};

std::unique_ptr<httplib::SSLClient> Https(const TestCerts& certs, int port,
                                          const std::string& client = "",
                                          const std::string& ca = "ca.crt") {
  auto http = client.empty() ? std::make_unique<httplib::SSLClient>("127.0.0.1", port)
                             : std::make_unique<httplib::SSLClient>("127.0.0.1", port,
                                                                    certs.File(client + ".crt"),
                                                                    certs.File(client + ".key"));
  http->set_ca_cert_path(certs.File(ca).c_str());
  http->enable_server_certificate_verification(true);
  http->set_connection_timeout(5);
  return http;
}

TEST_CASE("tls http: HTTPS with a required client certificate, /health stays open") {
  TestCerts certs;
  NameServer backend({});
  auto tls = ServerTls(certs);
  tls.client_ca_file = certs.File("ca.crt");
  tls.require_client_certificate = true;
  Gateway gateway(backend, tls);

  auto anonymous = Https(certs, gateway.port());
  auto health = anonymous->Get("/health");
  REQUIRE(health);
  CHECK(health->status == 200);
  auto refused = anonymous->Get("/v1/queue/q");
  REQUIRE(refused);
  CHECK(refused->status == 401);

  auto executor = Https(certs, gateway.port(), "executor");
  auto forwarded = executor->Get("/v1/queue/q");
  REQUIRE(forwarded);
  CHECK(forwarded->status == 403);  // the backend's PERMISSION_DENIED
  CHECK_THAT(forwarded->body, Catch::Contains("client=executor"));

  // A header cannot claim a name: only the TLS layer's is forwarded.
  httplib::Headers spoof = {{net::kForwardedClientNameHeader, "admin"}};
  auto spoofed = executor->Get("/v1/queue/q", spoof);
  REQUIRE(spoofed);
  CHECK_THAT(spoofed->body, Catch::Contains("client=executor"));
  auto anonymous_spoof = Https(certs, gateway.port(), "admin");
  httplib::Headers forged = {{net::kForwardedClientNameHeader, "guess root"}};
  auto forged_call = anonymous_spoof->Get("/v1/queue/q", forged);
  REQUIRE(forged_call);
  CHECK_THAT(forged_call->body, Catch::Contains("client=admin"));

  CHECK_FALSE(static_cast<bool>(Https(certs, gateway.port(), "", "other-ca.crt")->Get("/health")));
  httplib::Client plain("127.0.0.1", gateway.port());
  plain.set_connection_timeout(5);
  auto cleartext = plain.Get("/health");
  CHECK((!cleartext || cleartext->status != 200));
}

TEST_CASE("tls http: replaced certificate files serve new connections without a restart") {
  TestCerts certs;
  NameServer backend({});
  const std::string live_cert = certs.File("live.crt");
  const std::string live_key = certs.File("live.key");
  ReplaceFile(certs.File("server.crt"), live_cert);
  ReplaceFile(certs.File("server.key"), live_key);
  Gateway gateway(backend,
                  {.cert_file = live_cert, .key_file = live_key, .refresh_interval_seconds = 1});
  const std::string second = FileCertificateFingerprint(certs.File("server2.crt"));
  CHECK(PresentedCertificateFingerprint(gateway.port()) ==
        FileCertificateFingerprint(certs.File("server.crt")));

  // The key first, then the certificate: in between the pair does not match
  // and the old one stays in service.
  ReplaceFile(certs.File("server2.key"), live_key);
  auto during = Https(certs, gateway.port())->Get("/health");
  REQUIRE(during);
  CHECK(during->status == 200);
  ReplaceFile(certs.File("server2.crt"), live_cert);
  CHECK(PollUntil([&] { return PresentedCertificateFingerprint(gateway.port()) == second; }));
  auto after = Https(certs, gateway.port())->Get("/health");
  REQUIRE(after);
  CHECK(after->status == 200);
}

}  // namespace
}  // namespace armada::testing
