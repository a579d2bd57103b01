// One scheduling cycle of FairShareScheduler on synthetic clusters:
//   BM_ArmadaShape:  Armada's own micro-benchmark shape: 10 nodes of 32 cpu, 10 queues,
//                    3,200 one-cpu jobs (Armada published ~173 ms per cycle on an i7-12700H).
//   BM_Large:        N nodes of 32 cpu / 256Gi, Q queues, J queued one-cpu jobs.
// Counters: jobs placed per second of cycle time.

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "lib/scheduling/fair_share_scheduler.h"

namespace armada::scheduling {
namespace {

constexpr int64_t kGi = int64_t{1} << 30;

SchedulingSnapshot MakeSnapshot(int nodes, int queues, int jobs) {
  SchedulingSnapshot snapshot;
  snapshot.now = absl::FromUnixSeconds(1'800'000'000);
  for (int q = 0; q < queues; ++q) {
    model::QueueInfo queue;
    queue.name = "queue-" + std::to_string(q);
    snapshot.queues.push_back(queue);
  }
  for (int n = 0; n < nodes; ++n) {
    model::NodeInfo node;
    node.name = "node-" + std::to_string(n);
    node.executor = "executor-" + std::to_string(n / 500);
    node.pool = "default";
    node.allocatable.Set("cpu", 32'000);
    node.allocatable.Set("memory", 256 * kGi * 1000);
    snapshot.nodes.push_back(std::move(node));
  }
  snapshot.jobs.reserve(jobs);
  for (int j = 0; j < jobs; ++j) {
    model::QueuedJob job;
    job.id = "job-" + std::to_string(j);
    job.queue = snapshot.queues[j % queues].name;
    job.job_set = "set";
    job.submit_seq = j;
    job.requests.Set("cpu", 1000);
    job.requests.Set("memory", 4 * kGi * 1000);
    snapshot.jobs.push_back(std::move(job));
  }
  return snapshot;
}

void RunCycle(benchmark::State& state, int nodes, int queues, int jobs) {
  const SchedulingSnapshot snapshot = MakeSnapshot(nodes, queues, jobs);
  auto scheduler = FairShareScheduler::Create(FairShareConfig{});
  if (!scheduler.ok()) {
    state.SkipWithError("bad config");
    return;
  }
  size_t placed = 0;
  for (auto _ : state) {
    Decision decision = (*scheduler)->Schedule(snapshot);
    placed = decision.leases.size();
    benchmark::DoNotOptimize(decision);
  }
  state.counters["placed"] = static_cast<double>(placed);
  state.counters["placements_per_s"] = benchmark::Counter(
      static_cast<double>(placed) * state.iterations(), benchmark::Counter::kIsRate);
}

void BM_ArmadaShape(benchmark::State& state) { RunCycle(state, 10, 10, 3200); }
BENCHMARK(BM_ArmadaShape)->Unit(benchmark::kMillisecond);

void BM_Large(benchmark::State& state) {
  RunCycle(state, static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
           static_cast<int>(state.range(2)));
}
BENCHMARK(BM_Large)
    ->Args({1000, 100, 100'000})
    ->Args({10'000, 1000, 1'000'000})
    ->ArgNames({"nodes", "queues", "jobs"})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace
}  // namespace armada::scheduling

BENCHMARK_MAIN();
