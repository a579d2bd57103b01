#include "cli/job_commands.h"

#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/unit/cli/fake_armada_server.h"
#include "tests/unit/cli/temp_file.h"

namespace armada::cli {
namespace {

using testing::FakeArmadaServer;
using testing::TempFile;

// A job file with `count` jobs; job `i` gets client id `client_ids[i]` when given.
std::string JobFileText(const std::string& queue, int count,
                        const std::vector<std::string>& client_ids = {}) {
  std::string text = absl::StrCat("queue: ", queue, "\njobSetId: set\njobs:\n");
  for (int i = 0; i < count; ++i) {
    const std::string client_id =
        static_cast<size_t>(i) < client_ids.size() ? client_ids[i] : absl::StrCat("c", i);
    absl::StrAppend(&text, "  - clientId: ", client_id,
                    "\n    podSpec: {containers: [{name: c, image: busybox}]}\n");
  }
  return text;
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

TEST_CASE("SplitSubmitRequests batches jobs in order", "[job_commands]") {
  JobSubmitFile file{"q", "s", std::vector<api::JobSubmitRequestItem>(450)};
  for (size_t i = 0; i < file.jobs.size(); ++i) file.jobs[i].set_client_id(absl::StrCat(i));
  std::vector<api::JobSubmitRequest> requests = SplitSubmitRequests(file);
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].job_request_items_size() == 200);
  CHECK(requests[1].job_request_items_size() == 200);
  CHECK(requests[2].job_request_items_size() == 50);
  CHECK(requests[2].queue() == "q");
  CHECK(requests[2].job_set_id() == "s");
  CHECK(requests[1].job_request_items(0).client_id() == "200");
  CHECK(requests[2].job_request_items(49).client_id() == "449");
  CHECK(SplitSubmitRequests(JobSubmitFile{"q", "s", {}}).empty());
}

TEST_CASE("RunSubmit submits in batches of 200 and prints each job id", "[job_commands]") {
  FakeArmadaServer server;
  TempFile file("jobs.yaml", JobFileText("q", 450));
  std::ostringstream out;
  std::ostringstream progress;
  absl::Status status = RunSubmit(*server.Client(), file.path(), /*dry_run=*/false, out, progress);
  INFO(status.ToString());
  REQUIRE(status.ok());
  CHECK(server.submit.batch_sizes == std::vector<int>{200, 200, 50});
  const std::vector<std::string> lines = Lines(out.str());
  REQUIRE(lines.size() == 450);
  CHECK(lines[0] == "Submitted job id: job-0 (job set: set)");
  CHECK(lines[449] == "Submitted job id: job-449 (job set: set)");
}

TEST_CASE("RunSubmit --dry-run sends nothing", "[job_commands]") {
  FakeArmadaServer server;
  TempFile file("jobs.yaml", JobFileText("q", 4));
  std::ostringstream out;
  std::ostringstream progress;
  REQUIRE(RunSubmit(*server.Client(), file.path(), /*dry_run=*/true, out, progress).ok());
  CHECK(server.submit.batch_sizes.empty());
  CHECK(out.str() == absl::StrCat("Dry run: ", file.path(),
                                  " is valid, would submit 4 jobs to queue q, job set set\n"));
}

TEST_CASE("RunSubmit returns the server's error message", "[job_commands]") {
  FakeArmadaServer server;
  TempFile file("jobs.yaml", JobFileText("missing", 2));
  std::ostringstream out;
  std::ostringstream progress;
  absl::Status status = RunSubmit(*server.Client(), file.path(), false, out, progress);
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(status.message()) == "queue missing does not exist");
  CHECK(out.str().empty());
}

TEST_CASE("RunSubmit reports jobs the server rejected", "[job_commands]") {
  FakeArmadaServer server;
  TempFile file("jobs.yaml", JobFileText("q", 3, {"a", "reject", "b"}));
  std::ostringstream out;
  std::ostringstream progress;
  absl::Status status = RunSubmit(*server.Client(), file.path(), false, out, progress);
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(status.message()) == "1 of 3 jobs were not submitted: jobs[1]: rejected");
  CHECK(Lines(out.str()).size() == 2);
}

TEST_CASE("RunSubmit does not contact the server for an invalid file", "[job_commands]") {
  FakeArmadaServer server;
  TempFile file("jobs.yaml", "queue: q\njobs: []\n");
  std::ostringstream out;
  std::ostringstream progress;
  absl::Status status = RunSubmit(*server.Client(), file.path(), false, out, progress);
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(server.submit.batch_sizes.empty());
}

TEST_CASE("RunCancelJob and RunCancelJobSet", "[job_commands]") {
  FakeArmadaServer server;
  std::ostringstream out;
  std::ostringstream progress;
  REQUIRE(RunCancelJob(*server.Client(), "q", "s", "job-1", out).ok());
  REQUIRE(RunCancelJob(*server.Client(), "q", "s", "unknown", out).ok());
  REQUIRE(RunCancelJobSet(*server.Client(), "q", "s", out).ok());
  CHECK(out.str() ==
        "Requested cancellation for job job-1\n"
        "Job unknown was not cancelled (unknown or already finished)\n"
        "Requested cancellation for job set s (queue q)\n");
  REQUIRE(server.submit.cancels.size() == 2);
  CHECK(server.submit.cancels[0].queue() == "q");
  CHECK(server.submit.cancels[0].job_set_id() == "s");
  CHECK(server.submit.cancels[0].job_id() == "job-1");
  REQUIRE(server.submit.job_set_cancels.size() == 1);
  CHECK(server.submit.job_set_cancels[0].job_set_id() == "s");
}

api::EventStreamMessage Event(const std::string& job, const std::string& kind) {
  api::EventStreamMessage m;
  api::EventMessage* event = m.mutable_message();
  if (kind == "submitted") event->mutable_submitted()->set_job_id(job);
  if (kind == "running") event->mutable_running()->set_job_id(job);
  if (kind == "succeeded") event->mutable_succeeded()->set_job_id(job);
  if (kind == "failed") event->mutable_failed()->set_job_id(job);
  return m;
}

TEST_CASE("RunWatch prints events until the stream ends", "[job_commands]") {
  FakeArmadaServer server;
  server.events.events = {Event("a", "submitted"), Event("a", "running")};
  std::ostringstream out;
  std::ostringstream progress;
  REQUIRE(RunWatch(*server.Client(), "q", "s", WatchOptions(), out).ok());
  CHECK(out.str() == "- | Submitted | job a\n- | Running | job a\n");
  REQUIRE(server.events.requests.size() == 1);
  CHECK(server.events.requests[0].queue() == "q");
  CHECK(server.events.requests[0].id() == "s");
  CHECK(server.events.requests[0].watch());
}

TEST_CASE("RunWatch --exit-if-inactive stops a held stream when all jobs finished",
          "[job_commands]") {
  FakeArmadaServer server;
  server.events.events = {Event("a", "submitted"), Event("b", "submitted"), Event("a", "succeeded"),
                          Event("b", "failed")};
  server.events.hold_open = true;
  WatchOptions options;
  options.exit_if_inactive = true;
  std::ostringstream out;
  std::ostringstream progress;
  REQUIRE(RunWatch(*server.Client(), "q", "s", options, out).ok());
  const std::vector<std::string> lines = Lines(out.str());
  REQUIRE(lines.size() == 5);
  CHECK(lines[3] == "- | Failed | job b");
  CHECK(lines[4] == "Job set s: 2 jobs, 1 succeeded, 1 failed, 0 cancelled");
}

TEST_CASE("RunWatch redraws a live line of counts by state apart from the events",
          "[job_commands]") {
  FakeArmadaServer server;
  server.events.events = {Event("a", "submitted"), Event("b", "submitted"), Event("a", "running"),
                          Event("b", "succeeded")};
  WatchOptions options;
  std::ostringstream live;
  options.live_summary = &live;
  std::ostringstream out;
  REQUIRE(RunWatch(*server.Client(), "q", "s", options, out).ok());
  CHECK(Lines(out.str()).size() == 4);  // the events alone
  CHECK(live.str() ==
        "\r\x1b[K1 job: queued 1"
        "\r\x1b[K2 jobs: queued 2"
        "\r\x1b[K2 jobs: queued 1, running 1"
        "\r\x1b[K2 jobs: running 1, succeeded 1\n");
}

TEST_CASE("RunWatch --raw prints JSON and returns stream errors", "[job_commands]") {
  FakeArmadaServer server;
  server.events.events = {Event("a", "submitted")};
  server.events.end_status = grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "no watch for you");
  WatchOptions options;
  options.raw = true;
  std::ostringstream out;
  std::ostringstream progress;
  absl::Status status = RunWatch(*server.Client(), "q", "s", options, out);
  CHECK(status.code() == absl::StatusCode::kPermissionDenied);
  CHECK(std::string(status.message()) == "no watch for you");
  CHECK(out.str() == "{\"message\":{\"submitted\":{\"jobId\":\"a\"}}}\n");
}

TEST_CASE("RunSubmit reports progress for large files", "[job_commands]") {
  CHECK(SubmitProgressStep(1001) == 2000);
  CHECK(SubmitProgressStep(100000) == 5000);
  CHECK(SubmitProgressStep(100100) == 5200);
  FakeArmadaServer server;
  TempFile file("jobs.yaml", JobFileText("q", 4100));
  std::ostringstream out;
  std::ostringstream progress;
  REQUIRE(RunSubmit(*server.Client(), file.path(), false, out, progress).ok());
  CHECK(progress.str() ==
        "submitted 2000/4100 jobs\nsubmitted 4000/4100 jobs\nsubmitted 4100/4100 jobs\n");
  std::ostringstream small;
  TempFile small_file("small.yaml", JobFileText("q", 3));
  REQUIRE(RunSubmit(*server.Client(), small_file.path(), false, out, small).ok());
  CHECK(small.str().empty());
}

TEST_CASE("RunPreemptJob", "[job_commands]") {
  FakeArmadaServer server;
  server.submit.preemption_results = {{"job-1", ""}};
  std::ostringstream out;
  REQUIRE(RunPreemptJob(*server.Client(), "q", "s", "job-1", "too big", out).ok());
  CHECK(out.str() == "Requested preemption for job job-1\n");
  REQUIRE(server.submit.preempts.size() == 1);
  CHECK(server.submit.preempts[0].reason() == "too big");
  server.submit.preemption_results = {{"job-2", "job not found"}};
  absl::Status status = RunPreemptJob(*server.Client(), "q", "s", "job-2", "", out);
  CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(status.message()) == "job job-2: job not found");
}

TEST_CASE("RunReprioritize a job and a job set", "[job_commands]") {
  FakeArmadaServer server;
  server.submit.reprioritization_results = {{"job-1", ""}, {"job-2", ""}};
  std::ostringstream out;
  REQUIRE(RunReprioritize(*server.Client(), "q", "s", "", 2.5, out).ok());
  CHECK(out.str() == "Reprioritized job job-1 to 2.5\nReprioritized job job-2 to 2.5\n");
  REQUIRE(server.submit.reprioritizations.size() == 1);
  CHECK(server.submit.reprioritizations[0].job_ids().empty());
  CHECK(server.submit.reprioritizations[0].new_priority() == 2.5);
  server.submit.reprioritization_results = {{"job-3", "job not found"}};
  absl::Status status = RunReprioritize(*server.Client(), "q", "s", "job-3", 1, out);
  CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(std::string(status.message()) == "job-3: job not found");
  CHECK(server.submit.reprioritizations[1].job_ids(0) == "job-3");
  server.submit.reprioritization_results.clear();
  std::ostringstream none;
  REQUIRE(RunReprioritize(*server.Client(), "q", "s", "", 1, none).ok());
  CHECK(none.str() == "No job of job set s was reprioritized\n");
}

}  // namespace
}  // namespace armada::cli
