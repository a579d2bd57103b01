// The report builder on a small hand-made decision (golden texts), and on a real FairShareScheduler
// decision for the node breakdown.

#include "lib/scheduling/scheduling_report.h"

#include <catch2/catch.hpp>

#include "tests/unit/fixtures/scheduling_fixtures.h"

namespace armada::scheduling {
namespace {

using fixtures::Job;
using fixtures::Node;
using fixtures::Queue;

Unscheduled Why(const std::string& job, const std::string& reason,
                UnscheduledKind kind = UnscheduledKind::kNoFit) {
  Unscheduled u;
  u.job_id = job, u.reason = reason, u.kind = kind;
  return u;
}

QueueShare Share(const std::string& queue, double weight, double fair, double adjusted,
                 double actual, double usage, double cost) {
  QueueShare q;
  q.pool = "default", q.queue = queue, q.weight = weight, q.fair_share = fair;
  q.adjusted_fair_share = adjusted, q.actual_share = actual, q.decayed_usage = usage;
  q.cost = cost;
  return q;
}

// Two 4-cpu nodes, one tainted; queue a gets a lease that preempts a running job of queue b; a
// job of a is too big; queue c is cordoned.
struct Small {
  SchedulingSnapshot snapshot;
  Decision decision;

  Small() {
    snapshot.now = absl::FromUnixSeconds(1'800'000'000);
    snapshot.queues = {Queue("a"), Queue("b", 2), Queue("c")};
    snapshot.queues[2].cordoned = true;
    snapshot.nodes = {Node("node-000", "4", "16Gi"), Node("node-001", "4", "16Gi")};
    snapshot.nodes[1].taints = {{"gpu", "true", "NoSchedule"}};
    snapshot.jobs = {Job("a-1", "a", 1, "2"), Job("a-2", "a", 2, "8"), Job("c-1", "c", 3)};
    snapshot.running = {fixtures::Running(Job("b-1", "b", 0, "3"), snapshot.nodes[0])};
    Lease lease;
    lease.job_id = "a-1", lease.queue = "a", lease.executor = "exec-1";
    lease.node = "node-000", lease.pool = "default";
    decision.leases = {lease};
    Preemption p;
    p.job_id = "b-1", p.queue = "b", p.executor = "exec-1", p.node = "node-000";
    p.pool = "default", p.preempting_job_id = "a-1";
    p.reason = "fair share: queue b above its fair share";
    decision.preemptions = {p};
    decision.unscheduled = {Why("a-2", "pool default: no matching node has cpu=8,memory=1Gi free"),
                            Why("c-1", "queue c is cordoned", UnscheduledKind::kQueue)};
    decision.shares = {Share("b", 0.5, 1.0 / 3, 0.25, 0, 0.1, 0.2),
                       Share("a", 1, 2.0 / 3, 0.75, 0.25, 0, 0.25)};
  }
};

TEST_CASE("scheduling report: golden text for a small decision") {
  Small s;
  CycleSummary summary = Summarize(7, s.snapshot, s.decision);
  CHECK(summary.nodes[0].free == fixtures::Resources("2", "15Gi"));  // b-1 preempted, a-1 leased

  SECTION("verbosity 0: shares and counts") {
    CHECK(FormatSchedulingReport({&summary}, 0) ==
          "Scheduling cycle 7 at 2027-01-15T08:00:00Z: 3 queued, 1 running, 1 leased, 1 "
          "preempted\n"
          "\n"
          "pool default (2 nodes):\n"
          "  queue  weight  fairShare  adjustedFairShare  actualShare  decayedUsage  cost  leased"
          "  preempted\n"
          "  a      1       0.6667     0.75               0.25         0             0.25  1     "
          "  0\n"
          "  b      0.5     0.3333     0.25               0            0.1           0.2   0     "
          "  1\n");
  }
  SECTION("verbosity 1 adds the reasons, 2 the earlier cycles") {
    CycleSummary earlier = Summarize(6, s.snapshot, s.decision);
    std::string text = FormatSchedulingReport({&summary, &earlier}, 2);
    CHECK_THAT(
        text, Catch::EndsWith("\nUnscheduled jobs by reason:\n"
                              "  queue a:\n"
                              "    1  pool default: no matching node has cpu=8,memory=1Gi free\n"
                              "  queue c:\n"
                              "    1  queue c is cordoned\n"
                              "\nEarlier cycles:\n"
                              "  cycle 6 at 2027-01-15T08:00:00Z: 3 queued, 1 running, 1 leased, 1 "
                              "preempted\n"));
    CHECK(FormatSchedulingReport({&summary, &earlier}, 1).find("Earlier") == std::string::npos);
  }
  SECTION("queue report") {
    CHECK(FormatQueueReport(summary, "a", 0) ==
          "Queue a in scheduling cycle 7 at 2027-01-15T08:00:00Z\n"
          "  queued jobs at the start of the cycle: 2\n"
          "\n"
          "pool default (2 nodes):\n"
          "  queue  weight  fairShare  adjustedFairShare  actualShare  decayedUsage  cost  leased"
          "  preempted\n"
          "  a      1       0.6667     0.75               0.25         0             0.25  1     "
          "  0\n"
          "\n"
          "Why its jobs wait (jobs, reason):\n"
          "  1  pool default: no matching node has cpu=8,memory=1Gi free\n");
    std::string c = FormatQueueReport(summary, "c", 0);
    CHECK_THAT(c, Catch::Contains("the queue is cordoned"));
    CHECK_THAT(c, Catch::Contains("not active in any pool"));
  }
  SECTION("job reports") {
    auto outcomes = JobOutcomes(summary, s.snapshot, s.decision, 10);
    REQUIRE(outcomes.size() == 4);
    CHECK(FormatJobReport(outcomes[0]) ==
          "Job a-1 (queue a) in scheduling cycle 7 at 2027-01-15T08:00:00Z:\n"
          "  leased on node node-000 (executor exec-1, pool default)\n");
    CHECK(FormatJobReport(outcomes[1]) ==
          "Job b-1 (queue b) in scheduling cycle 7 at 2027-01-15T08:00:00Z:\n"
          "  preempted on node node-000 (executor exec-1, pool default) to make room for job a-1\n"
          "  reason: fair share: queue b above its fair share\n");
    CHECK(FormatJobReport(outcomes[2]) ==
          "Job a-2 (queue a) in scheduling cycle 7 at 2027-01-15T08:00:00Z:\n"
          "  not scheduled:\n"
          "    pool default: no matching node has cpu=8,memory=1Gi free\n"
          "  nodes by why the job does not fit there:\n"
          "    pool default: 1 too little free cpu, 1 untolerated taint gpu=true:NoSchedule\n");
    CHECK(FormatJobReport(outcomes[3]) ==
          "Job c-1 (queue c) in scheduling cycle 7 at 2027-01-15T08:00:00Z:\n"
          "  not scheduled:\n"
          "    queue c is cordoned\n");
  }
  SECTION("the breakdown budget bounds the work") {
    auto outcomes = JobOutcomes(summary, s.snapshot, s.decision, 0);
    CHECK(outcomes[2].node_breakdown.empty());
  }
}

TEST_CASE("scheduling report: a real decision names the constraint and the node count") {
  SchedulingSnapshot snapshot;
  snapshot.now = absl::FromUnixSeconds(1'800'000'000);
  snapshot.queues = {Queue("a")};
  snapshot.nodes = fixtures::Nodes(3, "4", "16Gi");
  snapshot.nodes[2].labels["zone"] = "b";
  auto big = Job("big", "a", 1, "6");
  auto zoned = Job("zoned", "a", 2, "1");
  zoned.node_selector["zone"] = "b";
  zoned.avoid_nodes = {"node-002"};
  snapshot.jobs = {big, zoned};
  Decision decision = fixtures::MakeFairShare()->Schedule(snapshot);
  CycleSummary summary = Summarize(1, snapshot, decision);
  auto outcomes = JobOutcomes(summary, snapshot, decision, 10);
  REQUIRE(outcomes.size() == 2);
  CHECK(outcomes[0].kind == JobOutcome::Kind::kUnscheduled);
  CHECK(outcomes[0].node_breakdown == "pool default: 3 too little free cpu");
  CHECK(outcomes[1].node_breakdown ==
        "pool default: 1 avoided (an earlier run failed there), 2 node selector zone=b");
  CHECK_THAT(FormatJobReport(outcomes[0]), Catch::Contains("pool default: 3 too little free cpu"));
}

TEST_CASE("FormatShare drops trailing zeros") {
  CHECK(FormatShare(1) == "1");
  CHECK(FormatShare(0) == "0");
  CHECK(FormatShare(1.0 / 6) == "0.1667");
  CHECK(FormatShare(0.25) == "0.25");
}

}  // namespace
}  // namespace armada::scheduling
