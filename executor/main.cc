// armada-executor: leases jobs from armada-server and runs them.

#include <thread>

#include <grpcpp/grpcpp.h>

#include "executor/backend_factory.h"
#include "executor/binoculars_service.h"
#include "executor/executor_agent.h"
#include "executor/executor_config.h"
#include "lib/common/clock.h"
#include "lib/common/daemon.h"
#include "lib/common/thread_guard.h"
#include "lib/net/authorization.h"
#include "lib/net/channel_credentials.h"
#include "spdlog/spdlog.h"

namespace {
constexpr char kUsage[] =
    "usage: armada-executor [--config FILE] [--check-config]\n"
    "  Leases jobs from armada-server (serverUrl, or ARMADA_URL) and runs them.\n"
    "  --check-config reads the config, says what is wrong with it, and exits.\n";
}  // namespace

int main(int argc, char** argv) {
  armada::common::DaemonArgs args = armada::common::ParseDaemonArgs(argc, argv, kUsage);
  if (args.exit_now) return *args.exit_now;
  armada::common::SetLogLevelFromEnv();
  const sigset_t signals = armada::common::BlockShutdownSignals();

  auto config = armada::executor::LoadExecutorConfig(args.config_path);
  if (!config.ok()) {
    spdlog::error("{}", std::string(config.status().message()));
    return 1;
  }
  if (args.check_config) {
    spdlog::info("config {}: ok", args.config_path);
    return 0;
  }
  armada::common::RealClock clock;
  auto backend = armada::executor::MakeBackend(*config, clock);
  if (!backend.ok()) {
    spdlog::error("{}", std::string(backend.status().message()));
    return 1;
  }
  // Retry a server that is down every few seconds, not with gRPC's default
  // back-off of up to two minutes; the agent backs off on top of this.
  grpc::ChannelArguments channel_args;
  channel_args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  channel_args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 200);
  channel_args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  auto authorization = armada::net::AuthorizationSource::Create(config->auth);
  if (!authorization.ok()) {
    spdlog::error("{}", std::string(authorization.status().message()));
    return 1;
  }
  if (*authorization && config->tls.plaintext) {
    spdlog::warn("auth credentials are sent to {} without TLS", config->server_url);
  }
  auto channel =
      armada::net::MakeChannel(config->server_url, config->tls, channel_args, *authorization);
  if (!channel.ok()) {
    spdlog::error("{}", std::string(channel.status().message()));
    return 1;
  }
  armada::executor::ExecutorAgent agent(*config, **backend, *channel);
  spdlog::info("armada-executor {} mode={} backend={} pool={} server={} ({})", config->executor_id,
               config->mode, config->backend, config->pool, config->server_url,
               config->tls.plaintext           ? "plaintext"
               : config->tls.cert_file.empty() ? "TLS"
                                               : "mutual TLS");

  // Binoculars: the runs' output, for armada-server to fetch on behalf of users.
  std::unique_ptr<armada::executor::BinocularsService> binoculars;
  std::unique_ptr<grpc::Server> binoculars_server;
  if (!config->binoculars.listen.empty()) {
    auto token = armada::net::AuthorizationSource::Create(
        {.token_file = config->binoculars.token_file});  // null without a file
    if (!token.ok()) {
      spdlog::error("binoculars.tokenFile: {}", std::string(token.status().message()));
      return 1;
    }
    if (*token == nullptr && !armada::executor::IsLoopbackAddress(config->binoculars.listen)) {
      spdlog::warn("binoculars on {} answers any caller: set binoculars.tokenFile",
                   config->binoculars.listen);
    }
    binoculars = std::make_unique<armada::executor::BinocularsService>(**backend, *token);
    auto started = armada::executor::StartBinocularsServer(config->binoculars.listen, *binoculars);
    if (!started.ok()) {
      spdlog::error("binoculars.listen: {}", std::string(started.status().message()));
      return 1;
    }
    binoculars_server = std::move(*started);
    spdlog::info("binoculars listening on {}", config->binoculars.listen);
  }

  std::atomic<bool> stop{false};
  std::thread signal_thread([&] {
    int signal = armada::common::WaitForShutdownSignal(signals);
    spdlog::info("signal {}, shutting down", signal);
    stop = true;
  });
  // The agent's loop under the thread guard: a throw (a backend's, a
  // malformed lease's) is logged and the loop goes on, with its buffered
  // events, instead of ending the executor.
  armada::common::RunGuarded(
      "executor agent", [&] { agent.Run(stop); }, [&] { return stop.load(); });
  signal_thread.join();
  if (binoculars_server != nullptr) binoculars_server->Shutdown();
  return 0;
}
