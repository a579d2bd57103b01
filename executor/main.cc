// armada-executor: leases jobs from armada-server and runs them.

#include <csignal>
#include <cstring>
#include <iostream>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "executor/backends/local/local_backend.h"
#include "executor/executor_agent.h"
#include "executor/executor_config.h"
#include "spdlog/spdlog.h"

namespace {
constexpr char kUsage[] =
    "usage: armada-executor [--config FILE]\n"
    "  Leases jobs from armada-server (serverUrl, or ARMADA_URL) and runs them.\n";
}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--config") && i + 1 < argc) {
      config_path = argv[++i];
    } else if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      std::cout << kUsage;
      return 0;
    } else {
      std::cerr << "unknown argument: " << argv[i] << "\n" << kUsage;
      return 2;
    }
  }
  if (const char* level = std::getenv("LOG_LEVEL")) {
    spdlog::set_level(spdlog::level::from_str(level));
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto config = armada::executor::LoadExecutorConfig(config_path);
  if (!config.ok()) {
    spdlog::error("{}", std::string(config.status().message()));
    return 1;
  }
  armada::executor::LocalBackend backend({config->work_dir, config->log_retention});
  // Retry a server that is down every few seconds, not with gRPC's default
  // back-off of up to two minutes.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  auto channel =
      grpc::CreateCustomChannel(config->server_url, grpc::InsecureChannelCredentials(), args);
  armada::executor::ExecutorAgent agent(*config, backend, channel);
  spdlog::info("armada-executor {} serving node {} ({}) in pool {} for {}", config->executor_id,
               config->node_name, config->capacity.ToString(), config->pool, config->server_url);

  std::atomic<bool> stop{false};
  std::thread signal_thread([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    spdlog::info("signal {}, shutting down", signal);
    stop = true;
  });
  agent.Run(stop);
  signal_thread.join();
  return 0;
}
