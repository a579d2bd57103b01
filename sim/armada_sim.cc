// armada-sim: runs the scheduler library on a scenario file, offline. See docs/simulator.md and
// ../shared/design/SIMULATOR.md.
//
//   armada-sim run SCENARIO.yaml [--json] [--explain JOB_ID]
//
// Exit codes: 0 success; 2 bad usage or a malformed scenario (the message names file, line and
// key); 1 any other failure.

#include <iostream>
#include <string>
#include <vector>

#include "sim/output.h"
#include "sim/round_runner.h"
#include "sim/scenario.h"
#include "sim/time_runner.h"

namespace {

constexpr char kUsage[] = "usage: armada-sim run SCENARIO.yaml [--json] [--explain JOB_ID]\n";

struct Args {
  std::string scenario;
  bool json = false;
  armada::sim::RunOptions options;
};

// Parses argv; false (after printing why) on bad usage.
bool ParseArgs(const std::vector<std::string>& argv, Args& args) {
  if (argv.size() < 2 || argv[0] != "run") {
    std::cerr << kUsage;
    return false;
  }
  for (size_t i = 1; i < argv.size(); ++i) {
    if (argv[i] == "--json") {
      args.json = true;
    } else if (argv[i] == "--explain") {
      if (i + 1 == argv.size() || argv[i + 1].empty()) {
        std::cerr << "armada-sim: --explain needs a job id\n" << kUsage;
        return false;
      }
      args.options.explain_job = argv[++i];
    } else if (argv[i].starts_with("--explain=")) {
      args.options.explain_job = argv[i].substr(sizeof("--explain=") - 1);
    } else if (argv[i].starts_with("-") || !args.scenario.empty()) {
      std::cerr << "armada-sim: unexpected argument " << argv[i] << "\n" << kUsage;
      return false;
    } else {
      args.scenario = argv[i];
    }
  }
  if (args.scenario.empty()) {
    std::cerr << kUsage;
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (argc >= 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  if (!ParseArgs(std::vector<std::string>(argv + 1, argv + argc), args)) return 2;

  auto scenario = armada::sim::LoadScenario(args.scenario);
  if (!scenario.ok()) {
    std::cerr << "armada-sim: " << scenario.status().message() << "\n";
    return 2;
  }
  std::string out;
  if (scenario->time_mode()) {
    auto result = armada::sim::RunTime(*scenario, args.options);
    if (!result.ok()) {
      std::cerr << "armada-sim: " << args.scenario << ": " << result.status().message() << "\n";
      return 2;
    }
    out = args.json ? armada::sim::TimeJson(*result, args.options)
                    : armada::sim::TimeText(*result, args.options);
  } else {
    auto result = armada::sim::RunRounds(*scenario, args.options);
    if (!result.ok()) {
      std::cerr << "armada-sim: " << args.scenario << ": " << result.status().message() << "\n";
      return 2;
    }
    out = args.json ? armada::sim::RoundsJson(*result, args.options)
                    : armada::sim::RoundsText(*result, args.options);
  }
  std::cout << out;
  return 0;
}
