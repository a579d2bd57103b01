#include "lib/common/daemon.h"

#include <pthread.h>

#include <cstdlib>
#include <cstring>
#include <iostream>

#include "spdlog/spdlog.h"

namespace armada::common {

DaemonArgs ParseDaemonArgs(int argc, char** argv, const char* usage) {
  DaemonArgs args;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--config") && i + 1 < argc) {
      args.config_path = argv[++i];
    } else if (!std::strcmp(argv[i], "--check-config")) {
      args.check_config = true;
    } else if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      std::cout << usage;
      args.exit_now = 0;
      return args;
    } else {
      std::cerr << "unknown argument: " << argv[i] << "\n" << usage;
      args.exit_now = 2;
      return args;
    }
  }
  return args;
}

void SetLogLevelFromEnv() {
  if (const char* level = std::getenv("LOG_LEVEL")) {
    spdlog::set_level(spdlog::level::from_str(level));
  }
}

sigset_t BlockShutdownSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

int WaitForShutdownSignal(const sigset_t& signals) {
  int signal = 0;
  sigwait(&signals, &signal);
  return signal;
}

}  // namespace armada::common
