#pragma once

// schedulerobjects.SchedulerReporting: Armada's scheduler reports, answered
// from a SchedulingReports store (see server/scheduling_reports.h for where
// the texts come from on leader and non-leader replicas).
//
// GetSchedulingReport without a filter gives the report on the latest cycles;
// with most_recent_for_queue / most_recent_for_job it gives that queue's or
// job's report, as GetQueueReport / GetJobReport do. Errors: INVALID_ARGUMENT
// for an empty queue name or job id; NOT_FOUND when no cycle has been
// recorded, or the queue or job is not in the reports kept; UNAVAILABLE when
// PostgreSQL cannot be read. Thread-safe.

#include "api/schedulerobjects/scheduler_reporting.grpc.pb.h"
#include "server/api/caller_auth.h"
#include "server/scheduler/scheduling_reports.h"

namespace armada::server {

class SchedulerReportingService final : public schedulerobjects::SchedulerReporting::Service {
 public:
  // `reports` must outlive the service.
  // Any authenticated caller may read the reports (as in Armada).
  SchedulerReportingService(const SchedulingReports& reports, const CallerAuth& auth)
      : reports_(reports), auth_(auth) {}

  grpc::Status GetSchedulingReport(grpc::ServerContext*,
                                   const schedulerobjects::SchedulingReportRequest* request,
                                   schedulerobjects::SchedulingReport* response) override;
  grpc::Status GetQueueReport(grpc::ServerContext*,
                              const schedulerobjects::QueueReportRequest* request,
                              schedulerobjects::QueueReport* response) override;
  grpc::Status GetJobReport(grpc::ServerContext*, const schedulerobjects::JobReportRequest* request,
                            schedulerobjects::JobReport* response) override;

 private:
  const SchedulingReports& reports_;
  const CallerAuth& auth_;
};

}  // namespace armada::server
