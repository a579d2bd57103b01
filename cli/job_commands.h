// armadactl's job commands: submit, cancel, watch. Each prints its result to `out` and returns
// the failure (a request error carries the server's message) for armadactl to report.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "api/submit.pb.h"
#include "cli/armada_client.h"
#include "cli/job_file.h"

namespace armada::cli {

// Jobs per SubmitJobs request, as Armada's armadactl.
inline constexpr size_t kSubmitBatchSize = 200;

// SplitSubmitRequests(file, batch_size): the file's jobs in order, as requests of at most
// `batch_size` (> 0) items for the file's queue and job set. No request for a file without jobs.
std::vector<api::JobSubmitRequest> SplitSubmitRequests(const JobSubmitFile& file,
                                                       size_t batch_size = kSubmitBatchSize);

// `submit FILE [--dry-run]`: loads the job file (LoadJobFile) and submits it in batches of
// kSubmitBatchSize, printing "Submitted job id: <id> (job set: <set>)" per submitted job.
// Stops at the first failed request (jobs of earlier requests stay submitted) and returns its
// status. Items the server rejects individually make the result kInvalidArgument
// "<n> of <m> jobs were not submitted: jobs[<i>]: <error>; ...".
// With `dry_run` it only loads and checks the file and prints
// "Dry run: <file> is valid, would submit <n> jobs to queue <q>, job set <s>"; no request is made.
absl::Status RunSubmit(ArmadaClient& client, const std::string& path, bool dry_run,
                       std::ostream& out);

// `cancel job QUEUE JOBSET JOBID`: prints "Requested cancellation for job <id>", or
// "Job <id> was not cancelled (unknown or already finished)" if the server cancelled nothing.
absl::Status RunCancelJob(ArmadaClient& client, const std::string& queue,
                          const std::string& job_set, const std::string& job_id, std::ostream& out);

// `cancel job-set QUEUE JOBSET`: prints "Requested cancellation for job set <set> (queue <q>)".
absl::Status RunCancelJobSet(ArmadaClient& client, const std::string& queue,
                             const std::string& job_set, std::ostream& out);

struct WatchOptions {
  // Print each EventStreamMessage as protobuf JSON instead of FormatEvent's line.
  bool raw = false;
  // Return once every job seen is succeeded, failed or cancelled (JobSetTracker), after printing
  // JobSetTracker::Summary.
  bool exit_if_inactive = false;
};

// `watch QUEUE JOBSET`: prints the job set's events from the beginning, one line each, flushing
// after each, and keeps watching until the server ends the stream (then its status) or, with
// exit_if_inactive, the job set is finished (then OK).
absl::Status RunWatch(ArmadaClient& client, const std::string& queue, const std::string& job_set,
                      const WatchOptions& options, std::ostream& out);

}  // namespace armada::cli
