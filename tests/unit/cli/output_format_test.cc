#include "cli/output_format.h"

#include <string>

#include <catch2/catch.hpp>

#include "api/job.pb.h"

namespace armada::cli {
namespace {

TEST_CASE("ParseOutputFormat", "[output_format]") {
  CHECK(*ParseOutputFormat("table") == OutputFormat::kTable);
  CHECK(*ParseOutputFormat("yaml") == OutputFormat::kYaml);
  CHECK(*ParseOutputFormat("json") == OutputFormat::kJson);
  absl::StatusOr<OutputFormat> bad = ParseOutputFormat("xml");
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(bad.status().message()) ==
        "unknown output format \"xml\" (expected table, yaml, json)");
}

TEST_CASE("Table aligns columns and marks empty cells", "[output_format]") {
  Table table({"NAME", "PRIORITY FACTOR", "LABELS"});
  table.AddRow({"queue-a", "1", "tier=gold"});
  table.AddRow({"b", "12.5", ""});
  table.AddRow({"short"});
  CHECK(table.rows() == 3);
  CHECK(table.Render() ==
        "NAME     PRIORITY FACTOR  LABELS\n"
        "queue-a  1                tier=gold\n"
        "b        12.5             -\n"
        "short    -                -\n");
}

TEST_CASE("Table with only headers", "[output_format]") {
  CHECK(Table({"A", "B"}).Render() == "A  B\n");
}

TEST_CASE("MessageToJson and JsonToYaml of job details", "[output_format]") {
  api::JobDetails job;
  job.set_job_id("01j");
  job.set_queue("q");
  job.set_state(api::RUNNING);
  job.mutable_submitted_ts()->set_seconds(1714564800);
  api::JobRunDetails* run = job.add_job_runs();
  run->set_run_id("r1");
  run->set_node("true");
  const nlohmann::ordered_json json = MessageToJson(job);
  CHECK(JsonText(json) ==
        "{\n"
        "  \"jobId\": \"01j\",\n"
        "  \"queue\": \"q\",\n"
        "  \"state\": \"RUNNING\",\n"
        "  \"submittedTs\": \"2024-05-01T12:00:00Z\",\n"
        "  \"jobRuns\": [\n"
        "    {\n"
        "      \"runId\": \"r1\",\n"
        "      \"node\": \"true\"\n"
        "    }\n"
        "  ]\n"
        "}\n");
  CHECK(JsonToYaml(json) ==
        "jobId: 01j\n"
        "queue: q\n"
        "state: RUNNING\n"
        "submittedTs: 2024-05-01T12:00:00Z\n"
        "jobRuns:\n"
        "  - runId: r1\n"
        "    node: \"true\"\n");
}

TEST_CASE("JsonToYaml of empty values and numbers", "[output_format]") {
  CHECK(JsonToYaml(nlohmann::ordered_json::array()) == "[]\n");
  CHECK(JsonToYaml(nlohmann::ordered_json::object()) == "{}\n");
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  json["factor"] = 0.1;
  json["count"] = 3;
  json["text"] = "12";
  json["empty"] = "";
  CHECK(JsonToYaml(json) == "factor: 0.1\ncount: 3\ntext: \"12\"\nempty: \"\"\n");
}

TEST_CASE("FormatTimestamp and FormatNumber", "[output_format]") {
  google::protobuf::Timestamp ts;
  CHECK(FormatTimestamp(ts) == "-");
  ts.set_seconds(1714564803);
  ts.set_nanos(5);
  CHECK(FormatTimestamp(ts) == "2024-05-01T12:00:03Z");
  CHECK(FormatNumber(1) == "1");
  CHECK(FormatNumber(2.5) == "2.5");
  CHECK(FormatNumber(0.1) == "0.1");
  CHECK(FormatNumber(-3) == "-3");
}

}  // namespace
}  // namespace armada::cli
