#include "server/api/scheduler_reporting_service.h"

#include "server/api/grpc_status.h"

namespace armada::server {
namespace {

// Sets `*report` to the text, or returns the error as a gRPC status.
grpc::Status Answer(const absl::StatusOr<std::string>& text, std::string* report) {
  if (!text.ok()) return ToGrpcStatus(text.status());
  *report = *text;
  return grpc::Status::OK;
}

}  // namespace

grpc::Status SchedulerReportingService::GetSchedulingReport(
    grpc::ServerContext* context, const schedulerobjects::SchedulingReportRequest* request,
    schedulerobjects::SchedulingReport* response) {
  if (auto caller = auth_.Authenticate(*context); !caller.ok()) {
    return ToGrpcStatus(caller.status());
  }
  using Request = schedulerobjects::SchedulingReportRequest;
  switch (request->filter_case()) {
    case Request::kMostRecentForQueue:
      return Answer(
          reports_.QueueReport(request->most_recent_for_queue().queue_name(), request->verbosity()),
          response->mutable_report());
    case Request::kMostRecentForJob:
      return Answer(reports_.JobReport(request->most_recent_for_job().job_id()),
                    response->mutable_report());
    default:
      return Answer(reports_.SchedulingReport(request->verbosity()), response->mutable_report());
  }
}

grpc::Status SchedulerReportingService::GetQueueReport(
    grpc::ServerContext* context, const schedulerobjects::QueueReportRequest* request,
    schedulerobjects::QueueReport* response) {
  if (auto caller = auth_.Authenticate(*context); !caller.ok()) {
    return ToGrpcStatus(caller.status());
  }
  return Answer(reports_.QueueReport(request->queue_name(), request->verbosity()),
                response->mutable_report());
}

grpc::Status SchedulerReportingService::GetJobReport(
    grpc::ServerContext* context, const schedulerobjects::JobReportRequest* request,
    schedulerobjects::JobReport* response) {
  if (auto caller = auth_.Authenticate(*context); !caller.ok()) {
    return ToGrpcStatus(caller.status());
  }
  return Answer(reports_.JobReport(request->job_id()), response->mutable_report());
}

}  // namespace armada::server
