#include "cli/job_query_commands.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "binoculars/binoculars.pb.h"
#include "tests/unit/cli/fake_armada_server.h"

namespace armada::cli {
namespace {

using testing::FakeArmadaServer;

google::protobuf::Timestamp At(int64_t seconds) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(seconds);
  return ts;
}

constexpr int64_t kNoon = 1714564800;  // 2024-05-01T12:00:00Z

api::JobDetails Job(const std::string& id, api::JobState state, int runs) {
  api::JobDetails job;
  job.set_job_id(id);
  job.set_queue("q");
  job.set_jobset("set");
  job.set_namespace_("default");
  job.set_state(state);
  *job.mutable_submitted_ts() = At(kNoon);
  *job.mutable_last_transition_ts() = At(kNoon + 60);
  for (int i = 1; i <= runs; ++i) {
    api::JobRunDetails* run = job.add_job_runs();
    run->set_run_id(absl::StrCat(id, "-run", i));
    run->set_job_id(id);
    run->set_state(i < runs ? api::RUNS_STATE_LEASE_RETURNED : api::RUN_STATE_RUNNING);
    run->set_cluster("exec-1");
    run->set_node(absl::StrCat("node-", i));
    *run->mutable_leased_ts() = At(kNoon + 10 * i);
    *run->mutable_started_ts() = At(kNoon + 10 * i + 5);
    job.set_latest_run_id(run->run_id());
  }
  return job;
}

api::EventStreamMessage Submitted(const std::string& id) {
  api::EventStreamMessage message;
  message.set_id(absl::StrCat("m-", id));
  message.mutable_message()->mutable_submitted()->set_job_id(id);
  return message;
}

TEST_CASE("ParseJobState", "[job_query_commands]") {
  CHECK(*ParseJobState("running") == api::RUNNING);
  CHECK(*ParseJobState("Queued") == api::QUEUED);
  CHECK(ParseJobState("done").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(RunStateName(api::RUNS_STATE_LEASE_RETURNED) == "LEASE_RETURNED");
  CHECK(RunStateName(api::RUN_STATE_SUCCEEDED) == "SUCCEEDED");
}

TEST_CASE("FormatJobsTable golden output", "[job_query_commands]") {
  CHECK(FormatJobsTable({Job("job-a", api::RUNNING, 2), Job("job-bb", api::QUEUED, 0)}) ==
        "JOB ID  STATE    SUBMITTED             LAST CHANGE           RUNS  EXECUTOR  NODE\n"
        "job-a   RUNNING  2024-05-01T12:00:00Z  2024-05-01T12:01:00Z  2     exec-1    node-2\n"
        "job-bb  QUEUED   2024-05-01T12:00:00Z  2024-05-01T12:01:00Z  0     -         -\n");
}

TEST_CASE("FormatJobDetails golden output", "[job_query_commands]") {
  CHECK(FormatJobDetails(Job("job-a", api::FAILED, 1), "exit code 7") ==
        "Job:          job-a\n"
        "Queue:        q\n"
        "Job set:      set\n"
        "Namespace:    default\n"
        "State:        FAILED\n"
        "Submitted:    2024-05-01T12:00:00Z\n"
        "Last change:  2024-05-01T12:01:00Z\n"
        "Error:        exit code 7\n"
        "Runs:\n"
        "  RUN ID      STATE    EXECUTOR  NODE    LEASED                STARTED               "
        "FINISHED\n"
        "  job-a-run1  RUNNING  exec-1    node-1  2024-05-01T12:00:10Z  2024-05-01T12:00:15Z  "
        "-\n");
  CHECK(FormatJobDetails(Job("job-b", api::QUEUED, 0), "").find("Runs: none\n") !=
        std::string::npos);
}

TEST_CASE("RunGetJobs lists the job set's jobs, filtered by state", "[job_query_commands]") {
  FakeArmadaServer server;
  server.events.events = {Submitted("job-a"), Submitted("job-b"), Submitted("job-a")};
  server.jobs.jobs["job-a"] = Job("job-a", api::RUNNING, 1);
  server.jobs.jobs["job-b"] = Job("job-b", api::SUCCEEDED, 1);
  std::ostringstream out;
  REQUIRE(RunGetJobs(*server.Client(), "q", "set", {"running"}, OutputFormat::kTable, out).ok());
  CHECK(out.str() == FormatJobsTable({Job("job-a", api::RUNNING, 1)}));
  REQUIRE(server.events.requests.size() == 1);
  CHECK_FALSE(server.events.requests[0].watch());

  std::ostringstream none;
  REQUIRE(RunGetJobs(*server.Client(), "q", "set", {"failed"}, OutputFormat::kTable, none).ok());
  CHECK(none.str() == "No jobs\n");

  std::ostringstream json;
  REQUIRE(RunGetJobs(*server.Client(), "q", "set", {}, OutputFormat::kJson, json).ok());
  const auto parsed = nlohmann::json::parse(json.str());
  REQUIRE(parsed.size() == 2);
  CHECK(parsed[0]["jobId"] == "job-a");
  CHECK(parsed[1]["state"] == "SUCCEEDED");
}

TEST_CASE("FetchJobDetails asks for at most 500 ids at a time", "[job_query_commands]") {
  FakeArmadaServer server;
  std::vector<std::string> ids;
  for (int i = 0; i < 1201; ++i) ids.push_back(absl::StrCat("job-", i));
  server.jobs.jobs["job-1200"] = Job("job-1200", api::QUEUED, 0);
  absl::StatusOr<std::vector<api::JobDetails>> jobs = FetchJobDetails(*server.Client(), ids, true);
  REQUIRE(jobs.ok());
  REQUIRE(jobs->size() == 1);
  CHECK(server.jobs.detail_request_sizes == std::vector<int>{500, 500, 201});
}

TEST_CASE("RunGetJob", "[job_query_commands]") {
  FakeArmadaServer server;
  server.jobs.jobs["job-a"] = Job("job-a", api::FAILED, 1);
  server.jobs.errors["job-a"] = "exit code 7";
  std::ostringstream out;
  REQUIRE(RunGetJob(*server.Client(), "job-a", OutputFormat::kTable, out).ok());
  CHECK(out.str() == FormatJobDetails(Job("job-a", api::FAILED, 1), "exit code 7"));
  std::ostringstream yaml;
  REQUIRE(RunGetJob(*server.Client(), "job-a", OutputFormat::kYaml, yaml).ok());
  CHECK(yaml.str().find("state: FAILED\n") != std::string::npos);
  CHECK(yaml.str().find("error: exit code 7\n") != std::string::npos);
  absl::Status missing = RunGetJob(*server.Client(), "nope", OutputFormat::kTable, out);
  CHECK(missing.code() == absl::StatusCode::kNotFound);
  CHECK(std::string(missing.message()) == "job nope not found");
}

TEST_CASE("RunLogs reads the run's files from the log directory", "[job_query_commands]") {
  FakeArmadaServer server;
  server.jobs.jobs["job-a"] = Job("job-a", api::RUNNING, 2);
  server.jobs.jobs["job-q"] = Job("job-q", api::QUEUED, 0);
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / absl::StrCat("armada_cli_logs_", getpid());
  std::filesystem::create_directories(dir / "job-a-run2");
  std::filesystem::create_directories(dir / "job-a-run1");
  std::ofstream(dir / "job-a-run2" / "stdout.log") << "hello\n";
  std::ofstream(dir / "job-a-run2" / "stderr.log") << "warning\n";
  std::ofstream(dir / "job-a-run1" / "stdout.log") << "first\n";
  std::ofstream(dir / "job-a-run1" / "stderr.log") << "";
  LogsOptions options;
  options.log_dir = dir.string();

  std::ostringstream out, err;
  REQUIRE(RunLogs(*server.Client(), "job-a", options, out, err).ok());
  CHECK(out.str() == "hello\n");
  CHECK(err.str() == "warning\n");

  SECTION("an earlier run, stdout only") {
    options.run_id = "job-a-run1";
    options.stream = "stdout";
    std::ostringstream first, nothing;
    REQUIRE(RunLogs(*server.Client(), "job-a", options, first, nothing).ok());
    CHECK(first.str() == "first\n");
    CHECK(nothing.str().empty());
  }
  SECTION("errors") {
    CHECK(RunLogs(*server.Client(), "job-q", options, out, err).code() ==
          absl::StatusCode::kNotFound);
    options.log_dir = (dir / "elsewhere").string();
    absl::Status status = RunLogs(*server.Client(), "job-a", options, out, err);
    CHECK(status.code() == absl::StatusCode::kNotFound);
    CHECK(std::string(status.message()).find("executor exec-1, node node-2") != std::string::npos);
    // Without a log directory the server's Binoculars is asked; this fake serves none.
    options.log_dir.clear();
    CHECK(RunLogs(*server.Client(), "job-a", options, out, err).code() ==
          absl::StatusCode::kUnimplemented);
    options.since = "last tuesday";
    status = RunLogs(*server.Client(), "job-a", options, out, err);
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK(std::string(status.message()).find("--since last tuesday") != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

binoculars::LogResponse Answer(const std::vector<std::pair<std::string, std::string>>& lines) {
  binoculars::LogResponse response;
  for (const auto& [timestamp, text] : lines) {
    binoculars::LogLine* line = response.add_log();
    line->set_timestamp(timestamp);
    line->set_line(text);
  }
  return response;
}

TEST_CASE("RunLogs asks the server's Binoculars and follows a job to its end",
          "[job_query_commands]") {
  FakeArmadaServer server;
  LogsOptions options;
  options.follow_period = absl::ZeroDuration();
  std::ostringstream out, err;

  SECTION("once: the lines with their times") {
    server.binoculars.answers = {Answer({{"2026-12-03T08:00:00Z", "a"}, {"", "b"}})};
    options.tail = 5;
    options.since = "10m";
    REQUIRE(RunLogs(*server.Client(), "job-a", options, out, err).ok());
    CHECK(out.str() == "2026-12-03T08:00:00Z a\nb\n");
    REQUIRE(server.binoculars.requests.size() == 1);
    CHECK(server.binoculars.requests[0].job_id() == "job-a");
    CHECK(server.binoculars.requests[0].log_options().taillines() == 5);
    CHECK(server.binoculars.requests[0].log_options().sinceseconds() == 600);
  }
  SECTION("following lines with times asks from the last one and prints each once") {
    // Fractional digits vary: "08:00:01Z" is before "08:00:01.5Z", though not as text.
    server.binoculars.answers = {
        Answer({{"2026-12-03T08:00:00Z", "a"}, {"2026-12-03T08:00:01Z", "b"}}),
        Answer({{"2026-12-03T08:00:01Z", "b"}, {"2026-12-03T08:00:01.5Z", "c"}}),
        Answer({{"2026-12-03T08:00:01.5Z", "c"}, {"2026-12-03T08:00:02Z", "d"}})};
    server.jobs.states = {api::RUNNING, api::RUNNING, api::SUCCEEDED};
    options.follow = true;
    REQUIRE(RunLogs(*server.Client(), "job-a", options, out, err).ok());
    CHECK(out.str() ==
          "2026-12-03T08:00:00Z a\n2026-12-03T08:00:01Z b\n2026-12-03T08:00:01.5Z c\n"
          "2026-12-03T08:00:02Z d\n");
    REQUIRE(server.binoculars.requests.size() == 3);
    CHECK(server.binoculars.requests[1].since_time() == "2026-12-03T08:00:01Z");
    CHECK(server.binoculars.requests[2].since_time() == "2026-12-03T08:00:01.5Z");
  }
  SECTION("following lines without times prints what each answer adds, from the tail") {
    server.binoculars.answers = {Answer({{"", "w"}, {"", "x"}}),
                                 Answer({{"", "w"}, {"", "x"}, {"", "y"}}),
                                 Answer({{"", "w"}, {"", "x"}, {"", "y"}, {"", "z"}})};
    server.jobs.states = {api::RUNNING, api::RUNNING, api::FAILED};
    options.follow = true;
    options.tail = 1;
    REQUIRE(RunLogs(*server.Client(), "job-a", options, out, err).ok());
    CHECK(out.str() == "x\ny\nz\n");
    CHECK_FALSE(server.binoculars.requests[0].log_options().has_taillines());
  }
}

}  // namespace
}  // namespace armada::cli
