#include "cli/report_commands.h"

#include "absl/strings/str_cat.h"
#include "api/schedulerobjects/scheduler_reporting.pb.h"
#include "lib/common/status_macros.h"

namespace armada::cli {
namespace {

constexpr char kService[] = "/schedulerobjects.SchedulerReporting/";

// Calls `method` with `request` and prints the reply's report.
template <typename Reply>
absl::Status CallReport(ArmadaClient& client, const std::string& command, const std::string& method,
                        const google::protobuf::Message& request, std::ostream& out) {
  absl::StatusOr<std::string> bytes =
      client.CallRaw(absl::StrCat(kService, method), request.SerializeAsString());
  if (bytes.status().code() == absl::StatusCode::kUnimplemented) {
    return absl::UnimplementedError(absl::StrCat(command,
                                                 " is not supported by this server yet (it has no ",
                                                 "SchedulerReporting service)"));
  }
  RETURN_IF_ERROR(bytes.status());
  Reply reply;
  if (!reply.ParseFromString(*bytes)) {
    return absl::InternalError(absl::StrCat(command, ": the server's reply cannot be parsed"));
  }
  const std::string& report = reply.report();
  out << report;
  if (!report.empty() && report.back() != '\n') out << "\n";
  return absl::OkStatus();
}

}  // namespace

absl::Status RunGetSchedulingReport(ArmadaClient& client, const SchedulingReportOptions& options,
                                    std::ostream& out) {
  schedulerobjects::SchedulingReportRequest request;
  if (!options.queue.empty()) {
    request.mutable_most_recent_for_queue()->set_queue_name(options.queue);
  } else if (!options.job_id.empty()) {
    request.mutable_most_recent_for_job()->set_job_id(options.job_id);
  }
  request.set_verbosity(options.verbosity);
  return CallReport<schedulerobjects::SchedulingReport>(client, "get scheduling-report",
                                                        "GetSchedulingReport", request, out);
}

absl::Status RunGetQueueReport(ArmadaClient& client, const std::string& queue, int verbosity,
                               std::ostream& out) {
  schedulerobjects::QueueReportRequest request;
  request.set_queue_name(queue);
  request.set_verbosity(verbosity);
  return CallReport<schedulerobjects::QueueReport>(client, "get queue-report", "GetQueueReport",
                                                   request, out);
}

absl::Status RunGetJobReport(ArmadaClient& client, const std::string& job_id, std::ostream& out) {
  schedulerobjects::JobReportRequest request;
  request.set_job_id(job_id);
  return CallReport<schedulerobjects::JobReport>(client, "get job-report", "GetJobReport", request,
                                                 out);
}

}  // namespace armada::cli
