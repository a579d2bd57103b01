// swf2scenario: converts an SWF trace (plain or gzip) into an armada-sim time-mode scenario.
// See docs/benchmarks.md, "Trace replay", and scenario_builder.h for the mapping.
//
//   swf2scenario TRACE [-o SCENARIO.yaml] [--jobs-out JOBS.tsv] [options]
//
// Exit codes: 0 success (a summary on stderr); 2 bad usage, unreadable or malformed trace.

#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "tools/swf2scenario/scenario_builder.h"
#include "tools/swf2scenario/swf_trace.h"

namespace {

namespace swf = armada::swf2scenario;

constexpr char kUsage[] =
    "usage: swf2scenario TRACE [-o SCENARIO.yaml] [--jobs-out JOBS.tsv]\n"
    "  [--from T] [--to T] [--first N]       slice: submit time in [from, to) of trace time\n"
    "                                        (seconds or a duration like 36h), then the first N\n"
    "  [--speedup F]                         divide arrivals, runtimes and half-life by F\n"
    "  [--queues user|group] [--top K]       queue per user or group; top K, the rest `other`\n"
    "  [--half-life D]                       fair-share half-life in trace time (default 0s)\n"
    "  [--parallel gang|single]              P processors: gang of P one-cpu jobs, or one job\n"
    "  [--cpus N] [--node-cpus N]            cluster (default: the header's MaxProcs/MaxNodes)\n"
    "  [--preemptible]                       every job in a preemptible priority class\n"
    "  [--no-runtime-bounds]                 no activeDeadline from the requested times\n"
    "  [--gang-reservations]                 gangReservations: true in the scenario\n"
    "  [--cycle-period D] [--until D]        armada-sim workload keys (defaults 10s, auto)\n";

// Seconds ("3600") or an absl duration ("1h").
bool ParseTime(const std::string& text, absl::Duration& out) {
  int64_t s = 0;
  if (absl::SimpleAtoi(text, &s)) {
    out = absl::Seconds(s);
    return true;
  }
  return absl::ParseDuration(text, &out);
}

struct Args {
  std::string trace, out, jobs_out;
  swf::ConvertOptions options;
};

// Parses argv; false (after printing why) on bad usage.
bool ParseArgs(const std::vector<std::string>& argv, Args& a) {
  swf::ConvertOptions& o = a.options;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& flag = argv[i];
    // Flags without a value.
    if (flag == "--no-runtime-bounds" || flag == "--gang-reservations" || flag == "--preemptible") {
      if (flag == "--no-runtime-bounds") o.runtime_bounds = false;
      if (flag == "--gang-reservations") o.gang_reservations = true;
      if (flag == "--preemptible") o.preemptible = true;
      continue;
    }
    if (!flag.starts_with("-")) {
      if (!a.trace.empty()) {
        std::cerr << "swf2scenario: unexpected argument " << flag << "\n" << kUsage;
        return false;
      }
      a.trace = flag;
      continue;
    }
    if (i + 1 == argv.size()) {
      std::cerr << "swf2scenario: " << flag << " needs a value\n";
      return false;
    }
    const std::string& v = argv[++i];
    bool ok = true;
    absl::Duration d;
    if (flag == "-o") {
      a.out = v;
    } else if (flag == "--jobs-out") {
      a.jobs_out = v;
    } else if (flag == "--from" || flag == "--to") {
      ok = ParseTime(v, d);
      (flag == "--from" ? o.from : o.to) = absl::ToInt64Seconds(d);
    } else if (flag == "--first") {
      ok = absl::SimpleAtoi(v, &o.first);
    } else if (flag == "--speedup") {
      ok = absl::SimpleAtod(v, &o.speedup) && o.speedup > 0;
    } else if (flag == "--queues") {
      ok = v == "user" || v == "group";
      o.queue_key = v == "group" ? swf::QueueKey::kGroup : swf::QueueKey::kUser;
    } else if (flag == "--top") {
      ok = absl::SimpleAtoi(v, &o.top_k);
    } else if (flag == "--half-life") {
      ok = ParseTime(v, o.half_life);
    } else if (flag == "--parallel") {
      ok = v == "gang" || v == "single";
      o.shape = v == "single" ? swf::ParallelShape::kSingle : swf::ParallelShape::kGang;
    } else if (flag == "--cpus") {
      ok = absl::SimpleAtoi(v, &o.cpus) && o.cpus > 0;
    } else if (flag == "--node-cpus") {
      ok = absl::SimpleAtoi(v, &o.node_cpus) && o.node_cpus > 0;
    } else if (flag == "--cycle-period") {
      ok = ParseTime(v, o.cycle_period);
    } else if (flag == "--until") {
      ok = ParseTime(v, o.until);
    } else {
      std::cerr << "swf2scenario: unknown option " << flag << "\n" << kUsage;
      return false;
    }
    if (!ok) {
      std::cerr << "swf2scenario: " << flag << ": bad value \"" << v << "\"\n";
      return false;
    }
  }
  if (a.trace.empty()) {
    std::cerr << kUsage;
    return false;
  }
  return true;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  f.close();
  if (!f) std::cerr << "swf2scenario: " << path << ": cannot write\n";
  return static_cast<bool>(f);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> argv_list(argv + 1, argv + argc);
  if (!argv_list.empty() && (argv_list[0] == "--help" || argv_list[0] == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  Args args;
  if (!ParseArgs(argv_list, args)) return 2;
  const std::string& path = args.trace;
  args.options.source = path.substr(path.find_last_of('/') + 1);
  auto trace = swf::ReadSwfFile(path);
  if (!trace.ok()) {
    std::cerr << "swf2scenario: " << trace.status().message() << "\n";
    return 2;
  }
  auto conversion = swf::Convert(*trace, args.options);
  if (!conversion.ok()) {
    std::cerr << "swf2scenario: " << conversion.status().message() << "\n";
    return 2;
  }
  if (args.out.empty()) {
    std::cout << conversion->scenario_yaml;
  } else if (!WriteFile(args.out, conversion->scenario_yaml)) {
    return 2;
  }
  if (!args.jobs_out.empty() && !WriteFile(args.jobs_out, conversion->jobs_tsv)) return 2;
  std::cerr << "swf2scenario: " << conversion->converted << " jobs converted, "
            << conversion->skipped_unknown << " skipped (unknown run time or processors), "
            << conversion->skipped_too_large << " skipped (larger than the cluster of "
            << conversion->cluster_cpus << " cpus)\n";
  return 0;
}
