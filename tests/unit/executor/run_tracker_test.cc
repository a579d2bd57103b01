#include "executor/run_tracker.h"

#include <string>
#include <vector>

#include "catch2/catch.hpp"

namespace armada::executor {
namespace {

using State = RunTracker::State;

RunUpdate Update(const std::string& run_id, RunPhase phase, std::string reason = "") {
  return RunUpdate{.run_id = run_id, .phase = phase, .reason = std::move(reason)};
}

// "run:phase" for each unacknowledged event, in order.
std::vector<std::string> Queued(const RunTracker& tracker) {
  std::vector<std::string> out;
  for (const ReportEvent& e : tracker.Unacknowledged()) {
    out.push_back(e.run_id + ":" + RunPhaseName(e.update.phase));
  }
  return out;
}

TEST_CASE("RunTracker follows a run from lease to success", "[run_tracker]") {
  RunTracker tracker;
  REQUIRE(tracker.Lease("r1", "j1", "node-1", "main"));
  CHECK(tracker.runs().at("r1").state == State::kLeased);
  CHECK(tracker.NotStartedCount() == 1);
  tracker.Submitted("r1");
  CHECK(tracker.runs().at("r1").state == State::kSubmitted);
  CHECK(tracker.NotStartedCount() == 1);

  tracker.Update(Update("r1", RunPhase::kPending));
  CHECK(tracker.NotStartedCount() == 0);
  tracker.Update(Update("r1", RunPhase::kRunning));
  tracker.Update(Update("r1", RunPhase::kSucceeded));

  CHECK(Queued(tracker) == std::vector<std::string>{"r1:pending", "r1:running", "r1:succeeded"});
  const ReportEvent& first = tracker.Unacknowledged().front();
  CHECK(first.job_id == "j1");
  CHECK(first.node_name == "node-1");
  CHECK(first.container_name == "main");

  SECTION("events stay queued until acknowledged, and the run until its final event is") {
    CHECK(tracker.Acknowledge(2).empty());
    CHECK(tracker.Tracks("r1"));
    CHECK(Queued(tracker) == std::vector<std::string>{"r1:succeeded"});
    CHECK(tracker.Acknowledge(1) == std::vector<std::string>{"r1"});
    CHECK_FALSE(tracker.Tracks("r1"));
    CHECK(tracker.Unacknowledged().empty());
  }
  SECTION("a failed report leaves everything to re-send") {
    CHECK(Queued(tracker).size() == 3);  // nothing acknowledged: the same batch goes again
    CHECK(tracker.Acknowledge(0).empty());
    CHECK(Queued(tracker).size() == 3);
  }
}

TEST_CASE("RunTracker never queues a phase twice or after the end", "[run_tracker]") {
  RunTracker tracker;
  tracker.Lease("r1", "j1", "n", "c");
  tracker.Submitted("r1");
  tracker.Update(Update("r1", RunPhase::kPending));
  tracker.Update(Update("r1", RunPhase::kPending));
  tracker.Update(Update("r1", RunPhase::kRunning));
  tracker.Update(Update("r1", RunPhase::kPending));  // out of order: ignored
  tracker.Update(Update("r1", RunPhase::kFailed, "exit code 2"));
  tracker.Update(Update("r1", RunPhase::kSucceeded));  // after the end: ignored
  tracker.Update(Update("unknown", RunPhase::kRunning));
  CHECK(Queued(tracker) == std::vector<std::string>{"r1:pending", "r1:running", "r1:failed"});
  CHECK(tracker.Unacknowledged().back().update.reason == "exit code 2");
}

TEST_CASE("RunTracker fills in the phases a success implies", "[run_tracker]") {
  RunTracker tracker;
  tracker.Lease("r1", "j1", "n", "c");
  tracker.Lease("r2", "j2", "n", "c");
  tracker.Submitted("r1");
  tracker.Submitted("r2");
  tracker.Update(Update("r1", RunPhase::kSucceeded));
  tracker.Update(Update("r2", RunPhase::kFailed, "failed to start"));
  CHECK(Queued(tracker) == std::vector<std::string>{"r1:pending", "r1:running", "r1:succeeded",
                                                    "r2:pending", "r2:failed"});
}

TEST_CASE("RunTracker ignores repeated leases", "[run_tracker]") {
  RunTracker tracker;
  CHECK(tracker.Lease("r1", "j1", "n", "c"));
  CHECK_FALSE(tracker.Lease("r1", "j1", "n", "c"));
  CHECK(tracker.runs().size() == 1);
}

TEST_CASE("RunTracker returns or fails leases that could not start", "[run_tracker]") {
  RunTracker tracker;
  tracker.Lease("r1", "j1", "n", "c");
  tracker.Lease("r2", "j2", "n", "c");
  tracker.StartFailed("r1", "node gone", /*retryable=*/true, absl::UnixEpoch());
  tracker.StartFailed("r2", "no container", /*retryable=*/false, absl::UnixEpoch());
  tracker.StartFailed("r2", "again", /*retryable=*/false, absl::UnixEpoch());  // finished: no-op
  CHECK(Queued(tracker) == std::vector<std::string>{"r1:returned", "r2:failed"});
  CHECK_FALSE(tracker.Unacknowledged().front().update.run_attempted);
  CHECK(tracker.Acknowledge(2) == std::vector<std::string>{"r1", "r2"});
}

TEST_CASE("RunTracker passes each cancel to the backend once", "[run_tracker]") {
  RunTracker tracker;
  tracker.Lease("r1", "j1", "n", "c");
  tracker.Lease("r2", "j2", "n", "c");
  tracker.Submitted("r1");
  tracker.Submitted("r2");
  tracker.Update(Update("r2", RunPhase::kSucceeded));

  CHECK(tracker.RequestCancel({"r1", "r2", "unknown"}) == std::vector<std::string>{"r1"});
  CHECK(tracker.RequestCancel({"r1"}).empty());
  CHECK(tracker.runs().at("r1").cancel_requested);

  SECTION("the failure that follows is reported as the cancel's end") {
    tracker.Update(Update("r1", RunPhase::kFailed, "killed by signal 15 (SIGTERM)"));
    CHECK(tracker.Unacknowledged().back().update.cancelled);
  }
}

TEST_CASE("RunTracker adopts recovered runs and catches the server up", "[run_tracker]") {
  RunTracker tracker;
  tracker.Lease("r0", "j0", "n", "c");
  std::vector<ExistingRun> existing = {
      {.run_id = "r0", .job_id = "j0", .node_name = "n", .last = Update("r0", RunPhase::kRunning)},
      {.run_id = "r1", .job_id = "j1", .node_name = "n", .last = Update("r1", RunPhase::kRunning)},
      {.run_id = "r2", .job_id = "j2", .node_name = "n", .last = Update("r2", RunPhase::kPending)},
      {.run_id = "r3",
       .job_id = "j3",
       .node_name = "n",
       .last = Update("r3", RunPhase::kFailed, "executor restarted")},
      {.run_id = "r4",
       .job_id = "j4",
       .node_name = "m",
       .last = Update("r4", RunPhase::kSucceeded)},
  };
  CHECK(tracker.Adopt(existing) == 4);  // r0 is tracked already
  CHECK(Queued(tracker) == std::vector<std::string>{"r1:pending", "r1:running", "r2:pending",
                                                    "r3:pending", "r3:failed", "r4:pending",
                                                    "r4:running", "r4:succeeded"});
  CHECK(tracker.runs().at("r1").state == State::kRunning);
  CHECK(tracker.runs().at("r4").node_name == "m");
  CHECK(tracker.Adopt(existing) == 0);

  // Later updates continue from the adopted phase.
  tracker.Update(Update("r1", RunPhase::kRunning));
  tracker.Update(Update("r1", RunPhase::kSucceeded));
  CHECK(Queued(tracker).back() == "r1:succeeded");
  CHECK(Queued(tracker).size() == 9);
}

}  // namespace
}  // namespace armada::executor
