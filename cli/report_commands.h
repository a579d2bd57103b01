// armadactl's scheduler reports: `get scheduling-report`, `get queue-report QUEUE` and
// `get job-report JOB_ID`, through Armada's schedulerobjects.SchedulerReporting service.
//
// The messages are proto/api/schedulerobjects/scheduler_reporting.proto's, sent through
// ArmadaClient::CallRaw.
#pragma once

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "cli/armada_client.h"

namespace armada::cli {

// What to report on; at most one of `queue` and `job_id` (checked by armadactl).
struct SchedulingReportOptions {
  std::string queue;
  std::string job_id;
  int verbosity = 0;
};

// `get scheduling-report [--queue Q | --job-id J] [-v...]`: prints the report text.
// A server without the service (UNIMPLEMENTED) gives kUnimplemented
// "get scheduling-report is not supported by this server yet".
absl::Status RunGetSchedulingReport(ArmadaClient& client, const SchedulingReportOptions& options,
                                    std::ostream& out);

// `get queue-report QUEUE [-v...]`, as above.
absl::Status RunGetQueueReport(ArmadaClient& client, const std::string& queue, int verbosity,
                               std::ostream& out);

// `get job-report JOB_ID`, as above.
absl::Status RunGetJobReport(ArmadaClient& client, const std::string& job_id, std::ostream& out);

}  // namespace armada::cli
