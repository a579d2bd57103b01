// Fair share over time: cycles of a simulated cluster, feeding each decision's usage back.

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "lib/scheduling/fair_share_scheduler.h"
#include "tests/unit/fixtures/scheduling_fixtures.h"

namespace armada::scheduling {
namespace {

// 100 cpus; every job takes 1 cpu for 10 minutes; one cycle per minute; each active queue always
// has a backlog.
class Simulation {
 public:
  explicit Simulation(absl::Duration half_life) {
    FairShareConfig config;
    config.half_life = half_life;
    auto scheduler = FairShareScheduler::Create(config);
    REQUIRE(scheduler.ok());
    scheduler_ = std::move(*scheduler);
    snapshot_.nodes = fixtures::Nodes(10, "10", "1000Gi");
    snapshot_.queues = {fixtures::Queue("a"), fixtures::Queue("b")};
    snapshot_.now = absl::UnixEpoch() + absl::Hours(24);
  }

  void Activate(const std::string& queue) { active_.push_back(queue); }

  // One cycle: finish jobs past their runtime, top up backlogs, schedule, start the leases.
  void Step() {
    snapshot_.now += absl::Minutes(1);
    std::vector<model::RunningJob> still;
    for (const auto& r : snapshot_.running) {
      if (ends_.at(r.id) > snapshot_.now) still.push_back(r);
    }
    snapshot_.running = std::move(still);
    snapshot_.jobs.clear();
    for (const std::string& q : active_) {
      fixtures::Append(snapshot_.jobs, fixtures::Jobs(q, 120, "1", "1Gi", next_seq_));
      next_seq_ += 120;
    }
    Decision d = scheduler_->Schedule(snapshot_);
    std::map<std::string, const model::NodeInfo*> nodes;
    for (const auto& n : snapshot_.nodes) nodes[n.name] = &n;
    for (const auto& lease : d.leases) {
      model::QueuedJob job = fixtures::Job(lease.job_id, lease.queue, 0);
      snapshot_.running.push_back(fixtures::Running(job, *nodes.at(lease.node)));
      ends_[lease.job_id] = snapshot_.now + absl::Minutes(10);
    }
    snapshot_.usage = d.usage;
    last_ = std::move(d);
  }

  void Run(absl::Duration d) {
    for (absl::Duration t; t < d; t += absl::Minutes(1)) Step();
  }

  // The queue's share of the cluster (running jobs / 100 cpus) after the last cycle.
  double Share(const std::string& queue) const {
    int n = 0;
    for (const auto& r : snapshot_.running) n += r.queue == queue ? 1 : 0;
    return n / 100.0;
  }

  double Usage(const std::string& queue) const {
    return last_.usage.at({"default", queue}).decayed_share;
  }

 private:
  std::unique_ptr<FairShareScheduler> scheduler_;
  SchedulingSnapshot snapshot_;
  std::vector<std::string> active_;
  std::map<std::string, absl::Time> ends_;
  int next_seq_ = 0;
  Decision last_;
};

TEST_CASE("fair share history: a queue that had the cluster yields, then both converge") {
  Simulation sim(absl::Hours(1));
  sim.Activate("a");
  sim.Run(absl::Hours(5));  // five half-lives of a alone
  CHECK(sim.Share("a") == Approx(1.0));
  // Usage samples the cluster after each minute's completions (9/10 of it busy): it tends to 0.9.
  CHECK(sim.Usage("a") > 0.85);

  sim.Activate("b");
  sim.Run(absl::Minutes(30));
  CHECK(sim.Share("b") > 0.5);
  CHECK(sim.Share("a") < 0.5);
  double early_b = sim.Share("b");

  sim.Run(absl::Hours(2));
  CHECK(sim.Share("b") < early_b);  // b's own usage catches up with its share
  CHECK(sim.Share("b") > 0.5);

  sim.Run(absl::Hours(6));
  CHECK(sim.Share("a") == Approx(0.5).margin(0.03));
  CHECK(sim.Share("b") == Approx(0.5).margin(0.03));
  CHECK(sim.Usage("a") == Approx(sim.Usage("b")).margin(0.03));
}

TEST_CASE("fair share history: half-life zero shares equally as soon as capacity frees") {
  Simulation sim(absl::ZeroDuration());
  sim.Activate("a");
  sim.Run(absl::Hours(5));
  sim.Activate("b");
  for (int minute = 0; minute < 10; ++minute) {
    sim.Step();
    CHECK(sim.Share("b") <= 0.51);  // never more than half (plus one job)
  }
  CHECK(sim.Share("a") == Approx(0.5).margin(0.01));
  CHECK(sim.Share("b") == Approx(0.5).margin(0.01));
  sim.Run(absl::Hours(1));
  CHECK(sim.Share("b") == Approx(0.5).margin(0.01));
}

}  // namespace
}  // namespace armada::scheduling

namespace armada::scheduling {
namespace {

TEST_CASE("history: each pool may have its own half-life") {
  FairShareConfig config;
  config.half_life = absl::Hours(1);
  config.half_life_by_pool = {{"fast", absl::ZeroDuration()}};
  REQUIRE(config.Validate().ok());
  auto scheduler = FairShareScheduler::Create(config);
  REQUIRE(scheduler.ok());

  SchedulingSnapshot snapshot;
  snapshot.now = absl::UnixEpoch() + absl::Hours(24);
  snapshot.queues = {fixtures::Queue("a")};
  auto slow_node = fixtures::Node("s", "10", "100Gi", "slow");
  auto fast_node = fixtures::Node("f", "10", "100Gi", "fast");
  snapshot.nodes = {slow_node, fast_node};
  // Half of each pool busy with queue a's jobs; a's usage was 0 an hour ago in both.
  for (int i = 0; i < 5; ++i) {
    auto job = fixtures::Job("slow-" + std::to_string(i), "a", i, "1", "1Gi");
    snapshot.running.push_back(fixtures::Running(job, slow_node));
    job.id = "fast-" + std::to_string(i);
    snapshot.running.push_back(fixtures::Running(job, fast_node));
  }
  for (const char* pool : {"slow", "fast"}) {
    snapshot.usage[{pool, "a"}] = {0.0, snapshot.now - absl::Hours(1)};
  }

  Decision decision = (*scheduler)->Schedule(snapshot);
  // One half-life in "slow": halfway from 0 to the share of 0.5. No memory in "fast".
  CHECK(decision.usage.at({"slow", "a"}).decayed_share == Approx(0.25));
  CHECK(decision.usage.at({"fast", "a"}).decayed_share == Approx(0.5));
}

TEST_CASE("history: a negative per-pool half-life is rejected, naming the pool") {
  FairShareConfig config;
  config.half_life_by_pool = {{"gpu", absl::Seconds(-1)}};
  CHECK_THAT(std::string(config.Validate().message()),
             Catch::Contains("half_life_by_pool[\"gpu\"]"));
}

}  // namespace
}  // namespace armada::scheduling
