// schedulerobjects.SchedulerReporting through the real service: jobs that cannot fit, one cycle,
// then the reports say why; a replica without cycles of its own answers from PostgreSQL; the
// REST routes reach the same texts.

#include <httplib.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "server/http/http_gateway.h"
#include "tests/integration/executor_driver.h"

namespace armada::testing {
namespace {

grpc::Status JobReport(ServerFixture& server, const std::string& job_id, std::string& report) {
  schedulerobjects::JobReportRequest request;
  request.set_job_id(job_id);
  schedulerobjects::JobReport reply;
  grpc::ClientContext context;
  grpc::Status status = server.reporting().GetJobReport(&context, request, &reply);
  report = reply.report();
  return status;
}

std::string QueueReport(ServerFixture& server, const std::string& queue) {
  schedulerobjects::QueueReportRequest request;
  request.set_queue_name(queue);
  schedulerobjects::QueueReport reply;
  grpc::ClientContext context;
  REQUIRE(server.reporting().GetQueueReport(&context, request, &reply).ok());
  return reply.report();
}

std::string SchedulingReport(ServerFixture& server,
                             const schedulerobjects::SchedulingReportRequest& request) {
  schedulerobjects::SchedulingReport reply;
  grpc::ClientContext context;
  REQUIRE(server.reporting().GetSchedulingReport(&context, request, &reply).ok());
  return reply.report();
}

TEST_CASE("reports: before any cycle every report is NOT_FOUND") {
  ServerFixture server;
  std::string report;
  CHECK(JobReport(server, "01h00000000000000000000000", report).error_code() ==
        grpc::StatusCode::NOT_FOUND);
  schedulerobjects::SchedulingReport reply;
  grpc::ClientContext context;
  CHECK(server.reporting()
            .GetSchedulingReport(&context, schedulerobjects::SchedulingReportRequest(), &reply)
            .error_code() == grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("reports: why a job is not running, per job, queue and cycle") {
  ServerFixture server;
  server.CreateQueue("q");
  server.CreateQueue("c");
  LeaseExchange(server, {});  // node-1: 4 cpus, 16Gi
  const std::string big = SubmitJobs(server, 1, "8")[0];
  const std::string small = SubmitJobs(server, 1, "1")[0];
  const std::string cordoned = SubmitJobs(server, 1, "1", "c")[0];
  {
    api::QueueCordonRequest request;
    request.set_name("c");
    grpc::ClientContext context;
    google::protobuf::Empty empty;
    REQUIRE(server.queues().CordonQueue(&context, request, &empty).ok());
  }
  REQUIRE(*server.scheduler().RunCycle() == 1);

  std::string report;
  REQUIRE(JobReport(server, big, report).ok());
  CHECK_THAT(report, Catch::Contains("not scheduled:"));
  CHECK_THAT(report, Catch::Contains("no matching node has cpu=8"));
  CHECK_THAT(report, Catch::Contains("pool default: 1 too little free cpu"));
  REQUIRE(JobReport(server, small, report).ok());
  CHECK_THAT(report, Catch::Contains("leased on node node-1 (executor exec-1, pool default)"));
  REQUIRE(JobReport(server, cordoned, report).ok());
  CHECK_THAT(report, Catch::Contains("queue c is cordoned"));
  CHECK(JobReport(server, "01h00000000000000000000000", report).error_code() ==
        grpc::StatusCode::NOT_FOUND);

  const std::string queue = QueueReport(server, "q");
  CHECK_THAT(queue, Catch::Contains("queued jobs at the start of the cycle: 2"));
  // One active queue: fair share 1; one 1-cpu job of 4 cpus: actual share and cost 0.25.
  CHECK_THAT(queue, Catch::Contains("  q      1       1          1                  0.25         "
                                    "0             0.25  1       0\n"));
  CHECK_THAT(queue, Catch::Contains("1  pool default: no matching node has cpu=8"));
  CHECK_THAT(QueueReport(server, "c"), Catch::Contains("the queue is cordoned"));

  schedulerobjects::SchedulingReportRequest request;
  request.set_verbosity(1);
  const std::string cycle = SchedulingReport(server, request);
  CHECK_THAT(cycle, Catch::StartsWith("Scheduling cycle 1 at "));
  CHECK_THAT(cycle, Catch::Contains("3 queued, 0 running, 1 leased, 0 preempted"));
  CHECK_THAT(cycle, Catch::Contains("Unscheduled jobs by reason:"));
  request.mutable_most_recent_for_job()->set_job_id(big);
  REQUIRE(JobReport(server, big, report).ok());
  CHECK(SchedulingReport(server, request) == report);
  request.mutable_most_recent_for_queue()->set_queue_name("q");
  request.set_verbosity(0);
  CHECK(SchedulingReport(server, request) == QueueReport(server, "q"));

  SECTION("a replica that is not the leader answers from PostgreSQL") {
    server::SchedulingReports other(&server.db());
    auto job = other.JobReport(big);
    REQUIRE(job.ok());
    CHECK(*job == report);
    auto queue_report = other.QueueReport("q", 0);
    REQUIRE(queue_report.ok());
    CHECK(*queue_report == QueueReport(server, "q"));
    auto cycle_report = other.SchedulingReport(1);
    REQUIRE(cycle_report.ok());
    CHECK(*cycle_report == cycle);
    CHECK(other.JobReport("nope").status().code() == absl::StatusCode::kNotFound);
    CHECK(other.QueueReport("nope", 0).status().code() == absl::StatusCode::kNotFound);
  }
  SECTION("the REST routes give the same texts") {
    auto gateway =
        server::HttpGateway::Create(server.server().InProcessChannel(grpc::ChannelArguments()), {});
    REQUIRE(gateway.ok());
    auto port = (*gateway)->Start("127.0.0.1:0");
    REQUIRE(port.ok());
    httplib::Client http("127.0.0.1", *port);
    auto job = http.Get(("/v1/job/" + big + "/scheduler-report").c_str());
    REQUIRE(job);
    CHECK(job->status == 200);
    CHECK(nlohmann::json::parse(job->body)["report"] == report);
    auto by_queue = http.Get("/v1/queue/q/scheduler-report");
    REQUIRE(by_queue);
    CHECK(nlohmann::json::parse(by_queue->body)["report"] == QueueReport(server, "q"));
    auto all = http.Get("/v1/scheduling-report?verbosity=1");
    REQUIRE(all);
    CHECK(nlohmann::json::parse(all->body)["report"] == cycle);
  }
}

}  // namespace
}  // namespace armada::testing
