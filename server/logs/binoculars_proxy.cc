#include "server/logs/binoculars_proxy.h"

#include <vector>

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "api/submit.pb.h"
#include "lib/net/grpc_status.h"
#include "lib/store/job_query.h"
#include "spdlog/spdlog.h"

namespace armada::server {

std::string BinocularsProxy::ExecutorAddress(const BinocularsConfig& config,
                                             const std::string& executor_id) {
  if (auto it = config.executor_urls.find(executor_id); it != config.executor_urls.end()) {
    return it->second;
  }
  if (config.executor_url_pattern.empty()) return "";
  return absl::StrReplaceAll(config.executor_url_pattern,
                             {{"{EXECUTOR_ID}", executor_id}, {"{CLUSTER_ID}", executor_id}});
}

binoculars::Binoculars::Stub& BinocularsProxy::StubFor(const std::string& address) {
  absl::MutexLock lock(&mu_);
  std::unique_ptr<binoculars::Binoculars::Stub>& stub = stubs_[address];
  if (stub == nullptr) {
    stub = binoculars::Binoculars::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  }
  return *stub;
}

grpc::Status BinocularsProxy::Logs(grpc::ServerContext* context,
                                   const binoculars::LogRequest* request,
                                   binoculars::LogResponse* response) {
  absl::StatusOr<auth::Principal> caller = auth_.Authenticate(*context);
  if (!caller.ok()) return net::ToGrpcStatus(caller.status());
  absl::StatusOr<store::JobView> job = auth_.VisibleJob(*caller, request->job_id());
  if (!job.ok()) return net::ToGrpcStatus(job.status());

  std::vector<store::RunView> runs;
  absl::Status read = db_.Run([&](pqxx::work& tx) {
    runs = store::RunsOfJobs(tx, {job->job_id});
    return absl::OkStatus();
  });
  if (!read.ok()) return net::ToGrpcStatus(read);
  const store::RunView* run = nullptr;
  for (const store::RunView& candidate : runs) {  // oldest first: the last match is the latest
    // Run ids are stored lower-case; a client may send them in capitals.
    if (request->run_id().empty() || absl::EqualsIgnoreCase(candidate.run_id, request->run_id())) {
      run = &candidate;
    }
  }
  if (run == nullptr) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        request->run_id().empty()
                            ? absl::StrCat("job ", job->job_id, " has not run yet")
                            : absl::StrCat("job ", job->job_id, " has no run ", request->run_id()));
  }
  const std::string address = ExecutorAddress(config_, run->executor);
  if (address.empty()) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        absl::StrCat("no Binoculars address for executor ", run->executor,
                                     ": set binoculars.executorUrlPattern or "
                                     "binoculars.executorUrls in the server's config"));
  }

  binoculars::LogRequest forwarded = *request;
  forwarded.set_run_id(run->run_id);
  if (forwarded.pod_namespace().empty()) {
    api::Job spec;
    if (spec.ParseFromString(job->spec)) forwarded.set_pod_namespace(spec.namespace_());
  }
  grpc::ClientContext call;
  call.set_deadline(absl::ToChronoTime(absl::Now() + config_.timeout));
  if (token_ != nullptr) call.AddMetadata("authorization", token_->HeaderValue());
  grpc::Status status = StubFor(address).Logs(&call, forwarded, response);
  if (status.ok()) return status;
  spdlog::info("binoculars: job={} run={} executor={} at {}: {}", job->job_id, run->run_id,
               run->executor, address, status.error_message());
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
      status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        absl::StrCat("executor ", run->executor, "'s Binoculars at ", address,
                                     " cannot be reached: ", status.error_message()));
  }
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    // The executor refused the server, not the user: say whose setting is wrong.
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        absl::StrCat("executor ", run->executor,
                                     " refused the server's binoculars token (binoculars.tokenFile "
                                     "must match on server and executor)"));
  }
  return grpc::Status(status.error_code(),
                      absl::StrCat("executor ", run->executor, ": ", status.error_message()));
}

grpc::Status BinocularsProxy::Cordon(grpc::ServerContext* context,
                                     const binoculars::CordonRequest* /*request*/,
                                     google::protobuf::Empty* /*response*/) {
  // Refusals first, as on every rpc: a caller without credentials learns nothing more.
  absl::StatusOr<auth::Principal> caller = auth_.Authenticate(*context);
  if (!caller.ok()) return net::ToGrpcStatus(caller.status());
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                      "binoculars.Cordon: single nodes are not cordoned here; cordon the whole "
                      "executor instead (armadactl cordon executor)");
}

}  // namespace armada::server
