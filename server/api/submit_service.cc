#include "server/api/submit_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "lib/common/ids.h"
#include "lib/common/utf8.h"
#include "lib/model/resource_quantity.h"
#include "lib/model/submit_defaults.h"
#include "lib/protoutil/utf8_fields.h"
#include "lib/store/job_store.h"
#include "lib/store/queue_store.h"
#include "server/api/grpc_status.h"
#include "server/jobs/job_events.h"
#include "server/jobs/scheduling_conversion.h"
#include "spdlog/spdlog.h"

// Armada marks pod_spec and required_node_labels deprecated but still accepts
// them, and so do we.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace armada::server {
namespace {

// Armada truncates cancel reasons to this many characters.
constexpr size_t kMaxReasonLength = 512;
constexpr char kExternalJobUriAnnotation[] = "armadaproject.io/externalJobUri";

using k8s::io::api::core::v1::PodSpec;

model::ContainerView ContainerViewOf(const k8s::io::api::core::v1::Container& c) {
  model::ContainerView container;
  container.name = c.name();
  container.command.assign(c.command().begin(), c.command().end());
  container.command.insert(container.command.end(), c.args().begin(), c.args().end());
  for (const auto& port : c.ports()) container.ports.push_back(port.containerport());
  for (const auto& [name, quantity] : c.resources().requests()) {
    container.requests[name] = quantity.string();
  }
  for (const auto& [name, quantity] : c.resources().limits()) {
    container.limits[name] = quantity.string();
  }
  return container;
}

model::SubmitItemView ViewOf(const api::JobSubmitRequestItem& item) {
  model::SubmitItemView view;
  view.priority = item.priority();
  view.namespace_name = item.namespace_();
  view.client_id = item.client_id();
  view.pod_spec_count = (item.has_pod_spec() ? 1 : 0) + item.pod_specs_size();
  const PodSpec* pod = item.has_pod_spec()         ? &item.pod_spec()
                       : item.pod_specs_size() > 0 ? &item.pod_specs(0)
                                                   : nullptr;
  view.annotations = {item.annotations().begin(), item.annotations().end()};
  view.labels = {item.labels().begin(), item.labels().end()};
  view.item_bytes = item.ByteSizeLong();
  for (const auto& ingress : item.ingress()) {
    view.ingress_ports.emplace_back(ingress.ports().begin(), ingress.ports().end());
  }
  if (pod == nullptr) return view;
  view.pod_spec_bytes = pod->ByteSizeLong();
  view.has_preferred_node_affinity =
      pod->affinity().nodeaffinity().preferredduringschedulingignoredduringexecution_size() > 0;
  view.required_node_affinity = NodeAffinityOf(*pod);
  view.tolerations = TolerationsOf(*pod);
  view.priority_class_name = pod->priorityclassname();
  if (pod->has_terminationgraceperiodseconds()) {
    view.termination_grace_seconds = pod->terminationgraceperiodseconds();
  }
  if (pod->has_activedeadlineseconds()) {
    view.active_deadline_seconds = pod->activedeadlineseconds();
  }
  for (const auto& c : pod->containers()) view.containers.push_back(ContainerViewOf(c));
  for (const auto& c : pod->initcontainers()) view.init_containers.push_back(ContainerViewOf(c));
  return view;
}

// Writes `added` (resource -> quantity) into both requests and limits of
// each container, in order.
void AddResources(google::protobuf::RepeatedPtrField<k8s::io::api::core::v1::Container>& containers,
                  const std::vector<std::map<std::string, std::string>>& added) {
  for (int i = 0; i < containers.size() && i < static_cast<int>(added.size()); ++i) {
    auto* resources = containers[i].mutable_resources();
    for (const auto& [name, quantity] : added[i]) {
      (*resources->mutable_requests())[name].set_string(quantity);
      (*resources->mutable_limits())[name].set_string(quantity);
    }
  }
}

// Armada's defaults (model::ApplySubmitDefaults) written into the pod spec.
void ApplyDefaults(const model::ValidatedItem& valid, PodSpec& pod) {
  pod.set_priorityclassname(valid.priority_class_name);
  if (valid.termination_grace_seconds) {
    pod.set_terminationgraceperiodseconds(*valid.termination_grace_seconds);
  }
  if (valid.active_deadline_seconds) pod.set_activedeadlineseconds(*valid.active_deadline_seconds);
  for (const model::Toleration& t : valid.added_tolerations) {
    auto* toleration = pod.add_tolerations();
    toleration->set_key(t.key);
    toleration->set_operator_(t.op);
    toleration->set_value(t.value);
    toleration->set_effect(t.effect);
  }
  AddResources(*pod.mutable_containers(), valid.container_defaults);
  AddResources(*pod.mutable_initcontainers(), valid.init_container_defaults);
}

// The stored job: the item as submitted, with defaults written into it.
api::Job MakeJob(const api::JobSubmitRequestItem& item, const model::ValidatedItem& valid,
                 const std::string& job_id, const api::JobSubmitRequest& request,
                 const std::string& owner, absl::Time now) {
  api::Job job;
  job.set_id(job_id);
  job.set_client_id(item.client_id());
  job.set_job_set_id(request.job_set_id());
  job.set_queue(request.queue());
  job.set_namespace_(valid.namespace_name);
  // Armada templates "{JobId}" in label and annotation values.
  for (const auto& [key, value] : item.labels()) {
    (*job.mutable_labels())[key] = model::ExpandJobIdTemplate(value, job_id);
  }
  for (const auto& [key, value] : item.annotations()) {
    (*job.mutable_annotations())[key] = model::ExpandJobIdTemplate(value, job_id);
  }
  for (const auto& [key, value] : valid.added_annotations)
    (*job.mutable_annotations())[key] = value;
  for (const auto& [key, value] : valid.added_labels) (*job.mutable_labels())[key] = value;
  // Armada keeps the external job URI as this annotation; the item's field,
  // when set, wins over an annotation of the same name.
  if (!item.external_job_uri().empty()) {
    (*job.mutable_annotations())[kExternalJobUriAnnotation] = item.external_job_uri();
  }
  *job.mutable_required_node_labels() = item.required_node_labels();
  job.set_owner(owner);
  job.set_priority(valid.priority);
  PodSpec* pod = job.add_pod_specs();
  *pod = item.has_pod_spec() ? item.pod_spec() : item.pod_specs(0);
  ApplyDefaults(valid, *pod);
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

std::string Truncated(const std::string& reason) { return reason.substr(0, kMaxReasonLength); }

// The named jobs, locked, leaving out any of another queue or job set than
// the request names (when it names them).
JobSelector SelectJobs(std::vector<std::string> ids, std::string queue, std::string job_set) {
  return [ids = std::move(ids), queue = std::move(queue),
          job_set = std::move(job_set)](pqxx::work& tx) {
    std::vector<store::JobRecord> jobs = store::GetJobs(tx, ids, /*lock=*/true);
    std::erase_if(jobs, [&](const store::JobRecord& job) {
      return (!queue.empty() && job.queue != queue) || (!job_set.empty() && job.job_set != job_set);
    });
    return jobs;
  };
}

// Protobuf leaves proto2 strings (every Kubernetes type) unchecked, and a
// job that carries invalid UTF-8 can be stored but never reported on: the
// executor's proto3 reports about it would not serialize. So every string of
// every item is checked here, before anything is stored.
// A refusal as gRPC status. Messages quote the offending value, and gRPC
// clients refuse trailers over 8 KiB (RESOURCE_EXHAUSTED instead of the
// error): so a message is cut to 2 KiB, on a UTF-8 boundary.
grpc::Status Refused(const absl::Status& status) {
  constexpr size_t kMaxMessage = 2048;
  if (status.message().size() <= kMaxMessage) return ToGrpcStatus(status);
  std::string message(status.message().substr(0, kMaxMessage));
  message = common::SanitizeUtf8(message) + "...";
  return ToGrpcStatus(absl::Status(status.code(), message));
}

// NULs too: PostgreSQL cannot store them (node selectors, client ids are
// text and jsonb columns), and no process argument or environment holds one.
absl::Status CheckUtf8(int index, const api::JobSubmitRequestItem& item) {
  auto bad = protoutil::FindInvalidUtf8(item, {.refuse_nul = true});
  if (!bad) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("job_request_items[", index, "].", bad->path, ": ",
                                                 common::QuoteForMessage(bad->value), " ",
                                                 bad->problem));
}

// Jobs the request names that do not exist (or not in its queue and job set)
// get this result.
constexpr char kNotFound[] = "job not found";

}  // namespace

grpc::Status SubmitService::SubmitJobs(grpc::ServerContext* context,
                                       const api::JobSubmitRequest* request,
                                       api::JobSubmitResponse* response) {
  // The caller is checked before the request is: a caller without the right
  // learns nothing from validation. (No queue: validation says so.)
  auto caller = request->queue().empty() ? auth_.Authenticate(*context)
                                         : auth_.RequireOnQueue(*context, request->queue(),
                                                                auth::Permission::kSubmitAnyJobs,
                                                                auth::QueueVerb::kSubmit);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  const auto& items = request->job_request_items();
  if (absl::Status s = model::ValidateSubmitRequest(request->queue(), request->job_set_id(),
                                                    items.size(), config_, request->ByteSizeLong());
      !s.ok()) {
    return Refused(s);
  }
  for (int i = 0; i < items.size(); ++i) {
    if (absl::Status s = CheckUtf8(i, items[i]); !s.ok()) return Refused(s);
  }
  const absl::Time now = clock_.Now();
  std::vector<store::NewJob> jobs;
  std::vector<api::Job> specs;
  jobs.reserve(items.size());
  specs.reserve(items.size());
  std::vector<model::SubmitItemView> views;
  views.reserve(items.size());
  for (const auto& item : items) views.push_back(ViewOf(item));
  if (absl::Status s = model::ValidateGangs(views); !s.ok()) return Refused(s);
  for (int i = 0; i < items.size(); ++i) {
    auto valid = model::ValidateSubmitItem(i, views[i], config_);
    if (!valid.ok()) return Refused(valid.status());
    api::Job job = MakeJob(items[i], *valid, common::NewJobId(), *request, caller->name, now);
    const auto& pod = job.pod_specs(0);
    const GangOf gang = GangOfJob(job);
    jobs.push_back(store::NewJob{job.id(),
                                 job.queue(),
                                 job.job_set_id(),
                                 job.client_id(),
                                 job.owner(),
                                 valid->priority,
                                 valid->requests,
                                 NodeSelectorOf(job),
                                 valid->priority_class_name,
                                 TolerationsOf(pod),
                                 NodeAffinityOf(pod),
                                 job.SerializeAsString(),
                                 now,
                                 gang.id,
                                 gang.cardinality,
                                 gang.uniformity_label,
                                 job.namespace_(),
                                 {job.annotations().begin(), job.annotations().end()}});
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
  spdlog::info("submitted queue={} jobset={} user={} jobs={} duplicates={}", request->queue(),
               request->job_set_id(), caller->name, created, inserted.size() - created);
  return grpc::Status::OK;
}

grpc::Status SubmitService::CancelJobs(grpc::ServerContext* context,
                                       const api::JobCancelRequest* request,
                                       api::CancellationResult* response) {
  auto caller = auth_.RequireOnQueue(*context, request->queue(), auth::Permission::kCancelAnyJobs,
                                     auth::QueueVerb::kCancel);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  std::vector<std::string> ids(request->job_ids().begin(), request->job_ids().end());
  if (!request->job_id().empty()) ids.push_back(request->job_id());
  if (ids.empty()) {
    // As in Armada: a cancel that names no job cancels the whole job set.
    if (request->queue().empty() || request->job_set_id().empty()) {
      return ToGrpcStatus(absl::InvalidArgumentError(
          "job_ids: name at least one job, or both queue and job_set_id to cancel the job set"));
    }
    auto cancelled = operations_.Cancel(
        [&](pqxx::work& tx) {
          return store::LockActiveJobsInJobSet(tx, request->queue(), request->job_set_id());
        },
        {}, caller->name, Truncated(request->reason()));
    if (!cancelled.ok()) return ToGrpcStatus(cancelled.status());
    for (const auto& id : *cancelled) response->add_cancelled_ids(id);
    return grpc::Status::OK;
  }
  auto cancelled = operations_.Cancel(SelectJobs(ids, request->queue(), request->job_set_id()), {},
                                      caller->name, Truncated(request->reason()));
  if (!cancelled.ok()) return ToGrpcStatus(cancelled.status());
  for (const auto& id : *cancelled) response->add_cancelled_ids(id);
  spdlog::info("cancelled queue={} jobset={} jobs={}", request->queue(), request->job_set_id(),
               cancelled->size());
  return grpc::Status::OK;
}

grpc::Status SubmitService::CancelJobSet(grpc::ServerContext* context,
                                         const api::JobSetCancelRequest* request,
                                         google::protobuf::Empty*) {
  auto caller = auth_.RequireOnQueue(*context, request->queue(), auth::Permission::kCancelAnyJobs,
                                     auth::QueueVerb::kCancel);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (request->queue().empty() || request->job_set_id().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError("queue and job_set_id must both be set"));
  }
  auto states = CancellableStates(
      {request->filter().states().begin(), request->filter().states().end()}, "filter.states");
  if (!states.ok()) return ToGrpcStatus(states.status());
  auto cancelled = operations_.Cancel(
      [&](pqxx::work& tx) {
        return store::LockActiveJobsInJobSet(tx, request->queue(), request->job_set_id());
      },
      *states, caller->name, Truncated(request->reason()));
  if (!cancelled.ok()) return ToGrpcStatus(cancelled.status());
  spdlog::info("cancelled queue={} jobset={} jobs={}", request->queue(), request->job_set_id(),
               cancelled->size());
  return grpc::Status::OK;
}

grpc::Status SubmitService::ReprioritizeJobs(grpc::ServerContext* context,
                                             const api::JobReprioritizeRequest* request,
                                             api::JobReprioritizeResponse* response) {
  auto caller =
      auth_.RequireOnQueue(*context, request->queue(), auth::Permission::kReprioritizeAnyJobs,
                           auth::QueueVerb::kReprioritize);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  const double priority = request->new_priority();
  if (!(priority >= 0 && priority <= 4294967295.0) || priority != static_cast<uint32_t>(priority)) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("new_priority: must be a whole number from 0 to 4294967295, got ", priority)));
  }
  std::vector<std::string> ids(request->job_ids().begin(), request->job_ids().end());
  JobSelector select;
  if (ids.empty()) {
    // No ids: the whole job set, as Armada does.
    if (request->queue().empty() || request->job_set_id().empty()) {
      return ToGrpcStatus(absl::InvalidArgumentError(
          "job_ids: name at least one job, or both queue and job_set_id for the whole job set"));
    }
    select = [&](pqxx::work& tx) {
      return store::LockActiveJobsInJobSet(tx, request->queue(), request->job_set_id());
    };
  } else {
    select = SelectJobs(ids, request->queue(), request->job_set_id());
  }
  auto results = operations_.Reprioritize(select, static_cast<uint32_t>(priority), caller->name);
  if (!results.ok()) return ToGrpcStatus(results.status());
  for (const auto& id : ids) {
    if (!results->count(id)) (*results)[id] = kNotFound;
  }
  response->mutable_reprioritization_results()->insert(results->begin(), results->end());
  spdlog::info("reprioritized queue={} jobset={} jobs={} priority={}", request->queue(),
               request->job_set_id(), results->size(), priority);
  return grpc::Status::OK;
}

grpc::Status SubmitService::PreemptJobs(grpc::ServerContext* context,
                                        const api::JobPreemptRequest* request,
                                        api::PreemptionResult* response) {
  auto caller = auth_.RequireOnQueue(*context, request->queue(), auth::Permission::kPreemptAnyJobs,
                                     auth::QueueVerb::kPreempt);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (request->job_ids().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError("job_ids: name at least one job to preempt"));
  }
  std::vector<std::string> ids(request->job_ids().begin(), request->job_ids().end());
  auto results = operations_.Preempt(SelectJobs(ids, request->queue(), request->job_set_id()),
                                     caller->name, Truncated(request->reason()));
  if (!results.ok()) return ToGrpcStatus(results.status());
  for (const auto& id : ids) {
    if (!results->count(id)) (*results)[id] = kNotFound;
  }
  response->mutable_preemption_results()->insert(results->begin(), results->end());
  spdlog::info("preempt queue={} jobset={} jobs={}", request->queue(), request->job_set_id(),
               ids.size());
  return grpc::Status::OK;
}

}  // namespace armada::server
