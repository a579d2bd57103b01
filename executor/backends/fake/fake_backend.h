// -----------------------------------------------------------------------------
// File: executor/backends/fake/fake_backend.h
// -----------------------------------------------------------------------------
//
// `FakeBackend` simulates nodes and runs in memory, for tests and scale runs:
// one process can host thousands of nodes and tens of thousands of runs. No
// process or thread is started per run; each run is two entries in a timer
// heap that Poll advances to the injected clock's time.
//
// Nodes come from node groups: group "worker" with count 3 gives nodes
// worker-0, worker-1 and worker-2, each with the group's pool, labels, taints
// and allocatable resources.
//
// A started run is pending at once, running after `pending_delay`, and ends
// after its runtime, taken from (first match wins):
//   1. the annotation armadaproject.io/fakeRuntime, a duration ("30s", "1.5m");
//   2. its command: `sleep 30`, `sleep 0.5` (also inside `sh -c "..."`), or
//      Armada's `sleep $(( (RANDOM % N) + M ))` (uniform in [M, M+N) seconds);
//   3. the configured distribution: uniform in [min_runtime, max_runtime].
// It then succeeds (exit 0), or fails with probability `failure_rate` ("exit
// code 1 (simulated failure)"). An active deadline shorter than the runtime
// fails it with "active deadline Ns exceeded" (cause kDeadlineExceeded). Cancel
// fails it at once (cancelled, exit 143): there is no grace to simulate.
//
// Randomness comes from a generator seeded with `seed`, so a run of the same
// jobs in the same order behaves the same. Recover returns nothing: simulated
// runs do not survive their process.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "executor/backend.h"
#include "lib/common/clock.h"

namespace armada::executor {

// The annotation giving a fake run its runtime.
inline constexpr char kFakeRuntimeAnnotation[] = "armadaproject.io/fakeRuntime";

class FakeBackend : public Backend {
 public:
  struct NodeGroup {
    std::string name = "worker";  // nodes are named <name>-0 ... <name>-<count-1>
    int count = 1;                // REQUIRES: >= 0
    std::string pool{};           // "" = the executor's pool
    std::map<std::string, std::string> labels{};
    std::vector<model::Taint> taints{};
    model::ResourceList allocatable{{"cpu", 8000}, {"memory", int64_t{32} * (1 << 30) * 1000}};
    bool unschedulable = false;
  };
  struct Options {
    std::vector<NodeGroup> node_groups = {NodeGroup{}};
    absl::Duration pending_delay = absl::ZeroDuration();
    absl::Duration min_runtime = absl::Seconds(1);  // REQUIRES: <= max_runtime
    absl::Duration max_runtime = absl::Seconds(1);
    double failure_rate = 0;  // REQUIRES: in [0, 1]
    uint64_t seed = 1;
  };

  // `clock` must outlive the backend. kInvalidArgument for options out of range or
  // duplicate node names.
  static absl::StatusOr<std::unique_ptr<FakeBackend>> Create(Options options,
                                                             const common::Clock& clock);

  // Sorted by name. Never fails. Cost: O(nodes).
  absl::StatusOr<std::vector<BackendNode>> Nodes() const override;
  // Always empty.
  absl::StatusOr<std::vector<ExistingRun>> Recover() override;
  // See Backend::Start; kNotFound for an unknown node; an empty node_name means the first
  // node. Cost: O(log runs).
  absl::Status Start(const RunSpec& spec) override;
  void Cancel(const std::string& run_id) override;
  // Cost: O(log runs) per state change due.
  std::vector<RunUpdate> Poll() override;
  void Forget(const std::string& run_id) override;
  std::vector<std::string> ActiveRunIds() const override;
  // Simulated runs print nothing: an empty log for a run it knows (by run id, or the
  // job's run), kNotFound otherwise.
  absl::StatusOr<std::vector<LogLine>> Logs(const LogQuery& query) const override;

  // The runtime `spec` gets by rules 1 and 2 above, if any (exposed for tests and docs).
  static std::optional<absl::Duration> RuntimeFromSpec(const RunSpec& spec,
                                                       std::mt19937_64& random);

  // Resources held by active runs on `node` (for tests).
  model::ResourceList AllocatedForTest(const std::string& node) const;

 private:
  FakeBackend(Options options, std::vector<BackendNode> nodes, const common::Clock& clock);

  enum class Step { kRun, kEnd };
  struct Timer {
    absl::Time at;
    uint64_t seq;  // ties broken by start order: deterministic
    std::string run_id;
    Step step;
    bool operator>(const Timer& other) const {
      return at != other.at ? at > other.at : seq > other.seq;
    }
  };
  struct Run {
    std::string job_id;
    size_t node = 0;
    model::ResourceList requests;
    RunPhase phase = RunPhase::kPending;
    RunUpdate end;  // the final update, prepared at Start
  };

  void Emit(const std::string& run_id, RunPhase phase, absl::Time at)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void End(Run& run, RunUpdate update) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  const common::Clock& clock_;
  const std::vector<BackendNode> nodes_;
  const std::map<std::string, size_t> node_index_;
  mutable absl::Mutex mu_;
  std::mt19937_64 random_ ABSL_GUARDED_BY(mu_);
  uint64_t next_seq_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, Run> runs_ ABSL_GUARDED_BY(mu_);
  std::vector<model::ResourceList> allocated_ ABSL_GUARDED_BY(mu_);  // by node index
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_ ABSL_GUARDED_BY(mu_);
  std::vector<RunUpdate> updates_ ABSL_GUARDED_BY(mu_);
};

}  // namespace armada::executor
