#include "cli/job_commands.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/event_printer.h"
#include "cli/output_format.h"
#include "lib/common/status_macros.h"

namespace armada::cli {
namespace {

// Prints the response of request `request` (whose first job is the file's job `first_index`),
// appending item errors to `failures`.
absl::Status PrintSubmitResponse(const api::JobSubmitRequest& request,
                                 const api::JobSubmitResponse& response, size_t first_index,
                                 std::vector<std::string>& failures, std::ostream& out) {
  for (int i = 0; i < response.job_response_items_size(); ++i) {
    const api::JobSubmitResponseItem& item = response.job_response_items(i);
    if (!item.error().empty()) {
      failures.push_back(absl::StrCat("jobs[", first_index + i, "]: ", item.error()));
      continue;
    }
    out << "Submitted job id: " << item.job_id() << " (job set: " << request.job_set_id() << ")\n";
  }
  if (response.job_response_items_size() != request.job_request_items_size()) {
    return absl::InternalError(absl::StrCat("the server answered ",
                                            response.job_response_items_size(), " items for ",
                                            request.job_request_items_size(), " submitted jobs"));
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<api::JobSubmitRequest> SplitSubmitRequests(const JobSubmitFile& file,
                                                       size_t batch_size) {
  batch_size = std::max<size_t>(batch_size, 1);
  std::vector<api::JobSubmitRequest> requests;
  for (size_t start = 0; start < file.jobs.size(); start += batch_size) {
    api::JobSubmitRequest& request = requests.emplace_back();
    request.set_queue(file.queue);
    request.set_job_set_id(file.job_set_id);
    const size_t end = std::min(file.jobs.size(), start + batch_size);
    for (size_t i = start; i < end; ++i) *request.add_job_request_items() = file.jobs[i];
  }
  return requests;
}

size_t SubmitProgressStep(size_t total) {
  const size_t step = std::max<size_t>(2000, (total + 19) / 20);
  return (step + kSubmitBatchSize - 1) / kSubmitBatchSize * kSubmitBatchSize;
}

absl::Status RunSubmit(ArmadaClient& client, const std::string& path, bool dry_run,
                       std::ostream& out, std::ostream& progress) {
  ASSIGN_OR_RETURN(const JobSubmitFile file, LoadJobFile(path));
  if (dry_run) {
    out << "Dry run: " << path << " is valid, would submit " << file.jobs.size()
        << " jobs to queue " << file.queue << ", job set " << file.job_set_id << "\n";
    return absl::OkStatus();
  }
  std::vector<std::string> failures;
  size_t first_index = 0;
  const size_t total = file.jobs.size();
  const bool report = total > kProgressThreshold;
  const size_t step = SubmitProgressStep(total);
  for (const api::JobSubmitRequest& request : SplitSubmitRequests(file)) {
    ASSIGN_OR_RETURN(const api::JobSubmitResponse response, client.SubmitJobs(request));
    RETURN_IF_ERROR(PrintSubmitResponse(request, response, first_index, failures, out));
    first_index += request.job_request_items_size();
    if (report && (first_index % step == 0 || first_index == total)) {
      out.flush();
      progress << "submitted " << first_index << "/" << total << " jobs" << std::endl;
    }
  }
  out.flush();
  if (!failures.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(failures.size(), " of ", file.jobs.size(),
                     " jobs were not submitted: ", absl::StrJoin(failures, "; ")));
  }
  return absl::OkStatus();
}

absl::Status RunCancelJob(ArmadaClient& client, const std::string& queue,
                          const std::string& job_set, const std::string& job_id,
                          std::ostream& out) {
  ASSIGN_OR_RETURN(const api::CancellationResult result, client.CancelJob(queue, job_set, job_id));
  if (result.cancelled_ids().empty()) {
    out << "Job " << job_id << " was not cancelled (unknown or already finished)\n";
  } else {
    out << "Requested cancellation for job " << absl::StrJoin(result.cancelled_ids(), ", ") << "\n";
  }
  return absl::OkStatus();
}

absl::Status RunCancelJobSet(ArmadaClient& client, const std::string& queue,
                             const std::string& job_set, std::ostream& out) {
  RETURN_IF_ERROR(client.CancelJobSet(queue, job_set));
  out << "Requested cancellation for job set " << job_set << " (queue " << queue << ")\n";
  return absl::OkStatus();
}

absl::Status RunPreemptJob(ArmadaClient& client, const std::string& queue,
                           const std::string& job_set, const std::string& job_id,
                           const std::string& reason, std::ostream& out) {
  api::JobPreemptRequest request;
  request.set_queue(queue);
  request.set_job_set_id(job_set);
  request.add_job_ids(job_id);
  request.set_reason(reason);
  ASSIGN_OR_RETURN(const api::PreemptionResult result, client.PreemptJobs(request));
  auto it = result.preemption_results().find(job_id);
  if (it != result.preemption_results().end() && !it->second.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("job ", job_id, ": ", it->second));
  }
  out << "Requested preemption for job " << job_id << "\n";
  return absl::OkStatus();
}

absl::Status RunReprioritize(ArmadaClient& client, const std::string& queue,
                             const std::string& job_set, const std::string& job_id, double priority,
                             std::ostream& out) {
  api::JobReprioritizeRequest request;
  request.set_queue(queue);
  request.set_job_set_id(job_set);
  if (!job_id.empty()) request.add_job_ids(job_id);
  request.set_new_priority(priority);
  ASSIGN_OR_RETURN(const api::JobReprioritizeResponse response, client.ReprioritizeJobs(request));
  const std::map<std::string, std::string> results(response.reprioritization_results().begin(),
                                                   response.reprioritization_results().end());
  std::vector<std::string> failures;
  for (const auto& [id, error] : results) {
    if (error.empty()) {
      out << "Reprioritized job " << id << " to " << FormatNumber(priority) << "\n";
    } else {
      failures.push_back(absl::StrCat(id, ": ", error));
    }
  }
  if (!failures.empty()) {
    return absl::FailedPreconditionError(absl::StrJoin(failures, "; "));
  }
  if (results.empty()) {
    out << (job_id.empty() ? absl::StrCat("No job of job set ", job_set, " was reprioritized")
                           : absl::StrCat("Job ", job_id, " was not reprioritized"))
        << "\n";
  }
  return absl::OkStatus();
}

absl::Status RunWatch(ArmadaClient& client, const std::string& queue, const std::string& job_set,
                      const WatchOptions& options, std::ostream& out) {
  JobSetTracker tracker;
  absl::Status print_status;
  bool finished = false;
  const absl::Status status = client.GetJobSetEvents(
      queue, job_set, /*watch=*/true, [&](const api::EventStreamMessage& message) {
        if (options.raw) {
          absl::StatusOr<std::string> json = FormatEventJson(message);
          if (!json.ok()) {
            print_status = json.status();
            return false;
          }
          out << *json << "\n";
        } else {
          out << FormatEvent(message) << "\n";
        }
        out.flush();
        tracker.Observe(message);
        if (options.live_summary != nullptr) {
          // Carriage return and erase-line: the line is redrawn in place.
          *options.live_summary << "\r\x1b[K" << tracker.StateCounts() << std::flush;
        }
        if (!options.exit_if_inactive) return true;
        finished = tracker.AllJobsFinished();
        return !finished;
      });
  if (options.live_summary != nullptr) *options.live_summary << "\n";
  RETURN_IF_ERROR(print_status);
  RETURN_IF_ERROR(status);
  if (finished) out << tracker.Summary(job_set) << "\n";
  return absl::OkStatus();
}

}  // namespace armada::cli
