#include "server/api/executor_service.h"

#include <optional>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/common/ids.h"
#include "lib/common/status_macros.h"
#include "lib/store/executor_store.h"
#include "lib/store/job_store.h"
#include "server/api/grpc_status.h"
#include "server/jobs/job_events.h"
#include "server/jobs/lease_exchange.h"
#include "server/jobs/run_reports.h"
#include "server/jobs/scheduling_conversion.h"
#include "spdlog/spdlog.h"

namespace armada::server {
namespace {

// Gang members learn their gang (and the node uniformity label value their
// gang was placed under) from their environment, as in Armada.
void AddGangEnvironment(api::Job& job, const std::string& uniformity_value) {
  const GangOf gang = GangOfJob(job);
  if (gang.id.empty()) return;
  std::vector<std::pair<std::string, std::string>> env = {
      {"ARMADA_GANG_ID", gang.id}, {"ARMADA_GANG_CARDINALITY", absl::StrCat(gang.cardinality)}};
  if (!gang.uniformity_label.empty()) {
    env.emplace_back("ARMADA_GANG_NODE_UNIFORMITY_LABEL_NAME", gang.uniformity_label);
    env.emplace_back("ARMADA_GANG_NODE_UNIFORMITY_LABEL_VALUE", uniformity_value);
  }
  for (auto& pod : *job.mutable_pod_specs()) {
    for (auto& container : *pod.mutable_containers()) {
      for (const auto& [name, value] : env) {
        auto* var = container.add_env();
        var->set_name(name);
        var->set_value(value);
      }
    }
  }
}

// The principal the config fixes for `executor`, if any: an exact id, or the
// longest prefix pattern ("node-executor-*") that matches.
std::optional<std::string> FixedPrincipal(const std::map<std::string, std::string>& identities,
                                          const std::string& executor) {
  if (auto exact = identities.find(executor); exact != identities.end()) return exact->second;
  std::optional<std::string> best;
  size_t best_length = 0;
  for (const auto& [pattern, principal] : identities) {
    if (pattern.empty() || pattern.back() != '*') continue;
    const std::string_view prefix(pattern.data(), pattern.size() - 1);
    if (executor.starts_with(prefix) && (!best || prefix.size() > best_length)) {
      best = principal;
      best_length = prefix.size();
    }
  }
  return best;
}

}  // namespace

absl::Status ExecutorService::AuthorizeExecutor(const grpc::ServerContext& context,
                                                const std::string& executor) {
  auto caller = auth_.Require(context, auth::Permission::kExecuteJobs);
  if (!caller.ok()) return caller.status();
  std::optional<std::string> bound = FixedPrincipal(identities_, executor);
  // Anonymous is no identity: it binds nothing (else enabling authentication
  // later would lock out every executor that ran anonymous), and it may act
  // only as ids no principal holds.
  const bool anonymous = caller->auth_method == "Anonymous";
  if (!bound) {
    RETURN_IF_ERROR(db_.Run([&](pqxx::work& tx) {
      bound = anonymous ? store::BoundExecutorPrincipal(tx, executor)
                        : store::BindExecutorPrincipal(tx, executor, caller->name);
      return absl::OkStatus();
    }));
    if (!bound) return absl::OkStatus();
  }
  if (*bound == caller->name) return absl::OkStatus();
  spdlog::warn("executor={} refused a call from {} as user {}: the id is bound to user {}",
               executor, context.peer(), caller->name, *bound);
  return absl::PermissionDeniedError(absl::StrCat("user ", caller->name,
                                                  " may not act as executor ", executor,
                                                  ": the id is bound to another principal"));
}

grpc::Status ExecutorService::LeaseJobRuns(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<executorapi::LeaseStreamMessage, executorapi::LeaseRequest>* stream) {
  executorapi::LeaseRequest request;
  if (!stream->Read(&request)) return grpc::Status::OK;
  if (request.executor_id().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError("executor_id must be set"));
  }
  if (absl::Status s = AuthorizeExecutor(*context, request.executor_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  std::set<std::string> held(request.unassigned_job_run_ids().begin(),
                             request.unassigned_job_run_ids().end());
  for (const auto& node : request.nodes()) {
    for (const auto& [run_id, state] : node.run_ids_by_state()) held.insert(run_id);
  }
  for (const std::string& run_id : held) {
    if (!common::IsValidRunId(run_id)) {
      return ToGrpcStatus(absl::InvalidArgumentError(
          absl::StrCat("run id \"", absl::CHexEscape(run_id.substr(0, 64)), "\" is not a run id")));
    }
  }

  const absl::Time received = clock_.Now();
  RecordHeartbeat(request.executor_id(), request.pool(), received);
  LeaseRequestRuns runs{request.executor_id(), std::move(held), request.at_lease_limit(),
                        request.max_jobs_to_lease()};
  LeaseAnswer answer;
  absl::Status status = db_.Run([&](pqxx::work& tx) {
    store::UpsertExecutor(tx, store::ExecutorRecord{request.executor_id(), request.pool(), received,
                                                    request.SerializeAsString()});
    answer = SettleLeaseRequest(tx, clock_.Now(), policy_, runs);
    return absl::OkStatus();
  });
  if (!status.ok()) return ToGrpcStatus(status);

  if (!answer.to_cancel.empty()) {
    executorapi::LeaseStreamMessage message;
    for (const auto& id : answer.to_cancel)
      message.mutable_cancel_runs()->add_job_run_ids_to_cancel(id);
    stream->Write(message);
  }
  for (const store::LeasedRun& run : answer.to_start) {
    executorapi::LeaseStreamMessage message;
    auto* lease = message.mutable_lease();
    lease->set_job_run_id(run.run.run_id);
    lease->set_queue(run.job.queue);
    lease->set_jobset(run.job.job_set);
    lease->set_user(run.job.owner);
    lease->set_node_name(run.run.node);
    if (!lease->mutable_job()->ParseFromString(run.job.spec)) {
      spdlog::error("job={} run={} stored spec is unreadable; not leasing it", run.job.job_id,
                    run.run.run_id);
      continue;
    }
    AddGangEnvironment(*lease->mutable_job(), run.gang_uniformity_value);
    if (!stream->Write(message)) return grpc::Status::CANCELLED;
  }
  executorapi::LeaseStreamMessage end;
  end.mutable_end();
  stream->Write(end);
  if (!answer.to_start.empty() || !answer.to_cancel.empty()) {
    spdlog::info("lease exchange executor={} leases={} cancels={}", request.executor_id(),
                 answer.to_start.size(), answer.to_cancel.size());
  }
  return grpc::Status::OK;
}

void ExecutorService::RecordHeartbeat(const std::string& executor, const std::string& pool,
                                      absl::Time at) {
  absl::Status status = db_.Run([&](pqxx::work& tx) {
    store::TouchExecutor(tx, executor, pool, at);
    return absl::OkStatus();
  });
  if (!status.ok()) {
    spdlog::warn("executor={} heartbeat not recorded: {}", executor, std::string(status.message()));
  }
}

grpc::Status ExecutorService::ReportEvents(grpc::ServerContext* context,
                                           const executorapi::EventList* request,
                                           google::protobuf::Empty*) {
  if (request->executor_id().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError("executor_id must be set"));
  }
  if (absl::Status s = AuthorizeExecutor(*context, request->executor_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  RecordHeartbeat(request->executor_id(), "", clock_.Now());  // alive, whatever it sent
  for (int i = 0; i < request->events_size(); ++i) {
    const std::string& run_id = request->events(i).run_id();
    if (!common::IsValidRunId(run_id)) {
      return ToGrpcStatus(absl::InvalidArgumentError(
          absl::StrCat("events[", i, "].run_id: \"", absl::CHexEscape(run_id.substr(0, 64)),
                       "\" is not a run id")));
    }
  }
  absl::Status status = db_.Run([&](pqxx::work& tx) -> absl::Status {
    RunReports reports(tx, clock_.Now(), policy_);
    reports.Apply(request->executor_id(), request->events());
    reports.Commit();
    return absl::OkStatus();
  });
  return ToGrpcStatus(status);
}

}  // namespace armada::server
