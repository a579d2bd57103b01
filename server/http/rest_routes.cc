#include "server/http/rest_routes.h"

#include <google/protobuf/descriptor.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "binoculars/binoculars.pb.h"
#include "lookout/lookout.pb.h"

namespace armada::server {

const std::vector<RestRoute>& ArmadaRestRoutes() {
  // Nothing else in the HTTP part names a Lookout or Binoculars message; these
  // references link their descriptors into every binary that serves the routes.
  static const auto* const kLookoutLinked = lookout::GetJobsRequest::descriptor();
  static const auto* const kBinocularsLinked = binoculars::LogRequest::descriptor();
  (void)kLookoutLinked;
  (void)kBinocularsLinked;
  static const std::vector<RestRoute> routes = {
      {"POST", "/v1/job/submit", "/api.Submit/SubmitJobs", "api.JobSubmitRequest",
       "api.JobSubmitResponse", "*"},
      {"POST", "/v1/job/cancel", "/api.Submit/CancelJobs", "api.JobCancelRequest",
       "api.CancellationResult", "*"},
      {"POST", "/v1/jobset/cancel", "/api.Submit/CancelJobSet", "api.JobSetCancelRequest",
       "google.protobuf.Empty", "*"},
      {"POST", "/v1/job/reprioritize", "/api.Submit/ReprioritizeJobs", "api.JobReprioritizeRequest",
       "api.JobReprioritizeResponse", "*"},
      {"POST", "/v1/job/preempt", "/api.Submit/PreemptJobs", "api.JobPreemptRequest",
       "api.PreemptionResult", "*"},
      {"POST", "/v1/queue", "/api.Submit/CreateQueue", "api.Queue", "google.protobuf.Empty", "*"},
      {"POST", "/v1/batched/create_queues", "/api.Submit/CreateQueues", "api.QueueList",
       "api.BatchQueueCreateResponse", "*"},
      {"PUT", "/v1/queue/{name}", "/api.Submit/UpdateQueue", "api.Queue", "google.protobuf.Empty",
       "*"},
      {"PUT", "/v1/batched/update_queues", "/api.Submit/UpdateQueues", "api.QueueList",
       "api.BatchQueueUpdateResponse", "*"},
      {"DELETE", "/v1/queue/{name}", "/api.Submit/DeleteQueue", "api.QueueDeleteRequest",
       "google.protobuf.Empty", ""},
      {"GET", "/v1/queue/{name}", "/api.Submit/GetQueue", "api.QueueGetRequest", "api.Queue", ""},
      {"GET", "/v1/batched/queues", "/api.Submit/GetQueues", "api.StreamingQueueGetRequest",
       "api.StreamingQueueMessage", ""},
      {"POST", "/v1/job-set/{queue}/{id}", "/api.Event/GetJobSetEvents", "api.JobSetRequest",
       "api.EventStreamMessage", "*"},
      {"POST", "/v1/job/status", "/api.Jobs/GetJobStatus", "api.JobStatusRequest",
       "api.JobStatusResponse", "*"},
      {"POST", "/v1/job/statusUsingExternalJobUri", "/api.Jobs/GetJobStatusUsingExternalJobUri",
       "api.JobStatusUsingExternalJobUriRequest", "api.JobStatusResponse", "*"},
      {"POST", "/v1/job/details", "/api.Jobs/GetJobDetails", "api.JobDetailsRequest",
       "api.JobDetailsResponse", "*"},
      {"POST", "/v1/job/errors", "/api.Jobs/GetJobErrors", "api.JobErrorsRequest",
       "api.JobErrorsResponse", "*"},
      {"POST", "/v1/run/details", "/api.Jobs/GetJobRunDetails", "api.JobRunDetailsRequest",
       "api.JobRunDetailsResponse", "*"},
      {"POST", "/v1/queues/active", "/api.Jobs/GetActiveQueues", "api.GetActiveQueuesRequest",
       "api.GetActiveQueuesResponse", "*"},
      {"GET", "/v1/scheduling-report", "/schedulerobjects.SchedulerReporting/GetSchedulingReport",
       "schedulerobjects.SchedulingReportRequest", "schedulerobjects.SchedulingReport", ""},
      {"GET", "/v1/queue/{queue_name}/scheduler-report",
       "/schedulerobjects.SchedulerReporting/GetQueueReport", "schedulerobjects.QueueReportRequest",
       "schedulerobjects.QueueReport", ""},
      {"GET", "/v1/job/{job_id}/scheduler-report",
       "/schedulerobjects.SchedulerReporting/GetJobReport", "schedulerobjects.JobReportRequest",
       "schedulerobjects.JobReport", ""},
      // Lookout v2 (Armada's internal/lookout/swagger.yaml), then our additions.
      {"POST", "/api/v1/jobs", "/lookout.Lookout/GetJobs", "lookout.GetJobsRequest",
       "lookout.GetJobsResponse", "*"},
      {"POST", "/api/v1/jobGroups", "/lookout.Lookout/GroupJobs", "lookout.GroupJobsRequest",
       "lookout.GroupJobsResponse", "*"},
      {"POST", "/api/v1/jobSpec", "/lookout.Lookout/GetJobSpec", "lookout.GetJobSpecRequest",
       "lookout.GetJobSpecResponse", "*"},
      {"POST", "/api/v1/jobError", "/lookout.Lookout/GetJobError", "lookout.GetJobErrorRequest",
       "lookout.ErrorStringResponse", "*"},
      {"POST", "/api/v1/jobRunError", "/lookout.Lookout/GetJobRunError",
       "lookout.GetJobRunErrorRequest", "lookout.ErrorStringResponse", "*"},
      {"POST", "/api/v1/jobRunDebugMessage", "/lookout.Lookout/GetJobRunDebugMessage",
       "lookout.GetJobRunDebugMessageRequest", "lookout.ErrorStringResponse", "*"},
      {"GET", "/api/v1/version", "/lookout.Lookout/GetVersion", "lookout.GetVersionRequest",
       "lookout.VersionInfo", ""},
      {"POST", "/api/v1/jobEvents", "/lookout.Lookout/GetJobEvents", "lookout.GetJobEventsRequest",
       "lookout.GetJobEventsResponse", "*"},
      {"POST", "/api/v1/queueStats", "/lookout.Lookout/GetQueueStats",
       "lookout.GetQueueStatsRequest", "lookout.GetQueueStatsResponse", "*"},
      // Binoculars (Armada's binoculars.proto).
      {"POST", "/v1/binoculars/log", "/binoculars.Binoculars/Logs", "binoculars.LogRequest",
       "binoculars.LogResponse", "*"},
      {"POST", "/v1/binoculars/cordon", "/binoculars.Binoculars/Cordon", "binoculars.CordonRequest",
       "google.protobuf.Empty", "*"},
  };
  return routes;
}

absl::StatusOr<ResolvedRoute> ResolveRoute(const RestRoute& route) {
  // absl::string_view is not std::string_view here: work on std::strings.
  const std::string path(route.path), method_name(route.method);
  const std::string where = absl::StrCat(std::string(route.verb), " ", path, ": ");
  // "/api.Submit/SubmitJobs" -> "api.Submit.SubmitJobs"
  std::vector<std::string> parts = absl::StrSplit(method_name.substr(1), '/');
  if (method_name.empty() || parts.size() != 2) {
    return absl::InvalidArgumentError(where + "malformed method name");
  }
  const auto* method = google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
      absl::StrCat(parts[0], ".", parts[1]));
  if (method == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(where, method_name, " is not linked in"));
  }
  if (method->input_type()->full_name() != route.request_type ||
      method->output_type()->full_name() != route.response_type) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "message types differ from ", method->full_name(), "'s"));
  }
  ResolvedRoute resolved{route, method, {}, ""};
  const std::vector<std::string> segments = absl::StrSplit(path.substr(1), '/');
  for (const std::string& segment : segments) {
    if (segment.size() > 2 && segment.front() == '{' && segment.back() == '}') {
      std::string field = segment.substr(1, segment.size() - 2);
      const auto* descriptor = method->input_type()->FindFieldByName(field);
      if (descriptor == nullptr || descriptor->is_repeated() ||
          descriptor->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, "{", field, "} is not a string field of ", std::string(route.request_type)));
      }
      resolved.path_fields.push_back(field);
      absl::StrAppend(&resolved.path_regex, "/([^/]+)");
    } else {
      absl::StrAppend(&resolved.path_regex, "/", segment);  // literal: letters, digits, - and _
    }
  }
  return resolved;
}

}  // namespace armada::server
