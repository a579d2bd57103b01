#pragma once

// What armada-server and armada-executor do alike at start: the same command
// line, the log level from LOG_LEVEL, and shutdown on SIGTERM or SIGINT.

#include <csignal>
#include <optional>
#include <string>

namespace armada::common {

struct DaemonArgs {
  std::string config_path;      // empty when --config is not given
  bool check_config = false;    // --check-config: load the config, report, exit
  std::optional<int> exit_now;  // set for --help (0) and usage errors (2)
};

// Parses "[--config FILE] [--check-config] [--help]"; prints `usage` for --help and errors.
DaemonArgs ParseDaemonArgs(int argc, char** argv, const char* usage);

// Applies LOG_LEVEL (trace, debug, info, warn, error) when it is set.
void SetLogLevelFromEnv();

// Blocks SIGTERM and SIGINT in this thread and every thread it starts later;
// call it first in main, before any library starts threads. Returns the set to
// pass to WaitForShutdownSignal.
sigset_t BlockShutdownSignals();

// Waits until one of `signals` arrives; returns its number.
int WaitForShutdownSignal(const sigset_t& signals);

}  // namespace armada::common
