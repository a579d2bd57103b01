// armadactl's read-only job commands, beyond Armada's CLI: `get jobs QUEUE JOBSET`, `get job ID`
// and `logs JOB_ID`. They use api.Jobs (GetJobDetails, GetJobErrors) and api.Event.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
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
  // Set: read the files of a local-backend executor's work directory (its `workDir`, one
  // directory per run with stdout.log and stderr.log) instead of asking the server.
  std::string log_dir;
  // The context's localLogDir: read there only when the server has no Binoculars address for
  // the run's executor (FAILED_PRECONDITION).
  std::string fallback_log_dir;
  // The run to show; empty: the job's latest run.
  std::string run_id;
  // Files only: "stdout", "stderr" or "both" (stdout.log to `out`, then stderr.log to `err`).
  std::string stream = "both";
  // Over the API: keep printing new lines until the job ends.
  bool follow = false;
  // Over the API: only lines newer than this ("10m", "1h30m") or than this RFC 3339 time.
  std::string since;
  int64_t tail = 0;  // over the API: only the last this many lines; 0 = all
  absl::Duration follow_period = absl::Seconds(1);
};

// `logs JOB_ID`. By default through the server's binoculars.Binoculars (which asks the
// executor that ran the job), so it works from any machine: prints each line, prefixed with
// its timestamp when the executor keeps one; with `follow`, asks again every follow_period for
// lines after the last one printed, until the job is in a terminal state. Errors: the server's
// (NOT_FOUND for an unknown or never-run job, UNAVAILABLE naming an unreachable executor);
// kInvalidArgument for a bad `since`.
//
// With log_dir (or fallback_log_dir, see above): finds the run (GetJobDetails with runs) and
// copies its log files from <dir>/<run_id>/. kNotFound for a run whose directory is not there
// (naming the executor and node it ran on).
absl::Status RunLogs(ArmadaClient& client, const std::string& job_id, const LogsOptions& options,
                     std::ostream& out, std::ostream& err);

}  // namespace armada::cli
