// armada-sim: runs the scheduler library on a scenario file, offline. See docs/simulator.md and
// ../shared/design/SIMULATOR.md.
//
//   armada-sim run SCENARIO.yaml [--json] [--explain JOB_ID]
//   armada-sim check SCENARIO.yaml
//
// Exit codes: 0 success (check: every round's `expect` matches); 2 bad usage or a malformed
// scenario (the message names file, line and key); 1 check found a mismatch (one line each on
// stdout).

#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "sim/check.h"
#include "sim/output.h"
#include "sim/round_runner.h"
#include "sim/scenario.h"
#include "sim/time_runner.h"

namespace {

constexpr char kUsage[] =
    "usage: armada-sim run SCENARIO.yaml [--json] [--explain JOB_ID]\n"
    "       armada-sim check SCENARIO.yaml\n";

struct Args {
  bool check = false;  // `check` instead of `run`
  std::string scenario;
  bool json = false;
  armada::sim::RunOptions options;
};

// Parses argv; false (after printing why) on bad usage.
bool ParseArgs(const std::vector<std::string>& argv, Args& args) {
  if (argv.size() < 2 || (argv[0] != "run" && argv[0] != "check")) {
    std::cerr << kUsage;
    return false;
  }
  args.check = argv[0] == "check";
  for (size_t i = 1; i < argv.size(); ++i) {
    if (args.check && argv[i].starts_with("-")) {
      std::cerr << "armada-sim: check takes no option " << argv[i] << "\n" << kUsage;
      return false;
    }
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

// A runner's error: "armada-sim: FILE: message", or "armada-sim: FILE:LINE: ..." when the
// message starts with the line of the scenario it is about.
void PrintRunError(const std::string& path, const absl::Status& status) {
  const std::string message(status.message());
  const bool has_line = !message.empty() && message.front() >= '0' && message.front() <= '9';
  std::cerr << "armada-sim: " << path << (has_line ? ":" : ": ") << message << "\n";
}

// `check`: runs round mode and prints each mismatch with the rounds' `expect`; the exit code.
int Check(const armada::sim::Scenario& scenario, const std::string& path) {
  if (scenario.time_mode()) {
    std::cerr
        << "armada-sim: " << path
        << ": check needs round mode (`rounds` with `expect`); this is a time-mode scenario\n";
    return 2;
  }
  auto result = armada::sim::RunRounds(scenario, {});
  if (!result.ok()) {
    PrintRunError(path, result.status());
    return 2;
  }
  const std::vector<std::string> mismatches = armada::sim::CheckRounds(scenario, *result);
  size_t checked = 0;
  for (const auto& round : scenario.rounds) checked += round.expect.has_value();
  for (const auto& line : mismatches) std::cout << path << ": " << line << "\n";
  if (!mismatches.empty()) {
    std::cout << path << ": FAIL: " << mismatches.size() << " mismatches in " << checked
              << " checked rounds\n";
    return 1;
  }
  std::cout << path << ": ok: " << checked << " of " << scenario.rounds.size()
            << " rounds checked, all match\n";
  return 0;
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
  if (args.check) return Check(*scenario, args.scenario);
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
      PrintRunError(args.scenario, result.status());
      return 2;
    }
    out = args.json ? armada::sim::RoundsJson(*result, args.options)
                    : armada::sim::RoundsText(*result, args.options);
  }
  std::cout << out;
  return 0;
}
