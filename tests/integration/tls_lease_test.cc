// The executor against the server's real services over a TLS port that
// requires a client certificate, configured from YAML as armada-executor
// is (tls: caFile/certFile/keyFile, auth: tokenFile): jobs lease and run,
// the server sees the certificate's name and the bearer token on every
// call, and a rotated token file is sent from the next call on.

#include <fstream>
#include <mutex>
#include <set>
#include <string>

#include <grpcpp/support/server_interceptor.h>
#include <catch2/catch.hpp>

#include "absl/time/clock.h"
#include "executor/backends/local/local_backend.h"
#include "executor/executor_agent.h"
#include "executor/executor_config.h"
#include "lib/net/authorization.h"
#include "lib/net/channel_credentials.h"
#include "lib/net/server_credentials.h"
#include "tests/integration/server_fixture.h"
#include "tests/integration/tls_test_util.h"

namespace armada::testing {
namespace {

// What the server saw on each call: "<client cert name>|<authorization>".
class CallLog {
 public:
  void Add(std::string entry) {
    std::lock_guard lock(mutex_);
    seen_.insert(std::move(entry));
  }
  std::set<std::string> Seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  std::mutex mutex_;
  std::set<std::string> seen_;
};

class RecordingInterceptor : public grpc::experimental::Interceptor {
 public:
  RecordingInterceptor(grpc::experimental::ServerRpcInfo* info, CallLog& log)
      : info_(info), log_(log) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      const auto& metadata = info_->server_context()->client_metadata();
      auto it = metadata.find("authorization");
      log_.Add(net::VerifiedClientCertificateName(*info_->server_context()) + "|" +
               (it == metadata.end() ? "" : std::string(it->second.data(), it->second.size())));
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
  CallLog& log_;
};

class RecordingFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RecordingFactory(CallLog& log) : log_(log) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RecordingInterceptor(info, log_);
  }

 private:
  CallLog& log_;
};

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path + ".new");
  out << text;
  out.close();
  std::filesystem::rename(path + ".new", path);
}

TEST_CASE("tls lease: the executor leases and runs jobs over mutual TLS with a bearer token") {
  TestCerts certs;
  CallLog log;
  int tls_port = 0;
  auto credentials = net::MakeServerCredentials({.cert_file = certs.File("server.crt"),
                                                 .key_file = certs.File("server.key"),
                                                 .client_ca_file = certs.File("ca.crt"),
                                                 .require_client_certificate = true});
  REQUIRE(credentials.ok());
  ServerFixture server({}, [&](grpc::ServerBuilder& builder) {
    builder.AddListeningPort("127.0.0.1:0", *credentials, &tls_port);
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
    factories.push_back(std::make_unique<RecordingFactory>(log));
    builder.experimental().SetInterceptorCreators(std::move(factories));
  });
  REQUIRE(tls_port > 0);
  server.CreateQueue("q");

  TempDir dir;
  const std::string token = dir.Path() + "/token";
  Write(token, "token-1\n");
  const std::string config_file = dir.Path() + "/executor.yaml";
  Write(config_file, "serverUrl: 127.0.0.1:" + std::to_string(tls_port) +
                         "\nexecutorId: exec-1\nnodeName: node-1\nworkDir: " + dir.Path() +
                         "\ncapacity: {cpu: '4', memory: 16Gi}\n"
                         "tls:\n  caFile: " +
                         certs.File("ca.crt") + "\n  certFile: " + certs.File("executor.crt") +
                         "\n  keyFile: " + certs.File("executor.key") +
                         "\nauth:\n  tokenFile: " + token + "\n");
  auto config = executor::LoadExecutorConfig(config_file);
  INFO(config.status().ToString());
  REQUIRE(config.ok());
  CHECK_FALSE(config->tls.plaintext);
  auto authorization = net::AuthorizationSource::Create(config->auth);
  REQUIRE(authorization.ok());
  auto channel = net::MakeChannel(config->server_url, config->tls, {}, *authorization);
  REQUIRE(channel.ok());

  executor::LocalBackend backend(
      {.work_root = dir.Path(),
       .node = {.name = "node-1", .allocatable = {{"cpu", 4000}, {"memory", int64_t{16} << 40}}}});
  executor::ExecutorAgent agent(*config, backend, *channel);
  api::JobSubmitRequest request;
  request.set_queue("q");
  request.set_job_set_id("s");
  *request.add_job_request_items() = JobItem({"sh", "-c", "exit 0"});
  grpc::ClientContext context;
  api::JobSubmitResponse response;
  REQUIRE(server.submit().SubmitJobs(&context, request, &response).ok());
  const std::string id = response.job_response_items(0).job_id();

  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (EventKinds(server.JobSetEvents("q", "s"), id).back() != "succeeded") {
    REQUIRE(absl::Now() < give_up);
    absl::Status status = agent.RunOnce();
    INFO(status.ToString());
    REQUIRE(status.ok());
    REQUIRE(server.scheduler().RunCycle().ok());
    absl::SleepFor(absl::Milliseconds(20));
  }
  CHECK(log.Seen().count("executor|Bearer token-1") == 1);

  Write(token, "token-2\n");  // as the kubelet rotates a projected token
  REQUIRE(agent.RunOnce().ok());
  CHECK(log.Seen().count("executor|Bearer token-2") == 1);

  // Without its certificate the executor is refused at the handshake.
  auto no_cert = config->tls;
  no_cert.cert_file.clear();
  no_cert.key_file.clear();
  auto refused_channel = net::MakeChannel(config->server_url, no_cert, {}, *authorization);
  REQUIRE(refused_channel.ok());
  executor::ExecutorAgent refused(*config, backend, *refused_channel);
  CHECK(refused.RunOnce().code() == absl::StatusCode::kUnavailable);
}

TEST_CASE("tls lease: executor config keys tls, forceNoTls and auth") {
  TempDir dir;
  const std::string file = dir.Path() + "/executor.yaml";
  Write(file,
        "tls: {caFile: /ca.crt, serverName: armada.example.com}\nforceNoTls: true\n"
        "auth: {username: exec, passwordFile: /pw}\n");
  auto config = executor::LoadExecutorConfig(file);
  REQUIRE(config.ok());
  CHECK(config->tls.plaintext);
  CHECK(config->tls.ca_file == "/ca.crt");
  CHECK(config->tls.server_name == "armada.example.com");
  CHECK(config->auth.username == "exec");
  CHECK(config->auth.password_file == "/pw");
  Write(file, "tls: {certFile: /c.crt}\n");
  CHECK(executor::LoadExecutorConfig(file).status().code() == absl::StatusCode::kInvalidArgument);
  Write(file, "auth: {password: x}\n");
  auto no_user = executor::LoadExecutorConfig(file);
  REQUIRE(no_user.ok());  // the combination is checked where the header is made
  CHECK(net::AuthorizationSource::Create(no_user->auth).status().code() ==
        absl::StatusCode::kInvalidArgument);
  auto basic = net::AuthorizationSource::Create({.username = "exec", .password = "pw"});
  REQUIRE(basic.ok());
  CHECK((*basic)->HeaderValue() == "Basic ZXhlYzpwdw==");
}

}  // namespace
}  // namespace armada::testing
