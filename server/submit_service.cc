#include "server/submit_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "lib/common/ids.h"
#include "lib/model/resource_quantity.h"
#include "lib/store/job_store.h"
#include "lib/store/queue_store.h"
#include "server/grpc_status.h"
#include "server/job_events.h"
#include "server/scheduling_conversion.h"
#include "spdlog/spdlog.h"

// Armada marks pod_spec and required_node_labels deprecated but still accepts
// them, and so do we.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace armada::server {
namespace {

// Jobs are submitted without authentication for now.
constexpr char kAnonymous[] = "anonymous";
constexpr char kExternalJobUriAnnotation[] = "armadaproject.io/externalJobUri";

using k8s::io::api::core::v1::PodSpec;

model::SubmitItemView ViewOf(const api::JobSubmitRequestItem& item) {
  model::SubmitItemView view;
  view.priority = item.priority();
  view.namespace_name = item.namespace_();
  view.client_id = item.client_id();
  view.pod_spec_count = (item.has_pod_spec() ? 1 : 0) + item.pod_specs_size();
  const PodSpec* pod = item.has_pod_spec()         ? &item.pod_spec()
                       : item.pod_specs_size() > 0 ? &item.pod_specs(0)
                                                   : nullptr;
  if (pod == nullptr) return view;
  view.priority_class_name = pod->priorityclassname();
  if (pod->has_terminationgraceperiodseconds()) {
    view.termination_grace_seconds = pod->terminationgraceperiodseconds();
  }
  for (const auto& c : pod->containers()) {
    model::ContainerView container;
    container.name = c.name();
    container.command.assign(c.command().begin(), c.command().end());
    container.command.insert(container.command.end(), c.args().begin(), c.args().end());
    for (const auto& [name, quantity] : c.resources().requests()) {
      container.requests[name] = quantity.string();
    }
    for (const auto& [name, quantity] : c.resources().limits()) {
      container.limits[name] = quantity.string();
    }
    view.containers.push_back(std::move(container));
  }
  return view;
}

// The stored job: the item as submitted, with defaults written into it.
api::Job MakeJob(const api::JobSubmitRequestItem& item, const model::ValidatedItem& valid,
                 const std::string& job_id, const api::JobSubmitRequest& request, absl::Time now) {
  api::Job job;
  job.set_id(job_id);
  job.set_client_id(item.client_id());
  job.set_job_set_id(request.job_set_id());
  job.set_queue(request.queue());
  job.set_namespace_(valid.namespace_name);
  *job.mutable_labels() = item.labels();
  *job.mutable_annotations() = item.annotations();
  // Armada keeps the external job URI as this annotation; the item's field,
  // when set, wins over an annotation of the same name.
  if (!item.external_job_uri().empty()) {
    (*job.mutable_annotations())[kExternalJobUriAnnotation] = item.external_job_uri();
  }
  *job.mutable_required_node_labels() = item.required_node_labels();
  job.set_owner(kAnonymous);
  job.set_priority(valid.priority);
  PodSpec* pod = job.add_pod_specs();
  *pod = item.has_pod_spec() ? item.pod_spec() : item.pod_specs(0);
  pod->set_priorityclassname(valid.priority_class_name);
  pod->set_terminationgraceperiodseconds(valid.termination_grace_seconds);
  auto* requirements = job.mutable_scheduling_resource_requirements();
  for (const auto& [name, milli] : valid.requests.entries()) {
    std::string text = model::FormatQuantity(milli);
    (*requirements->mutable_requests())[name].set_string(text);
    (*requirements->mutable_limits())[name].set_string(text);
  }
  SetTimestamp(job.mutable_created(), now);
  *job.mutable_ingress() = item.ingress();
  *job.mutable_services() = item.services();
  job.set_scheduler(item.scheduler());
  return job;
}

}  // namespace

grpc::Status SubmitService::SubmitJobs(grpc::ServerContext*, const api::JobSubmitRequest* request,
                                       api::JobSubmitResponse* response) {
  const auto& items = request->job_request_items();
  if (absl::Status s = model::ValidateSubmitRequest(request->queue(), request->job_set_id(),
                                                    items.size(), config_);
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  const absl::Time now = clock_.Now();
  std::vector<store::NewJob> jobs;
  std::vector<api::Job> specs;
  jobs.reserve(items.size());
  specs.reserve(items.size());
  for (int i = 0; i < items.size(); ++i) {
    auto valid = model::ValidateSubmitItem(i, ViewOf(items[i]), config_);
    if (!valid.ok()) return ToGrpcStatus(valid.status());
    api::Job job = MakeJob(items[i], *valid, common::NewJobId(), *request, now);
    const auto& pod = job.pod_specs(0);
    jobs.push_back(store::NewJob{job.id(), job.queue(), job.job_set_id(), job.client_id(),
                                 job.owner(), valid->priority, valid->requests, NodeSelectorOf(job),
                                 valid->priority_class_name, TolerationsOf(pod),
                                 NodeAffinityOf(pod), job.SerializeAsString(), now});
    specs.push_back(std::move(job));
  }

  std::vector<store::InsertedJob> inserted;
  absl::Status status = db_.Run([&](pqxx::work& tx) -> absl::Status {
    if (auto queue = store::GetQueue(tx, request->queue()); !queue.ok()) {
      return absl::NotFoundError(
          absl::StrCat("queue ", request->queue(), " does not exist; create it first"));
    }
    auto result = store::InsertJobs(tx, jobs);
    if (!result.ok()) return result.status();
    inserted = std::move(*result);
    std::vector<store::EventRecord> events;
    for (size_t i = 0; i < specs.size(); ++i) {
      if (!inserted[i].created) continue;
      EventSubject subject{specs[i].id(), specs[i].queue(), specs[i].job_set_id()};
      events.push_back(ToRecord(subject, SubmittedEvent(specs[i], now)));
      events.push_back(ToRecord(subject, QueuedEvent(subject, now)));
    }
    store::AppendEvents(tx, events);
    return absl::OkStatus();
  });
  if (!status.ok()) return ToGrpcStatus(status);

  int created = 0;
  for (const auto& job : inserted) {
    response->add_job_response_items()->set_job_id(job.job_id);
    created += job.created ? 1 : 0;
  }
  spdlog::info("submitted queue={} jobset={} jobs={} duplicates={}", request->queue(),
               request->job_set_id(), created, inserted.size() - created);
  return grpc::Status::OK;
}

absl::StatusOr<std::vector<std::string>> SubmitService::Cancel(
    const std::function<std::vector<store::JobRecord>(pqxx::work&)>& select,
    const std::vector<model::JobState>& states, const std::string& reason) {
  std::vector<std::string> cancelled;
  const absl::Time now = clock_.Now();
  absl::Status status = db_.Run([&](pqxx::work& tx) -> absl::Status {
    cancelled.clear();
    std::vector<store::EventRecord> events;
    for (const store::JobRecord& job : select(tx)) {
      if (model::IsTerminal(job.state)) continue;
      if (!states.empty() && std::find(states.begin(), states.end(), job.state) == states.end()) {
        continue;
      }
      // The executor learns of it on its next lease exchange: its run is no
      // longer active, so it is told to stop it.
      for (const store::RunRecord& run : store::LockActiveRunsOfJob(tx, job.job_id)) {
        store::SetRunState(tx, run.run_id, model::RunState::kCancelled, now);
      }
      store::MarkJobCancelled(tx, job.job_id, reason, kAnonymous);
      EventSubject subject{job.job_id, job.queue, job.job_set};
      events.push_back(ToRecord(subject, CancellingEvent(subject, now, kAnonymous, reason)));
      events.push_back(ToRecord(subject, CancelledEvent(subject, now, kAnonymous, reason)));
      cancelled.push_back(job.job_id);
    }
    store::AppendEvents(tx, events);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return cancelled;
}

grpc::Status SubmitService::CancelJobs(grpc::ServerContext*, const api::JobCancelRequest* request,
                                       api::CancellationResult* response) {
  std::vector<std::string> ids(request->job_ids().begin(), request->job_ids().end());
  if (!request->job_id().empty()) ids.push_back(request->job_id());
  if (ids.empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError("job_ids: name at least one job to cancel"));
  }
  auto cancelled = Cancel(
      [&](pqxx::work& tx) {
        std::vector<store::JobRecord> jobs = store::GetJobs(tx, ids, /*lock=*/true);
        // A job of another queue or job set than the request names is not touched.
        std::erase_if(jobs, [&](const store::JobRecord& job) {
          return (!request->queue().empty() && job.queue != request->queue()) ||
                 (!request->job_set_id().empty() && job.job_set != request->job_set_id());
        });
        return jobs;
      },
      std::vector<model::JobState>{}, request->reason());
  if (!cancelled.ok()) return ToGrpcStatus(cancelled.status());
  for (const auto& id : *cancelled) response->add_cancelled_ids(id);
  spdlog::info("cancelled queue={} jobset={} jobs={}", request->queue(), request->job_set_id(),
               cancelled->size());
  return grpc::Status::OK;
}

grpc::Status SubmitService::CancelJobSet(grpc::ServerContext*,
                                         const api::JobSetCancelRequest* request,
                                         google::protobuf::Empty*) {
  if (request->queue().empty() || request->job_set_id().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError("queue and job_set_id must both be set"));
  }
  std::vector<model::JobState> states;
  for (int state : request->filter().states()) {
    switch (static_cast<api::JobState>(state)) {
      case api::QUEUED:
        states.push_back(model::JobState::kQueued);
        break;
      case api::LEASED:
        states.push_back(model::JobState::kLeased);
        break;
      case api::PENDING:
        states.push_back(model::JobState::kPending);
        break;
      case api::RUNNING:
        states.push_back(model::JobState::kRunning);
        break;
      default:
        return ToGrpcStatus(
            absl::InvalidArgumentError(absl::StrCat("filter.states: ", api::JobState_Name(state),
                                                    " is not a state a job can be cancelled in")));
    }
  }
  auto cancelled = Cancel(
      [&](pqxx::work& tx) {
        return store::LockActiveJobsInJobSet(tx, request->queue(), request->job_set_id());
      },
      states, request->reason());
  if (!cancelled.ok()) return ToGrpcStatus(cancelled.status());
  spdlog::info("cancelled queue={} jobset={} jobs={}", request->queue(), request->job_set_id(),
               cancelled->size());
  return grpc::Status::OK;
}

}  // namespace armada::server
