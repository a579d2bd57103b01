#include "cli/job_query_commands.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "api/event.pb.h"
#include "binoculars/binoculars.pb.h"
#include "cli/event_printer.h"
#include "lib/common/status_macros.h"

namespace armada::cli {
namespace {

const api::JobRunDetails* LatestRun(const api::JobDetails& job) {
  for (const api::JobRunDetails& run : job.job_runs()) {
    if (run.run_id() == job.latest_run_id()) return &run;
  }
  return job.job_runs().empty() ? nullptr : &job.job_runs(job.job_runs_size() - 1);
}

std::string RunsTable(const api::JobDetails& job) {
  Table table({"RUN ID", "STATE", "EXECUTOR", "NODE", "LEASED", "STARTED", "FINISHED"});
  for (const api::JobRunDetails& run : job.job_runs()) {
    table.AddRow({run.run_id(), RunStateName(run.state()), run.cluster(), run.node(),
                  FormatTimestamp(run.leased_ts()), FormatTimestamp(run.started_ts()),
                  FormatTimestamp(run.finished_ts())});
  }
  return table.Render();
}

// Copies the file at `path` to `out`. False if it cannot be opened.
bool CopyFile(const std::filesystem::path& path, std::ostream& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out << in.rdbuf();
  out.flush();
  return true;
}

}  // namespace

absl::StatusOr<api::JobState> ParseJobState(const std::string& name) {
  api::JobState state;
  if (api::JobState_Parse(absl::AsciiStrToUpper(name), &state)) return state;
  std::vector<std::string> names;
  for (int i = api::JobState_MIN; i <= api::JobState_MAX; ++i) {
    if (api::JobState_IsValid(i)) {
      names.push_back(absl::AsciiStrToLower(api::JobState_Name(static_cast<api::JobState>(i))));
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown job state \"", name, "\" (expected one of ", absl::StrJoin(names, ", "), ")"));
}

std::string JobStateName(api::JobState state) {
  return api::JobState_IsValid(state) ? api::JobState_Name(state) : absl::StrCat(state);
}

std::string RunStateName(api::JobRunState state) {
  if (!api::JobRunState_IsValid(state)) return absl::StrCat(state);
  std::string name = api::JobRunState_Name(state);
  for (const char* prefix : {"RUN_STATE_", "RUNS_STATE_"}) {
    if (absl::StartsWith(name, prefix)) return name.substr(std::string(prefix).size());
  }
  return name;
}

absl::StatusOr<std::vector<std::string>> JobSetJobIds(ArmadaClient& client,
                                                      const std::string& queue,
                                                      const std::string& job_set) {
  std::vector<std::string> ids;
  std::set<std::string> seen;
  RETURN_IF_ERROR(client.GetJobSetEvents(queue, job_set, /*watch=*/false,
                                         [&](const api::EventStreamMessage& message) {
                                           std::string id = EventJobId(message.message());
                                           if (!id.empty() && seen.insert(id).second)
                                             ids.push_back(std::move(id));
                                           return true;
                                         }));
  return ids;
}

absl::StatusOr<std::vector<api::JobDetails>> FetchJobDetails(ArmadaClient& client,
                                                             const std::vector<std::string>& ids,
                                                             bool expand_runs) {
  std::vector<api::JobDetails> jobs;
  for (size_t start = 0; start < ids.size(); start += kJobQueryBatchSize) {
    const size_t end = std::min(ids.size(), start + kJobQueryBatchSize);
    api::JobDetailsRequest request;
    for (size_t i = start; i < end; ++i) request.add_job_ids(ids[i]);
    request.set_expand_job_run(expand_runs);
    ASSIGN_OR_RETURN(api::JobDetailsResponse response, client.GetJobDetails(request));
    for (size_t i = start; i < end; ++i) {
      auto it = response.mutable_job_details()->find(ids[i]);
      if (it != response.mutable_job_details()->end()) jobs.push_back(std::move(it->second));
    }
  }
  return jobs;
}

std::string FormatJobsTable(const std::vector<api::JobDetails>& jobs) {
  Table table({"JOB ID", "STATE", "SUBMITTED", "LAST CHANGE", "RUNS", "EXECUTOR", "NODE"});
  for (const api::JobDetails& job : jobs) {
    const api::JobRunDetails* run = LatestRun(job);
    table.AddRow({job.job_id(), JobStateName(job.state()), FormatTimestamp(job.submitted_ts()),
                  FormatTimestamp(job.last_transition_ts()), absl::StrCat(job.job_runs_size()),
                  run == nullptr ? "" : run->cluster(), run == nullptr ? "" : run->node()});
  }
  return table.Render();
}

absl::Status RunGetJobs(ArmadaClient& client, const std::string& queue, const std::string& job_set,
                        const std::vector<std::string>& states, OutputFormat format,
                        std::ostream& out) {
  std::set<api::JobState> wanted;
  for (const std::string& name : states) {
    ASSIGN_OR_RETURN(const api::JobState state, ParseJobState(name));
    wanted.insert(state);
  }
  ASSIGN_OR_RETURN(const std::vector<std::string> ids, JobSetJobIds(client, queue, job_set));
  ASSIGN_OR_RETURN(std::vector<api::JobDetails> jobs,
                   FetchJobDetails(client, ids, /*expand_runs=*/true));
  if (!wanted.empty()) {
    jobs.erase(
        std::remove_if(jobs.begin(), jobs.end(),
                       [&](const api::JobDetails& job) { return wanted.count(job.state()) == 0; }),
        jobs.end());
  }
  if (format == OutputFormat::kTable) {
    out << (jobs.empty() ? "No jobs\n" : FormatJobsTable(jobs));
    return absl::OkStatus();
  }
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const api::JobDetails& job : jobs) list.push_back(MessageToJson(job));
  out << (format == OutputFormat::kJson ? JsonText(list) : JsonToYaml(list));
  return absl::OkStatus();
}

std::string FormatJobDetails(const api::JobDetails& job, const std::string& error) {
  Table fields({"Job:", job.job_id()});
  fields.AddRow({"Queue:", job.queue()});
  fields.AddRow({"Job set:", job.jobset()});
  fields.AddRow({"Namespace:", job.namespace_()});
  fields.AddRow({"State:", JobStateName(job.state())});
  fields.AddRow({"Submitted:", FormatTimestamp(job.submitted_ts())});
  fields.AddRow({"Last change:", FormatTimestamp(job.last_transition_ts())});
  if (!job.cancel_reason().empty() || !job.cancel_user().empty()) {
    fields.AddRow({"Cancelled:", absl::StrCat(FormatTimestamp(job.cancel_ts()), " by ",
                                              job.cancel_user().empty() ? "-" : job.cancel_user(),
                                              ": ", job.cancel_reason())});
  }
  if (!error.empty()) fields.AddRow({"Error:", error});
  std::string text = fields.Render();
  if (job.job_runs().empty()) return absl::StrCat(text, "Runs: none\n");
  absl::StrAppend(&text, "Runs:\n");
  for (absl::string_view line : absl::StrSplit(RunsTable(job), '\n', absl::SkipEmpty())) {
    absl::StrAppend(&text, "  ", line, "\n");
  }
  return text;
}

absl::Status RunGetJob(ArmadaClient& client, const std::string& job_id, OutputFormat format,
                       std::ostream& out) {
  ASSIGN_OR_RETURN(const std::vector<api::JobDetails> jobs,
                   FetchJobDetails(client, {job_id}, /*expand_runs=*/true));
  if (jobs.empty()) return absl::NotFoundError(absl::StrCat("job ", job_id, " not found"));
  api::JobErrorsRequest request;
  request.add_job_ids(job_id);
  ASSIGN_OR_RETURN(const api::JobErrorsResponse errors, client.GetJobErrors(request));
  auto it = errors.job_errors().find(job_id);
  const std::string error = it == errors.job_errors().end() ? "" : it->second;
  if (format == OutputFormat::kTable) {
    out << FormatJobDetails(jobs[0], error);
    return absl::OkStatus();
  }
  nlohmann::ordered_json json = MessageToJson(jobs[0]);
  json["error"] = error;
  out << (format == OutputFormat::kJson ? JsonText(json) : JsonToYaml(json));
  return absl::OkStatus();
}

namespace {

// The `since` flag as LogRequest fields: a duration back from now, or an RFC 3339 time.
absl::Status SetSince(const std::string& since, binoculars::LogRequest& request) {
  if (since.empty()) return absl::OkStatus();
  absl::Duration ago;
  if (absl::ParseDuration(since, &ago) && ago >= absl::ZeroDuration()) {
    request.mutable_log_options()->set_sinceseconds(
        std::max<int64_t>(1, absl::ToInt64Seconds(ago)));
    return absl::OkStatus();
  }
  absl::Time at;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, since, &at, &error)) {
    request.set_since_time(since);
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--since ", since, ": expected a duration (10m, 1h30m) or an RFC 3339 time"));
}

// A line's time (RFC 3339 with any number of fractional digits, so not comparable as text);
// the infinite past when it has none.
absl::Time LineTime(const binoculars::LogLine& line) {
  absl::Time at = absl::InfinitePast();
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, line.timestamp(), &at, &error)) {
    return absl::InfinitePast();
  }
  return at;
}

absl::StatusOr<binoculars::LogResponse> FetchLogs(ArmadaClient& client,
                                                  const binoculars::LogRequest& request) {
  ASSIGN_OR_RETURN(const std::string bytes,
                   client.CallRaw("/binoculars.Binoculars/Logs", request.SerializeAsString()));
  binoculars::LogResponse response;
  if (!response.ParseFromString(bytes)) {
    return absl::DataLossError("the server's LogResponse does not decode");
  }
  return response;
}

// True once the job is in a state it cannot leave (or unknown to the server).
absl::StatusOr<bool> JobEnded(ArmadaClient& client, const std::string& job_id) {
  api::JobStatusRequest request;
  request.add_job_ids(job_id);
  ASSIGN_OR_RETURN(const api::JobStatusResponse status, client.GetJobStatus(request));
  const auto it = status.job_states().find(job_id);
  if (it == status.job_states().end()) return true;
  switch (it->second) {
    case api::SUCCEEDED:
    case api::FAILED:
    case api::CANCELLED:
    case api::PREEMPTED:
    case api::REJECTED:
    case api::UNKNOWN:
      return true;
    default:
      return false;
  }
}

absl::Status LogsOverApi(ArmadaClient& client, const std::string& job_id,
                         const LogsOptions& options, std::ostream& out) {
  binoculars::LogRequest request;
  request.set_job_id(job_id);
  request.set_run_id(options.run_id);
  RETURN_IF_ERROR(SetSince(options.since, request));
  // Following, the tail is cut here from the first answer, so that later answers (the whole
  // log again, from executors that keep no line times) line up with what was printed.
  if (options.tail > 0 && !options.follow) {
    request.mutable_log_options()->set_taillines(options.tail);
  }
  size_t printed = 0;  // lines of the current answer already printed (executors without times)
  bool first = true;
  std::optional<absl::Time> last_time;  // of the last line printed, when lines have times
  while (true) {
    // Ask whether the job has ended before reading, so that the last read holds its last line.
    bool ended = true;
    if (options.follow) {
      ASSIGN_OR_RETURN(ended, JobEnded(client, job_id));
    }
    ASSIGN_OR_RETURN(const binoculars::LogResponse response, FetchLogs(client, request));
    size_t i = 0;
    if (last_time) {
      // Asked from the last line's time on: skip the lines already printed at that time.
      while (i < static_cast<size_t>(response.log_size()) &&
             LineTime(response.log(static_cast<int>(i))) <= *last_time) {
        ++i;
      }
    } else {
      i = std::min(printed, static_cast<size_t>(response.log_size()));
    }
    if (first && options.follow && options.tail > 0 && response.log_size() > options.tail) {
      i = static_cast<size_t>(response.log_size() - options.tail);
    }
    first = false;
    for (; i < static_cast<size_t>(response.log_size()); ++i) {
      const binoculars::LogLine& line = response.log(static_cast<int>(i));
      if (!line.timestamp().empty()) out << line.timestamp() << ' ';
      out << line.line() << '\n';
    }
    out.flush();
    printed = static_cast<size_t>(response.log_size());
    if (response.log_size() > 0 && !response.log(response.log_size() - 1).timestamp().empty()) {
      const binoculars::LogLine& last = response.log(response.log_size() - 1);
      last_time = LineTime(last);
      request.set_since_time(last.timestamp());
      request.mutable_log_options()->clear_sinceseconds();
    }
    if (ended) return absl::OkStatus();
    absl::SleepFor(options.follow_period);
  }
}

}  // namespace

absl::Status RunLogs(ArmadaClient& client, const std::string& job_id, const LogsOptions& options,
                     std::ostream& out, std::ostream& err) {
  if (options.log_dir.empty()) {
    absl::Status api_status = LogsOverApi(client, job_id, options, out);
    if (!absl::IsFailedPrecondition(api_status) || options.fallback_log_dir.empty()) {
      return api_status;
    }
    LogsOptions local = options;
    local.log_dir = options.fallback_log_dir;
    return RunLogs(client, job_id, local, out, err);
  }
  if (options.stream != "stdout" && options.stream != "stderr" && options.stream != "both") {
    return absl::InvalidArgumentError(
        absl::StrCat("--stream ", options.stream, ": expected stdout, stderr or both"));
  }
  ASSIGN_OR_RETURN(const std::vector<api::JobDetails> jobs,
                   FetchJobDetails(client, {job_id}, /*expand_runs=*/true));
  if (jobs.empty()) return absl::NotFoundError(absl::StrCat("job ", job_id, " not found"));
  const api::JobDetails& job = jobs[0];
  const api::JobRunDetails* run = nullptr;
  if (options.run_id.empty()) {
    run = LatestRun(job);
    if (run == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("job ", job_id, " has not run yet (state ", JobStateName(job.state()), ")"));
    }
  } else {
    for (const api::JobRunDetails& candidate : job.job_runs()) {
      if (candidate.run_id() == options.run_id) run = &candidate;
    }
    if (run == nullptr) {
      return absl::NotFoundError(absl::StrCat("job ", job_id, " has no run ", options.run_id));
    }
  }
  const std::filesystem::path dir = std::filesystem::path(options.log_dir) / run->run_id();
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return absl::NotFoundError(absl::StrCat(
        "no logs for run ", run->run_id(), " of job ", job_id, " in ", options.log_dir,
        ": the run was on executor ", run->cluster().empty() ? "-" : run->cluster(), ", node ",
        run->node().empty() ? "-" : run->node(),
        "; logs are readable only on that machine or through a shared filesystem, and the "
        "executor deletes them after its logRetention"));
  }
  if (options.stream != "stderr" && !CopyFile(dir / "stdout.log", out)) {
    return absl::NotFoundError(absl::StrCat((dir / "stdout.log").string(), ": cannot be read"));
  }
  if (options.stream != "stdout" && !CopyFile(dir / "stderr.log", err)) {
    return absl::NotFoundError(absl::StrCat((dir / "stderr.log").string(), ": cannot be read"));
  }
  return absl::OkStatus();
}

}  // namespace armada::cli
