// armadactl's job commands: submit, cancel, preempt, reprioritize, watch. Each prints its result to
// `out` and returns the failure (a request error carries the server's message) for armadactl to
// report.
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
// status. For files of more than kProgressThreshold jobs, "submitted <n>/<total> jobs" lines go
// to `progress` every SubmitProgressStep(total) jobs and at the end. Items the server rejects
// individually make the result kInvalidArgument
// "<n> of <m> jobs were not submitted: jobs[<i>]: <error>; ...".
// With `dry_run` it only loads and checks the file and prints
// "Dry run: <file> is valid, would submit <n> jobs to queue <q>, job set <s>"; no request is made.
absl::Status RunSubmit(ArmadaClient& client, const std::string& path, bool dry_run,
                       std::ostream& out, std::ostream& progress);

// Files with more jobs than this report progress.
inline constexpr size_t kProgressThreshold = 1000;

// SubmitProgressStep(total): jobs between progress lines: a twentieth of `total`, at least 2000,
// rounded up to a multiple of kSubmitBatchSize.
size_t SubmitProgressStep(size_t total);

// `cancel job QUEUE JOBSET JOBID`: prints "Requested cancellation for job <id>", or
// "Job <id> was not cancelled (unknown or already finished)" if the server cancelled nothing.
absl::Status RunCancelJob(ArmadaClient& client, const std::string& queue,
                          const std::string& job_set, const std::string& job_id, std::ostream& out);

// `cancel job-set QUEUE JOBSET`: prints "Requested cancellation for job set <set> (queue <q>)".
absl::Status RunCancelJobSet(ArmadaClient& client, const std::string& queue,
                             const std::string& job_set, std::ostream& out);

// `preempt job QUEUE JOBSET JOBID [REASON]`: prints "Requested preemption for job <id>", or
// fails with kFailedPrecondition carrying the server's per-job error.
absl::Status RunPreemptJob(ArmadaClient& client, const std::string& queue,
                           const std::string& job_set, const std::string& job_id,
                           const std::string& reason, std::ostream& out);

// `reprioritize job QUEUE JOBSET JOBID PRIORITY` (`job_id` set) or `reprioritize job-set QUEUE
// JOBSET PRIORITY` (`job_id` empty): prints "Reprioritized job <id> to <priority>" per job the
// server reprioritized, and fails with kFailedPrecondition "<job>: <error>; ..." for the others.
// A job set without active jobs prints "No job of job set <set> was reprioritized".
absl::Status RunReprioritize(ArmadaClient& client, const std::string& queue,
                             const std::string& job_set, const std::string& job_id, double priority,
                             std::ostream& out);

struct WatchOptions {
  // Print each EventStreamMessage as protobuf JSON instead of FormatEvent's line.
  bool raw = false;
  // Return once every job seen is succeeded, failed or cancelled (JobSetTracker), after printing
  // JobSetTracker::Summary.
  bool exit_if_inactive = false;
  // When set (armadactl sets it to stderr on a terminal), a live line of job counts by state
  // (JobSetTracker::StateCounts) is redrawn there after each event, apart from the event lines.
  std::ostream* live_summary = nullptr;
};

// `watch QUEUE JOBSET`: prints the job set's events from the beginning, one line each, flushing
// after each, and keeps watching until the server ends the stream (then its status) or, with
// exit_if_inactive, the job set is finished (then OK).
absl::Status RunWatch(ArmadaClient& client, const std::string& queue, const std::string& job_set,
                      const WatchOptions& options, std::ostream& out);

}  // namespace armada::cli
