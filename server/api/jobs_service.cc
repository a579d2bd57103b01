#include "server/api/jobs_service.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/store/job_query.h"
#include "server/api/grpc_status.h"
#include "server/jobs/job_events.h"
#include "spdlog/spdlog.h"

namespace armada::server {
namespace {

using model::JobState;
using model::RunState;

// Pool of queued jobs when no executor has reported, so none is known.
constexpr char kDefaultPool[] = "default";

absl::Status CheckIdCount(const char* field, int count) {
  if (count <= JobsService::kMaxQueryItems) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(field, ": at most ", JobsService::kMaxQueryItems,
                                                 " ids per request, got ", count));
}

template <typename Repeated>
std::vector<std::string> ToVector(const Repeated& ids) {
  return std::vector<std::string>(ids.begin(), ids.end());
}

api::JobState ToApi(std::optional<JobState> state) {
  if (!state) return api::UNKNOWN;
  switch (*state) {
    case JobState::kQueued:
      return api::QUEUED;
    case JobState::kLeased:
      return api::LEASED;
    case JobState::kPending:
      return api::PENDING;
    case JobState::kRunning:
      return api::RUNNING;
    case JobState::kSucceeded:
      return api::SUCCEEDED;
    case JobState::kFailed:
      return api::FAILED;
    case JobState::kCancelled:
      return api::CANCELLED;
    case JobState::kPreempted:
      return api::PREEMPTED;
    case JobState::kRejected:
      return api::REJECTED;
    default:
      return api::UNKNOWN;
  }
}

api::JobRunState ToApi(std::optional<RunState> state) {
  if (!state) return api::RUN_STATE_UNKNOWN;
  switch (*state) {
    case RunState::kLeased:
      return api::RUN_STATE_LEASED;
    case RunState::kPending:
      return api::RUN_STATE_PENDING;
    case RunState::kRunning:
      return api::RUN_STATE_RUNNING;
    case RunState::kSucceeded:
      return api::RUN_STATE_SUCCEEDED;
    case RunState::kFailed:
      return api::RUN_STATE_FAILED;
    case RunState::kCancelled:
      return api::RUN_STATE_CANCELLED;
    case RunState::kPreempted:
      return api::RUN_STATE_PREEMPTED;
    case RunState::kLeaseReturned:
      return api::RUNS_STATE_LEASE_RETURNED;
    case RunState::kLeaseExpired:
      return api::RUN_STATE_LEASE_EXPIRED;
    default:
      return api::RUN_STATE_UNKNOWN;
  }
}

api::JobRunDetails RunDetails(const store::RunView& run) {
  api::JobRunDetails details;
  details.set_run_id(run.run_id);
  details.set_job_id(run.job_id);
  details.set_state(ToApi(run.state));
  details.set_cluster(run.executor);
  details.set_node(run.node);
  SetTimestamp(details.mutable_leased_ts(), run.leased_at);
  if (run.pending_at) SetTimestamp(details.mutable_pending_ts(), *run.pending_at);
  if (run.running_at) SetTimestamp(details.mutable_started_ts(), *run.running_at);
  if (run.finished_at) SetTimestamp(details.mutable_finished_ts(), *run.finished_at);
  return details;
}

// The stored spec; a spec that does not decode (never written by this server)
// is logged and left empty rather than failing the whole reply.
api::Job DecodeSpec(const store::JobView& job) {
  api::Job spec;
  if (!spec.ParseFromString(job.spec)) {
    spdlog::warn("queue={} jobset={} job={} stored spec does not decode", job.queue, job.job_set,
                 job.job_id);
    spec.Clear();
  }
  return spec;
}

api::JobDetails Details(const store::JobView& job, const std::vector<const store::RunView*>& runs,
                        bool expand_spec, bool expand_runs) {
  api::JobDetails details;
  details.set_job_id(job.job_id);
  details.set_queue(job.queue);
  details.set_jobset(job.job_set);
  details.set_state(ToApi(job.state));
  SetTimestamp(details.mutable_submitted_ts(), job.submitted_at);
  SetTimestamp(details.mutable_last_transition_ts(), job.updated_at);
  // A cancel asked for while the job held a lease shows its reason and user at
  // once; its time is that of the job becoming cancelled.
  details.set_cancel_reason(job.cancel_reason);
  details.set_cancel_user(job.cancel_user);
  if (job.state == JobState::kCancelled) SetTimestamp(details.mutable_cancel_ts(), job.updated_at);
  if (!runs.empty()) details.set_latest_run_id(runs.back()->run_id);
  api::Job spec = DecodeSpec(job);
  details.set_namespace_(spec.namespace_());
  if (expand_spec) *details.mutable_job_spec() = std::move(spec);
  if (expand_runs) {
    for (const store::RunView* run : runs) *details.add_job_runs() = RunDetails(*run);
  }
  return details;
}

// The job's own error first, then those of its failed runs (oldest first) that
// say something more.
std::string ErrorText(const store::JobView& job, const std::vector<const store::RunView*>& runs) {
  std::vector<std::string> parts;
  if (!job.error.empty()) parts.push_back(job.error);
  for (const store::RunView* run : runs) {
    if (run->state != RunState::kFailed || run->error.empty()) continue;
    if (std::find(parts.begin(), parts.end(), run->error) == parts.end()) {
      parts.push_back(run->error);
    }
  }
  return absl::StrJoin(parts, "\n");
}

// Job id -> its runs, oldest first.
std::map<std::string, std::vector<const store::RunView*>> ByJob(
    const std::vector<store::RunView>& runs) {
  std::map<std::string, std::vector<const store::RunView*>> by_job;
  for (const auto& run : runs) by_job[run.job_id].push_back(&run);
  return by_job;
}

const std::vector<const store::RunView*>& RunsOf(
    const std::map<std::string, std::vector<const store::RunView*>>& by_job,
    const std::string& job_id) {
  static const std::vector<const store::RunView*> kNone;
  auto it = by_job.find(job_id);
  return it == by_job.end() ? kNone : it->second;
}

// The named jobs that exist, with their runs.
struct JobsWithRuns {
  std::map<std::string, store::JobView> jobs;
  std::vector<store::RunView> runs;
};

absl::StatusOr<JobsWithRuns> LoadJobsWithRuns(
    store::Database& db, const google::protobuf::RepeatedPtrField<std::string>& job_ids) {
  JobsWithRuns out;
  absl::Status status = db.Run([&](pqxx::work& tx) {
    const std::vector<std::string> ids(job_ids.begin(), job_ids.end());
    out.jobs = store::JobsById(tx, ids);
    out.runs = store::RunsOfJobs(tx, ids);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

// Whether the caller may see a queue's job specs and errors (the queue's
// watch verb or watch_all_events), asked once per queue per call.
class QueueVisibility {
 public:
  QueueVisibility(const CallerAuth& auth, const auth::Principal& caller)
      : auth_(auth), caller_(caller) {}
  bool operator()(const std::string& queue) {
    auto [it, inserted] = seen_.try_emplace(queue, false);
    if (inserted) {
      it->second = auth_
                       .CheckOnQueue(caller_, queue, auth::Permission::kWatchAllEvents,
                                     auth::QueueVerb::kWatch)
                       .ok();
    }
    return it->second;
  }

 private:
  const CallerAuth& auth_;
  const auth::Principal& caller_;
  std::map<std::string, bool> seen_;
};

}  // namespace

grpc::Status JobsService::GetJobStatus(grpc::ServerContext* context,
                                       const api::JobStatusRequest* request,
                                       api::JobStatusResponse* response) {
  if (auto caller = auth_.Authenticate(*context); !caller.ok()) {
    return ToGrpcStatus(caller.status());
  }
  if (auto s = CheckIdCount("job_ids", request->job_ids_size()); !s.ok()) return ToGrpcStatus(s);
  std::map<std::string, std::optional<JobState>> states;
  absl::Status status = db_.Run([&](pqxx::work& tx) {
    states = store::JobStates(tx, ToVector(request->job_ids()));
    return absl::OkStatus();
  });
  if (!status.ok()) return ToGrpcStatus(status);
  auto& out = *response->mutable_job_states();
  for (const auto& id : request->job_ids()) {
    auto it = states.find(id);
    out[id] = it == states.end() ? api::UNKNOWN : ToApi(it->second);
  }
  return grpc::Status::OK;
}

grpc::Status JobsService::GetJobStatusUsingExternalJobUri(
    grpc::ServerContext* context, const api::JobStatusUsingExternalJobUriRequest* request,
    api::JobStatusResponse* response) {
  if (auto caller = auth_.Authenticate(*context); !caller.ok()) {
    return ToGrpcStatus(caller.status());
  }
  for (const auto& [field, value] :
       {std::pair{"queue", &request->queue()}, std::pair{"jobset", &request->jobset()},
        std::pair{"external_job_uri", &request->external_job_uri()}}) {
    if (value->empty()) {
      return ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat(field, ": must not be empty")));
    }
  }
  std::map<std::string, store::JobView> found;
  absl::Status status = db_.Run([&](pqxx::work& tx) {
    found = store::JobsWithExternalUri(tx, request->queue(), request->jobset(),
                                       request->external_job_uri());
    return absl::OkStatus();
  });
  if (!status.ok()) return ToGrpcStatus(status);
  for (const auto& [id, job] : found) (*response->mutable_job_states())[id] = ToApi(job.state);
  return grpc::Status::OK;
}

grpc::Status JobsService::GetJobDetails(grpc::ServerContext* context,
                                        const api::JobDetailsRequest* request,
                                        api::JobDetailsResponse* response) {
  auto caller = auth_.Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (auto s = CheckIdCount("job_ids", request->job_ids_size()); !s.ok()) return ToGrpcStatus(s);
  auto loaded = LoadJobsWithRuns(db_, request->job_ids());
  if (!loaded.ok()) return ToGrpcStatus(loaded.status());
  const auto by_job = ByJob(loaded->runs);
  QueueVisibility visible(auth_, *caller);
  for (const auto& [id, job] : loaded->jobs) {
    if (!visible(job.queue)) continue;
    (*response->mutable_job_details())[id] =
        Details(job, RunsOf(by_job, id), request->expand_job_spec(), request->expand_job_run());
  }
  return grpc::Status::OK;
}

grpc::Status JobsService::GetJobErrors(grpc::ServerContext* context,
                                       const api::JobErrorsRequest* request,
                                       api::JobErrorsResponse* response) {
  auto caller = auth_.Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (auto s = CheckIdCount("job_ids", request->job_ids_size()); !s.ok()) return ToGrpcStatus(s);
  auto loaded = LoadJobsWithRuns(db_, request->job_ids());
  if (!loaded.ok()) return ToGrpcStatus(loaded.status());
  const auto by_job = ByJob(loaded->runs);
  QueueVisibility visible(auth_, *caller);
  for (const auto& [id, job] : loaded->jobs) {
    if (!visible(job.queue)) continue;
    (*response->mutable_job_errors())[id] = ErrorText(job, RunsOf(by_job, id));
  }
  return grpc::Status::OK;
}

grpc::Status JobsService::GetJobRunDetails(grpc::ServerContext* context,
                                           const api::JobRunDetailsRequest* request,
                                           api::JobRunDetailsResponse* response) {
  if (auto caller = auth_.Authenticate(*context); !caller.ok()) {
    return ToGrpcStatus(caller.status());
  }
  if (auto s = CheckIdCount("run_ids", request->run_ids_size()); !s.ok()) return ToGrpcStatus(s);
  std::map<std::string, store::RunView> runs;
  absl::Status status = db_.Run([&](pqxx::work& tx) {
    runs = store::RunsById(tx, ToVector(request->run_ids()));
    return absl::OkStatus();
  });
  if (!status.ok()) return ToGrpcStatus(status);
  for (const auto& id : request->run_ids()) {
    auto canonical = store::CanonicalRunId(id);
    if (!canonical) continue;
    auto it = runs.find(*canonical);
    if (it != runs.end()) (*response->mutable_job_run_details())[id] = RunDetails(it->second);
  }
  return grpc::Status::OK;
}

grpc::Status JobsService::GetActiveQueues(grpc::ServerContext* context,
                                          const api::GetActiveQueuesRequest*,
                                          api::GetActiveQueuesResponse* response) {
  if (auto caller = auth_.Authenticate(*context); !caller.ok()) {
    return ToGrpcStatus(caller.status());
  }
  std::map<std::string, std::set<std::string>> by_pool;
  absl::Status status = db_.Run([&](pqxx::work& tx) {
    by_pool = store::ActiveQueuesByPool(tx, kDefaultPool);
    return absl::OkStatus();
  });
  if (!status.ok()) return ToGrpcStatus(status);
  for (const auto& [pool, queues] : by_pool) {
    auto& active = (*response->mutable_active_queues_by_pool())[pool];
    for (const auto& queue : queues) active.add_queues(queue);
  }
  return grpc::Status::OK;
}

}  // namespace armada::server
