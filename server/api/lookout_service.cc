#include "server/api/lookout_service.h"

#include <cmath>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "lib/store/job_query.h"
#include "lib/store/job_search.h"
#include "lib/store/queue_store.h"
#include "server/api/grpc_status.h"
#include "server/jobs/job_events.h"
#include "spdlog/spdlog.h"

#ifndef ARMADA_VERSION
#define ARMADA_VERSION "dev"
#endif

namespace armada::server {
namespace {

using google::protobuf::RepeatedPtrField;
using google::protobuf::Value;

// One filter value as text: strings as they are, whole numbers without a
// fraction ("1000", not "1000.0"), booleans as true/false.
absl::StatusOr<std::string> ValueText(const Value& value, const std::string& where) {
  switch (value.kind_case()) {
    case Value::kStringValue:
      return value.string_value();
    case Value::kNumberValue: {
      const double number = value.number_value();
      if (!std::isfinite(number)) {
        return absl::InvalidArgumentError(absl::StrCat(where, "value is not a finite number"));
      }
      if (number == std::floor(number) && std::fabs(number) < 9e15) {
        return absl::StrCat(static_cast<int64_t>(number));
      }
      return absl::StrCat(number);
    }
    case Value::kBoolValue:
      return std::string(value.bool_value() ? "true" : "false");
    default:
      return absl::InvalidArgumentError(absl::StrCat(where, "value must be a string or a number"));
  }
}

absl::StatusOr<store::JobSearchFilter> FilterOf(const lookout::Filter& filter, int index) {
  const std::string where = absl::StrCat("filters[", index, "]: ");
  auto match = store::ParseMatch(filter.match());
  if (!match.ok()) return absl::InvalidArgumentError(absl::StrCat(where, match.status().message()));
  store::JobSearchFilter out{filter.field(), filter.is_annotation(), *match, {}};
  if (*match == store::Match::kExists) return out;
  if (*match == store::Match::kAnyOf && filter.value().has_list_value()) {
    for (const Value& item : filter.value().list_value().values()) {
      auto text = ValueText(item, where);
      if (!text.ok()) return text.status();
      out.values.push_back(*std::move(text));
    }
    return out;
  }
  auto text = ValueText(filter.value(), where);
  if (!text.ok()) return text.status();
  out.values.push_back(*std::move(text));
  return out;
}

absl::StatusOr<store::JobOrder> OrderOf(const lookout::Order& order, store::JobOrder fallback) {
  if (order.field().empty()) return fallback;
  const std::string direction = absl::AsciiStrToUpper(order.direction());
  if (direction != "ASC" && direction != "DESC") {
    return absl::InvalidArgumentError(
        absl::StrCat("order.direction: \"", order.direction(), "\" is not ASC or DESC"));
  }
  return store::JobOrder{order.field(), direction == "DESC"};
}

absl::StatusOr<store::JobSearch> SearchOf(const RepeatedPtrField<lookout::Filter>& filters,
                                          bool active_job_sets, int skip, int take) {
  store::JobSearch search;
  for (int i = 0; i < filters.size(); ++i) {
    auto filter = FilterOf(filters[i], i);
    if (!filter.ok()) return filter.status();
    search.filters.push_back(*std::move(filter));
  }
  search.active_job_sets = active_job_sets;
  search.skip = skip;
  search.take = take == 0 ? LookoutService::kDefaultTake : take;
  return search;
}

std::string RunStateName(const std::optional<model::RunState>& state) {
  if (!state) return "RUN_UNKNOWN";
  return absl::StrCat("RUN_", absl::AsciiStrToUpper(std::string(model::RunStateName(*state))));
}

lookout::Run RunOf(const store::RunView& view) {
  lookout::Run run;
  run.set_run_id(view.run_id);
  run.set_cluster(view.executor);
  if (!view.node.empty()) run.set_node(view.node);
  SetTimestamp(run.mutable_leased(), view.leased_at);
  if (view.pending_at) SetTimestamp(run.mutable_pending(), *view.pending_at);
  if (view.running_at) SetTimestamp(run.mutable_started(), *view.running_at);
  if (view.finished_at) SetTimestamp(run.mutable_finished(), *view.finished_at);
  run.set_job_run_state(RunStateName(view.state));
  if (view.exit_code) run.set_exit_code(*view.exit_code);
  if (!view.pool.empty()) run.set_pool(view.pool);
  run.set_error(view.error);
  return run;
}

lookout::Job JobOf(const store::FoundJob& found, absl::Time now) {
  lookout::Job job;
  job.set_job_id(found.job_id);
  job.set_queue(found.queue);
  job.set_owner(found.owner);
  if (!found.namespace_name.empty()) job.set_namespace_(found.namespace_name);
  job.set_job_set(found.job_set);
  job.set_cpu(static_cast<double>(found.requests.Get("cpu")));
  job.set_memory(static_cast<double>(found.requests.Get("memory")) / 1000);
  job.set_ephemeral_storage(static_cast<double>(found.requests.Get("ephemeral-storage")) / 1000);
  job.set_gpu(static_cast<double>(found.requests.Get("nvidia.com/gpu")) / 1000);
  job.set_priority(static_cast<double>(found.priority));
  if (!found.priority_class.empty()) job.set_priority_class(found.priority_class);
  SetTimestamp(job.mutable_submitted(), found.submitted_at);
  job.set_state(found.state ? store::LookoutStateName(*found.state) : "UNKNOWN");
  if (found.state == model::JobState::kCancelled) {
    SetTimestamp(job.mutable_cancelled(), found.updated_at);
  }
  SetTimestamp(job.mutable_last_transition_time(), found.updated_at);
  job.mutable_annotations()->insert(found.annotations.begin(), found.annotations.end());
  if (!found.cancel_reason.empty()) job.set_cancel_reason(found.cancel_reason);
  if (!found.cancel_user.empty()) job.set_cancel_user(found.cancel_user);
  for (const store::RunView& run : found.runs) *job.add_runs() = RunOf(run);
  if (!found.runs.empty()) {
    const store::RunView& latest = found.runs.back();
    job.set_last_active_run_id(latest.run_id);
    if (!latest.node.empty()) job.set_node(latest.node);
    job.set_cluster(latest.executor);
    if (!latest.pool.empty()) job.set_pool(latest.pool);
    if (latest.exit_code) job.set_exit_code(*latest.exit_code);
    if (latest.running_at) {
      const absl::Time end = latest.finished_at.value_or(now);
      job.set_runtime_seconds(static_cast<int32_t>(
          std::max<int64_t>(0, absl::ToInt64Seconds(end - *latest.running_at))));
    }
  }
  return job;
}

bool Visible(const std::optional<std::vector<std::string>>& queues, const std::string& queue) {
  return !queues || std::find(queues->begin(), queues->end(), queue) != queues->end();
}

}  // namespace

absl::StatusOr<std::optional<std::vector<std::string>>> LookoutService::VisibleQueues(
    const auth::Principal& caller) const {
  if (auth_.policy().Has(caller, auth::Permission::kWatchAllEvents)) {
    return std::optional<std::vector<std::string>>();
  }
  std::vector<std::string> queues;
  absl::Status status = db_.Run([&](pqxx::work& tx) {
    queues.clear();
    for (const store::QueueRecord& record : store::ListQueues(tx)) {
      api::Queue queue;
      if (!queue.ParseFromString(record.definition)) continue;
      if (auth_.policy().HasOnQueue(caller, QueueAccessOf(queue), auth::QueueVerb::kWatch)) {
        queues.push_back(record.name);
      }
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return std::optional<std::vector<std::string>>(std::move(queues));
}

grpc::Status LookoutService::GetJobs(grpc::ServerContext* context,
                                     const lookout::GetJobsRequest* request,
                                     lookout::GetJobsResponse* response) {
  auto caller = auth_.Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto search =
      SearchOf(request->filters(), request->active_job_sets(), request->skip(), request->take());
  if (!search.ok()) return ToGrpcStatus(search.status());
  auto order = OrderOf(request->order(), store::JobOrder{});
  if (!order.ok()) return ToGrpcStatus(order.status());
  search->order = *order;
  auto queues = VisibleQueues(*caller);
  if (!queues.ok()) return ToGrpcStatus(queues.status());
  search->queues = *queues;
  auto query = store::BuildJobSearch(*search);
  if (!query.ok()) return ToGrpcStatus(query.status());
  std::vector<store::FoundJob> jobs;
  absl::Status status = db_.Run([&](pqxx::work& tx) {
    jobs = store::SearchJobs(tx, *query);
    return absl::OkStatus();
  });
  if (!status.ok()) return ToGrpcStatus(status);
  const absl::Time now = absl::Now();
  for (const store::FoundJob& job : jobs) *response->add_jobs() = JobOf(job, now);
  return grpc::Status::OK;
}

grpc::Status LookoutService::GroupJobs(grpc::ServerContext* context,
                                       const lookout::GroupJobsRequest* request,
                                       lookout::GroupJobsResponse* response) {
  auto caller = auth_.Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  store::GroupSearch groups;
  auto search =
      SearchOf(request->filters(), request->active_job_sets(), request->skip(), request->take());
  if (!search.ok()) return ToGrpcStatus(search.status());
  groups.jobs = *std::move(search);
  auto order = OrderOf(request->order(), groups.order);
  if (!order.ok()) return ToGrpcStatus(order.status());
  groups.order = *order;
  groups.group_field = request->grouped_field().field();
  groups.group_by_annotation = request->grouped_field().is_annotation();
  const std::string& transition = request->grouped_field().last_transition_time_aggregate();
  if (transition == "earliest") {
    groups.last_transition = store::GroupSearch::Transition::kEarliest;
  } else if (transition == "average") {
    groups.last_transition = store::GroupSearch::Transition::kAverage;
  } else if (!transition.empty() && transition != "latest") {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("groupedField.lastTransitionTimeAggregate: \"", transition,
                     "\" is not latest, earliest or average")));
  }
  groups.aggregates.assign(request->aggregates().begin(), request->aggregates().end());
  auto queues = VisibleQueues(*caller);
  if (!queues.ok()) return ToGrpcStatus(queues.status());
  groups.jobs.queues = *queues;
  auto query = store::BuildJobGroups(groups);
  if (!query.ok()) return ToGrpcStatus(query.status());
  std::vector<store::JobGroup> found;
  absl::Status status = db_.Run([&](pqxx::work& tx) {
    found = store::GroupJobs(tx, *query);
    return absl::OkStatus();
  });
  if (!status.ok()) return ToGrpcStatus(status);
  for (const store::JobGroup& group : found) {
    lookout::Group& out = *response->add_groups();
    out.set_name(group.name);
    out.set_count(static_cast<int32_t>(group.count));
    auto& aggregates = *out.mutable_aggregates();
    if (!group.state_counts.empty()) {
      auto& states = *aggregates["state"].mutable_struct_value()->mutable_fields();
      for (const auto& [state, count] : group.state_counts) {
        if (count > 0) states[store::LookoutStateName(state)].set_number_value(count);
      }
    }
    if (group.submitted) {
      aggregates["submitted"].set_string_value(
          absl::FormatTime(absl::RFC3339_full, *group.submitted, absl::UTCTimeZone()));
    }
    if (group.last_transition) {
      aggregates["lastTransitionTime"].set_string_value(
          absl::FormatTime(absl::RFC3339_full, *group.last_transition, absl::UTCTimeZone()));
    }
  }
  return grpc::Status::OK;
}

namespace {

// The run `run_id` if `caller` may watch its job's queue; NOT_FOUND otherwise.
absl::StatusOr<store::RunView> VisibleRun(store::Database& db, const CallerAuth& auth,
                                          const auth::Principal& caller,
                                          const std::string& run_id) {
  if (run_id.empty()) return absl::InvalidArgumentError("runId: must not be empty");
  std::map<std::string, store::RunView> runs;
  absl::Status status = db.Run([&](pqxx::work& tx) {
    runs = store::RunsById(tx, {run_id});
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  auto canonical = store::CanonicalRunId(run_id);
  auto it = canonical ? runs.find(*canonical) : runs.end();
  if (it == runs.end()) return absl::NotFoundError(absl::StrCat("run ", run_id, " not found"));
  auto job = auth.VisibleJob(caller, it->second.job_id);
  if (!job.ok()) return absl::NotFoundError(absl::StrCat("run ", run_id, " not found"));
  return std::move(it->second);
}

}  // namespace

grpc::Status LookoutService::GetJobSpec(grpc::ServerContext* context,
                                        const lookout::GetJobSpecRequest* request,
                                        lookout::GetJobSpecResponse* response) {
  auto caller = auth_.Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto job = auth_.VisibleJob(*caller, request->job_id());
  if (!job.ok()) return ToGrpcStatus(job.status());
  if (!response->mutable_job()->ParseFromString(job->spec)) {
    spdlog::warn("queue={} jobset={} job={} stored spec does not decode", job->queue, job->job_set,
                 job->job_id);
    return ToGrpcStatus(absl::DataLossError(
        absl::StrCat("the stored spec of job ", job->job_id, " does not decode")));
  }
  return grpc::Status::OK;
}

grpc::Status LookoutService::GetJobError(grpc::ServerContext* context,
                                         const lookout::GetJobErrorRequest* request,
                                         lookout::ErrorStringResponse* response) {
  auto caller = auth_.Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto job = auth_.VisibleJob(*caller, request->job_id());
  if (!job.ok()) return ToGrpcStatus(job.status());
  if (!job->error.empty()) {
    response->set_error_string(job->error);
    return grpc::Status::OK;
  }
  std::vector<store::RunView> runs;
  absl::Status status = db_.Run([&](pqxx::work& tx) {
    runs = store::RunsOfJobs(tx, {job->job_id});
    return absl::OkStatus();
  });
  if (!status.ok()) return ToGrpcStatus(status);
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    if (it->state == model::RunState::kFailed && !it->error.empty()) {
      response->set_error_string(it->error);
      break;
    }
  }
  return grpc::Status::OK;
}

grpc::Status LookoutService::GetJobRunError(grpc::ServerContext* context,
                                            const lookout::GetJobRunErrorRequest* request,
                                            lookout::ErrorStringResponse* response) {
  auto caller = auth_.Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto run = VisibleRun(db_, auth_, *caller, request->run_id());
  if (!run.ok()) return ToGrpcStatus(run.status());
  response->set_error_string(run->error);
  return grpc::Status::OK;
}

grpc::Status LookoutService::GetJobRunDebugMessage(
    grpc::ServerContext* context, const lookout::GetJobRunDebugMessageRequest* request,
    lookout::ErrorStringResponse* response) {
  auto caller = auth_.Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto run = VisibleRun(db_, auth_, *caller, request->run_id());
  if (!run.ok()) return ToGrpcStatus(run.status());
  response->set_error_string(run->error);
  return grpc::Status::OK;
}

grpc::Status LookoutService::GetJobEvents(grpc::ServerContext* context,
                                          const lookout::GetJobEventsRequest* request,
                                          lookout::GetJobEventsResponse* response) {
  auto caller = auth_.Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto job = auth_.VisibleJob(*caller, request->job_id());
  if (!job.ok()) return ToGrpcStatus(job.status());
  std::vector<std::string> messages;
  absl::Status status = db_.Run([&](pqxx::work& tx) {
    messages = store::EventMessagesOfJob(tx, job->job_id, kMaxEvents);
    return absl::OkStatus();
  });
  if (!status.ok()) return ToGrpcStatus(status);
  for (const std::string& message : messages) {
    api::EventMessage event;
    if (!event.ParseFromString(message)) {
      spdlog::warn("queue={} jobset={} job={} a logged event does not decode", job->queue,
                   job->job_set, job->job_id);
      continue;
    }
    *response->add_events() = std::move(event);
  }
  return grpc::Status::OK;
}

grpc::Status LookoutService::GetQueueStats(grpc::ServerContext* context,
                                           const lookout::GetQueueStatsRequest*,
                                           lookout::GetQueueStatsResponse* response) {
  auto caller = auth_.Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  auto visible = VisibleQueues(*caller);
  if (!visible.ok()) return ToGrpcStatus(visible.status());
  std::vector<store::QueueRecord> queues;
  std::vector<store::ActiveJobCount> counts;
  absl::Status status = db_.Run([&](pqxx::work& tx) {
    queues = store::ListQueues(tx);
    counts = store::ActiveJobCounts(tx);
    return absl::OkStatus();
  });
  if (!status.ok()) return ToGrpcStatus(status);
  auto shares = reports_.LatestShares();
  if (!shares.ok() && !absl::IsNotFound(shares.status())) return ToGrpcStatus(shares.status());

  std::map<std::string, lookout::QueueStats*> by_name;
  for (const store::QueueRecord& record : queues) {
    if (!Visible(*visible, record.name)) continue;
    lookout::QueueStats& stats = *response->add_queues();
    stats.set_name(record.name);
    stats.set_weight(record.priority_factor > 0 ? 1 / record.priority_factor : 0);
    stats.set_cordoned(record.cordoned);
    by_name[record.name] = &stats;
  }
  if (shares.ok()) {
    for (const scheduling::QueueShare& share : *shares) {
      auto it = by_name.find(share.queue);
      if (it == by_name.end()) continue;
      lookout::PoolShare& pool = *it->second->add_pools();
      pool.set_pool(share.pool);
      pool.set_fair_share(share.fair_share);
      pool.set_adjusted_fair_share(share.adjusted_fair_share);
      pool.set_actual_share(share.actual_share);
      pool.set_decayed_usage(share.decayed_usage);
    }
  }
  std::map<std::pair<std::string, std::string>, lookout::PriorityClassCounts*> classes;
  for (const store::ActiveJobCount& count : counts) {
    auto it = by_name.find(count.queue);
    if (it == by_name.end()) continue;
    auto& slot = classes[{count.queue, count.priority_class}];
    if (slot == nullptr) {
      slot = it->second->add_priority_classes();
      slot->set_priority_class(count.priority_class);
    }
    const auto n = static_cast<int32_t>(count.count);
    switch (count.state) {
      case model::JobState::kQueued:
        slot->set_queued(n);
        break;
      case model::JobState::kLeased:
        slot->set_leased(n);
        break;
      case model::JobState::kPending:
        slot->set_pending(n);
        break;
      case model::JobState::kRunning:
        slot->set_running(n);
        break;
      default:
        break;
    }
  }
  return grpc::Status::OK;
}

grpc::Status LookoutService::GetVersion(grpc::ServerContext* context,
                                        const lookout::GetVersionRequest*,
                                        lookout::VersionInfo* response) {
  auto caller = auth_.Authenticate(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  response->set_version(ARMADA_VERSION);
  response->set_commit("unknown");
  response->set_build_time("unknown");  // builds are reproducible: no clock in the binary
  return grpc::Status::OK;
}

}  // namespace armada::server
