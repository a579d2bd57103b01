#include "cli/event_printer.h"

#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"

namespace armada::cli {
namespace {

// 2024-05-01T12:00:03Z.
constexpr int64_t kTime = 1714564803;

template <typename Event>
void Stamp(Event* event, const std::string& job_id) {
  event->set_job_id(job_id);
  event->set_job_set_id("set");
  event->set_queue("q");
  event->mutable_created()->set_seconds(kTime);
}

api::EventStreamMessage Submitted(const std::string& job) {
  api::EventStreamMessage m;
  Stamp(m.mutable_message()->mutable_submitted(), job);
  return m;
}
api::EventStreamMessage Leased(const std::string& job) {
  api::EventStreamMessage m;
  Stamp(m.mutable_message()->mutable_leased(), job);
  m.mutable_message()->mutable_leased()->set_cluster_id("local");
  m.mutable_message()->mutable_leased()->set_pool("default");
  return m;
}
api::EventStreamMessage Running(const std::string& job) {
  api::EventStreamMessage m;
  Stamp(m.mutable_message()->mutable_running(), job);
  m.mutable_message()->mutable_running()->set_node_name("node-1");
  m.mutable_message()->mutable_running()->set_cluster_id("local");
  return m;
}
api::EventStreamMessage Succeeded(const std::string& job) {
  api::EventStreamMessage m;
  Stamp(m.mutable_message()->mutable_succeeded(), job);
  return m;
}
api::EventStreamMessage Failed(const std::string& job) {
  api::EventStreamMessage m;
  api::JobFailedEvent* failed = m.mutable_message()->mutable_failed();
  Stamp(failed, job);
  failed->set_node_name("node-1");
  failed->set_reason("container fail exited with code 3");
  api::ContainerStatus* status = failed->add_container_statuses();
  status->set_name("fail");
  status->set_exitcode(3);
  status->set_reason("Error");
  return m;
}
api::EventStreamMessage Cancelled(const std::string& job) {
  api::EventStreamMessage m;
  Stamp(m.mutable_message()->mutable_cancelled(), job);
  m.mutable_message()->mutable_cancelled()->set_reason("no longer needed");
  m.mutable_message()->mutable_cancelled()->set_requestor("alice");
  return m;
}
api::EventStreamMessage Preempted(const std::string& job) {
  api::EventStreamMessage m;
  Stamp(m.mutable_message()->mutable_preempted(), job);
  return m;
}
api::EventStreamMessage Utilisation(const std::string& job) {
  api::EventStreamMessage m;
  api::JobUtilisationEvent* utilisation = m.mutable_message()->mutable_utilisation();
  Stamp(utilisation, job);
  (*utilisation->mutable_maxresourcesforperiod())["memory"].set_string("10Mi");
  (*utilisation->mutable_maxresourcesforperiod())["cpu"].set_string("100m");
  return m;
}

struct FormatCase {
  std::string name;
  api::EventStreamMessage message;
  std::string expected;
};

const std::vector<FormatCase> kFormatCases = {
    {"submitted", Submitted("j1"), "2024-05-01T12:00:03Z | Submitted | job j1"},
    {"leased", Leased("j1"),
     "2024-05-01T12:00:03Z | Leased | job j1 | cluster local, pool default"},
    {"running", Running("j1"),
     "2024-05-01T12:00:03Z | Running | job j1 | node node-1, cluster local"},
    {"failed with exit code", Failed("j1"),
     "2024-05-01T12:00:03Z | Failed | job j1 | node node-1, reason: container fail exited with "
     "code 3, container fail exit code 3 (Error)"},
    {"cancelled", Cancelled("j1"),
     "2024-05-01T12:00:03Z | Cancelled | job j1 | reason: no longer needed, by alice"},
    {"utilisation sorted", Utilisation("j1"),
     "2024-05-01T12:00:03Z | Utilisation | job j1 | max cpu=100m memory=10Mi"},
    {"empty", api::EventStreamMessage(), "- | Unknown | job "},
};

TEST_CASE("FormatEvent prints one line per event", "[event_printer]") {
  const FormatCase c = GENERATE(from_range(kFormatCases));
  DYNAMIC_SECTION(c.name) { CHECK(FormatEvent(c.message) == c.expected); }
}

TEST_CASE("FormatEvent does not repeat the reason for a container", "[event_printer]") {
  api::EventStreamMessage m = Failed("j1");
  m.mutable_message()->mutable_failed()->set_reason("Error");
  CHECK(FormatEvent(m) ==
        "2024-05-01T12:00:03Z | Failed | job j1 | node node-1, reason: Error, container fail exit "
        "code 3");
}

TEST_CASE("FormatEvent falls back to the deprecated exit code map", "[event_printer]") {
  api::EventStreamMessage m;
  api::JobFailedEvent* failed = m.mutable_message()->mutable_failed();
  Stamp(failed, "j2");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  (*failed->mutable_exit_codes())["main"] = 137;
  (*failed->mutable_exit_codes())["sidecar"] = 0;
#pragma GCC diagnostic pop
  CHECK(FormatEvent(m) ==
        "2024-05-01T12:00:03Z | Failed | job j2 | container main exit code 137, container sidecar "
        "exit code 0");
}

TEST_CASE("FormatEventJson prints one line of protobuf JSON", "[event_printer]") {
  api::EventStreamMessage m = Failed("j1");
  m.set_id("1-0");
  absl::StatusOr<std::string> json = FormatEventJson(m);
  REQUIRE(json.ok());
  CHECK_FALSE(absl::StrContains(*json, "\n"));
  CHECK(absl::StrContains(*json, "\"id\":\"1-0\""));
  CHECK(absl::StrContains(*json, "\"jobId\":\"j1\""));
  CHECK(absl::StrContains(*json, "\"exitCode\":3"));
}

struct TrackerCase {
  std::string name;
  std::vector<api::EventStreamMessage> events;
  bool finished;
  JobSetTracker::Counts counts;
};

const std::vector<TrackerCase> kTrackerCases = {
    {"nothing seen", {}, false, {0, 0, 0, 0}},
    {"one job running", {Submitted("a"), Leased("a"), Running("a")}, false, {1, 0, 0, 0}},
    {"one job succeeded", {Submitted("a"), Running("a"), Succeeded("a")}, true, {1, 1, 0, 0}},
    {"mixed outcomes",
     {Submitted("a"), Submitted("b"), Submitted("c"), Submitted("d"), Succeeded("a"), Failed("b"),
      Cancelled("c"), Succeeded("d")},
     true,
     {4, 2, 1, 1}},
    {"one job still queued", {Submitted("a"), Submitted("b"), Succeeded("a")}, false, {2, 1, 0, 0}},
    {"preempted is not terminal", {Submitted("a"), Preempted("a")}, false, {1, 0, 0, 0}},
    {"requeued after preemption",
     {Submitted("a"), Preempted("a"), Leased("a"), Succeeded("a")},
     true,
     {1, 1, 0, 0}},
    {"informational events keep the state",
     {Submitted("a"), Succeeded("a"), Utilisation("a")},
     true,
     {1, 1, 0, 0}},
    {"informational event alone is not terminal", {Utilisation("a")}, false, {1, 0, 0, 0}},
};

TEST_CASE("JobSetTracker counts final states", "[event_printer]") {
  const TrackerCase c = GENERATE(from_range(kTrackerCases));
  DYNAMIC_SECTION(c.name) {
    JobSetTracker tracker;
    for (const api::EventStreamMessage& event : c.events) tracker.Observe(event);
    CHECK(tracker.AllJobsFinished() == c.finished);
    CHECK(tracker.counts() == c.counts);
  }
}

TEST_CASE("JobSetTracker summary line", "[event_printer]") {
  JobSetTracker tracker;
  for (const auto& event : {Submitted("a"), Submitted("b"), Submitted("c"), Submitted("d"),
                            Succeeded("a"), Succeeded("b"), Failed("c"), Cancelled("d")}) {
    tracker.Observe(event);
  }
  CHECK(tracker.Summary("hello") == "Job set hello: 4 jobs, 2 succeeded, 1 failed, 1 cancelled");
}

}  // namespace
}  // namespace armada::cli
