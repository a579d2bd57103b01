#include "executor/backends/fake/fake_backend.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "catch2/catch.hpp"
#include "lib/common/clock.h"

namespace armada::executor {
namespace {

std::unique_ptr<FakeBackend> Make(const common::Clock& clock, FakeBackend::Options options = {}) {
  auto backend = FakeBackend::Create(std::move(options), clock);
  REQUIRE(backend.ok());
  return *std::move(backend);
}

RunSpec Spec(const std::string& run_id, std::vector<std::string> command,
             const std::string& node = "worker-0") {
  RunSpec spec;
  spec.run_id = run_id;
  spec.job_id = "job-" + run_id;
  spec.node_name = node;
  spec.command = std::move(command);
  spec.requests = model::ResourceList{{"cpu", 1000}};
  return spec;
}

// run id -> phases seen, for every update Poll returns.
void Collect(Backend& backend, std::map<std::string, std::vector<RunPhase>>& phases) {
  for (const RunUpdate& u : backend.Poll()) phases[u.run_id].push_back(u.phase);
}

TEST_CASE("FakeBackend builds nodes from node groups", "[fake_backend]") {
  common::SimulatedClock clock;
  FakeBackend::Options options;
  options.node_groups = {
      {.name = "cpu", .count = 2, .labels = {{"kind", "cpu"}}},
      {.name = "gpu",
       .count = 1,
       .pool = "gpu-pool",
       .taints = {{.key = "nvidia.com/gpu", .value = "true", .effect = "NoSchedule"}},
       .allocatable = {{"cpu", 16000}, {"nvidia.com/gpu", 8000}}},
  };
  auto backend = Make(clock, options);
  auto nodes = backend->Nodes();
  REQUIRE(nodes.ok());
  REQUIRE(nodes->size() == 3);
  CHECK((*nodes)[0].name == "cpu-0");
  CHECK((*nodes)[1].name == "cpu-1");
  CHECK((*nodes)[1].labels.at("kind") == "cpu");
  CHECK((*nodes)[2].name == "gpu-0");
  CHECK((*nodes)[2].pool == "gpu-pool");
  CHECK((*nodes)[2].taints.size() == 1);
  CHECK((*nodes)[2].allocatable.Get("nvidia.com/gpu") == 8000);

  SECTION("bad options are rejected") {
    options.failure_rate = 2;
    CHECK(FakeBackend::Create(options, clock).status().code() ==
          absl::StatusCode::kInvalidArgument);
    options.failure_rate = 0;
    options.node_groups.push_back({.name = "cpu", .count = 1});
    CHECK(FakeBackend::Create(options, clock).status().code() ==
          absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("FakeBackend takes the runtime from the spec", "[fake_backend]") {
  std::mt19937_64 random(1);
  struct Case {
    std::string name;
    std::vector<std::string> command;
    std::string annotation;
    std::optional<absl::Duration> want;
  };
  const std::vector<Case> cases = {
      {"sleep words", {"sleep", "30"}, "", absl::Seconds(30)},
      {"fractional sleep", {"/bin/sleep", "0.5"}, "", absl::Milliseconds(500)},
      {"sleep in a script", {"sh", "-c", "echo hi; sleep 7 && true"}, "", absl::Seconds(7)},
      {"annotation wins", {"sleep", "30"}, "2m", absl::Minutes(2)},
      {"no hint", {"echo", "hi"}, "", std::nullopt},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      RunSpec spec = Spec("r", c.command);
      if (!c.annotation.empty()) spec.annotations[kFakeRuntimeAnnotation] = c.annotation;
      CHECK(FakeBackend::RuntimeFromSpec(spec, random) == c.want);
    }
  }
  SECTION("Armada's random sleep") {
    RunSpec spec = Spec("r", {"sh", "-c", "sleep $(( (RANDOM % 10) + 5 ))"});
    for (int i = 0; i < 20; ++i) {
      const auto runtime = FakeBackend::RuntimeFromSpec(spec, random);
      REQUIRE(runtime.has_value());
      CHECK(*runtime >= absl::Seconds(5));
      CHECK(*runtime < absl::Seconds(15));
    }
  }
}

TEST_CASE("FakeBackend runs jobs on simulated time", "[fake_backend]") {
  common::SimulatedClock clock;
  FakeBackend::Options options;
  options.pending_delay = absl::Seconds(1);
  auto backend = Make(clock, options);
  std::map<std::string, std::vector<RunPhase>> phases;

  REQUIRE(backend->Start(Spec("r1", {"sleep", "30"})).ok());
  CHECK(backend->Start(Spec("r1", {"sleep", "30"})).code() == absl::StatusCode::kAlreadyExists);
  CHECK(backend->Start(Spec("r2", {"sleep", "1"}, "nope")).code() == absl::StatusCode::kNotFound);
  CHECK(backend->AllocatedForTest("worker-0").Get("cpu") == 1000);
  Collect(*backend, phases);
  CHECK(phases["r1"] == std::vector<RunPhase>{RunPhase::kPending});

  clock.Advance(absl::Seconds(1));
  Collect(*backend, phases);
  CHECK(phases["r1"] == std::vector<RunPhase>{RunPhase::kPending, RunPhase::kRunning});

  clock.Advance(absl::Seconds(29));
  Collect(*backend, phases);
  CHECK(phases["r1"].size() == 2);
  CHECK(backend->ActiveRunIds() == std::vector<std::string>{"r1"});

  clock.Advance(absl::Seconds(1));
  const std::vector<RunUpdate> updates = backend->Poll();
  REQUIRE(updates.size() == 1);
  CHECK(updates[0].phase == RunPhase::kSucceeded);
  CHECK(updates[0].time == absl::UnixEpoch() + absl::Seconds(31));
  CHECK(updates[0].node_name == "worker-0");
  CHECK(backend->ActiveRunIds().empty());
  CHECK(backend->AllocatedForTest("worker-0").Get("cpu") == 0);
  // Simulated runs print nothing, but they are known: an empty log, not an error.
  absl::StatusOr<std::vector<LogLine>> logs = backend->Logs({.run_id = "r1"});
  REQUIRE(logs.ok());
  CHECK(logs->empty());
  CHECK(backend->Logs({.job_id = "job-r1"}).ok());
  CHECK(absl::IsNotFound(backend->Logs({.run_id = "r9"}).status()));

  backend->Forget("r1");
  CHECK(backend->Start(Spec("r1", {"sleep", "1"})).ok());  // forgotten: the id is free again
}

TEST_CASE("FakeBackend cancels, enforces deadlines and fails at the configured rate",
          "[fake_backend]") {
  common::SimulatedClock clock;
  SECTION("cancel") {
    auto backend = Make(clock);
    REQUIRE(backend->Start(Spec("r1", {"sleep", "30"})).ok());
    backend->Poll();
    backend->Cancel("r1");
    backend->Cancel("r1");
    const std::vector<RunUpdate> updates = backend->Poll();
    REQUIRE(updates.size() == 1);
    CHECK(updates[0].phase == RunPhase::kFailed);
    CHECK(updates[0].cancelled);
    clock.Advance(absl::Minutes(1));
    CHECK(backend->Poll().empty());  // its timers are stale
  }
  SECTION("active deadline") {
    auto backend = Make(clock);
    RunSpec spec = Spec("r1", {"sleep", "30"});
    spec.active_deadline_seconds = 5;
    REQUIRE(backend->Start(spec).ok());
    clock.Advance(absl::Seconds(5));
    const std::vector<RunUpdate> updates = backend->Poll();
    REQUIRE(updates.size() == 3);
    CHECK(updates[2].phase == RunPhase::kFailed);
    CHECK(updates[2].cause == FailureCause::kDeadlineExceeded);
    CHECK(updates[2].reason == "active deadline 5s exceeded");
  }
  SECTION("failure rate") {
    FakeBackend::Options options;
    options.failure_rate = 0.5;
    options.seed = 7;
    auto backend = Make(clock, options);
    for (int i = 0; i < 200; ++i) {
      REQUIRE(backend->Start(Spec(absl::StrCat("r", i), {"sleep", "1"})).ok());
    }
    clock.Advance(absl::Seconds(1));
    int failed = 0;
    for (const RunUpdate& u : backend->Poll()) failed += u.phase == RunPhase::kFailed;
    CHECK(failed > 60);
    CHECK(failed < 140);
  }
  SECTION("the configured distribution when the spec gives none") {
    FakeBackend::Options options;
    options.min_runtime = absl::Seconds(10);
    options.max_runtime = absl::Seconds(20);
    auto backend = Make(clock, options);
    REQUIRE(backend->Start(Spec("r1", {"true"})).ok());
    clock.Advance(absl::Seconds(9));
    CHECK(backend->Poll().size() == 2);  // pending, running
    clock.Advance(absl::Seconds(11));
    CHECK(backend->Poll().size() == 1);
  }
}

TEST_CASE("FakeBackend hosts thousands of nodes and tens of thousands of runs", "[fake_backend]") {
  common::SimulatedClock clock;
  FakeBackend::Options options;
  options.node_groups = {{.name = "n", .count = 5000}};
  auto backend = Make(clock, options);
  constexpr int kRuns = 30000;
  for (int i = 0; i < kRuns; ++i) {
    RunSpec spec = Spec(absl::StrCat("r", i), {"sleep", absl::StrCat(1 + i % 60)},
                        absl::StrCat("n-", i % 5000));
    REQUIRE(backend->Start(spec).ok());
  }
  int finished = 0;
  for (int second = 0; second <= 60; ++second) {
    for (const RunUpdate& u : backend->Poll()) finished += IsFinal(u.phase);
    clock.Advance(absl::Seconds(1));
  }
  CHECK(finished == kRuns);
  CHECK(backend->ActiveRunIds().empty());
}

}  // namespace
}  // namespace armada::executor
