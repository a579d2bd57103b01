// armadactl's read-only job commands, beyond Armada's CLI: `get jobs QUEUE JOBSET`, `get job ID`
// and `logs JOB_ID`. They use api.Jobs (GetJobDetails, GetJobErrors) and api.Event.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "api/job.pb.h"
#include "cli/armada_client.h"
#include "cli/output_format.h"

namespace armada::cli {

// Ids per api.Jobs request (the server's limit, Armada's queryapi.maxQueryItems).
inline constexpr size_t kJobQueryBatchSize = 500;

// ParseJobState(name): a JobState from its name in any case ("running", "RUNNING").
// kInvalidArgument lists the valid names.
absl::StatusOr<api::JobState> ParseJobState(const std::string& name);

// JobStateName(state): "QUEUED", "RUNNING", ...
std::string JobStateName(api::JobState state);

// RunStateName(state): "LEASED", "RUNNING", "LEASE_RETURNED", ... (JobRunState without its
// RUN_STATE_ prefix).
std::string RunStateName(api::JobRunState state);

// JobSetJobIds(client, queue, job_set): the ids of the job set's jobs, in the order of their
// first event (submission order), from its stored events (GetJobSetEvents without watch).
absl::StatusOr<std::vector<std::string>> JobSetJobIds(ArmadaClient& client,
                                                      const std::string& queue,
                                                      const std::string& job_set);

// FetchJobDetails(client, ids, expand_runs): GetJobDetails in requests of kJobQueryBatchSize.
// Jobs the server does not know are absent from the result, which follows `ids`' order.
absl::StatusOr<std::vector<api::JobDetails>> FetchJobDetails(ArmadaClient& client,
                                                             const std::vector<std::string>& ids,
                                                             bool expand_runs);

// FormatJobsTable(jobs): JOB ID, STATE, SUBMITTED, LAST CHANGE, RUNS, EXECUTOR, NODE (the
// executor and node of the latest run).
std::string FormatJobsTable(const std::vector<api::JobDetails>& jobs);

// `get jobs QUEUE JOBSET [--state S,...]`: the job set's jobs (JobSetJobIds, FetchJobDetails),
// keeping those in one of `states` (names as ParseJobState; empty: all). Prints FormatJobsTable
// ("No jobs" when none), or a YAML/JSON list of JobDetails with their runs.
absl::Status RunGetJobs(ArmadaClient& client, const std::string& queue, const std::string& job_set,
                        const std::vector<std::string>& states, OutputFormat format,
                        std::ostream& out);

// FormatJobDetails(job, error): the `get job` text: one "Key: value" line per field, the error
// if any, then a table of the runs (RUN ID, STATE, EXECUTOR, NODE, LEASED, STARTED, FINISHED).
std::string FormatJobDetails(const api::JobDetails& job, const std::string& error);

// `get job ID`: GetJobDetails (with runs) and GetJobErrors. Prints FormatJobDetails (kTable), or
// the JobDetails as YAML/JSON with an extra "error" key. kNotFound "job <id> not found".
absl::Status RunGetJob(ArmadaClient& client, const std::string& job_id, OutputFormat format,
                       std::ostream& out);

struct LogsOptions {
  // The executor's local-backend work directory (its `workDir`), which holds one directory per
  // run with stdout.log and stderr.log.
  std::string log_dir;
  // The run to show; empty: the job's latest run.
  std::string run_id;
  // Which file: "stdout", "stderr" or "both" (stdout.log to `out`, then stderr.log to `err`).
  std::string stream = "both";
};

// `logs JOB_ID`: finds the run (GetJobDetails with runs) and copies its log files from
// <log_dir>/<run_id>/. Errors: kInvalidArgument without a log_dir or with an unknown stream;
// kNotFound for an unknown job, a job without runs, or a run whose directory is not there (the
// message names the executor and node it ran on, since the directory is only readable on that
// machine or through a shared filesystem, and the executor deletes it after its logRetention).
absl::Status RunLogs(ArmadaClient& client, const std::string& job_id, const LogsOptions& options,
                     std::ostream& out, std::ostream& err);

}  // namespace armada::cli
