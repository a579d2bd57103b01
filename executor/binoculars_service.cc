#include "executor/binoculars_service.h"

#include <algorithm>

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "lib/common/utf8.h"
#include "lib/net/grpc_status.h"
#include "spdlog/spdlog.h"

namespace armada::executor {
namespace {

// Equal length and content, in time that does not depend on where they differ.
bool SameSecret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

absl::StatusOr<LogQuery> LogQueryFromRequest(const binoculars::LogRequest& request,
                                             absl::Time now) {
  LogQuery query{.run_id = request.run_id(),
                 .job_id = request.job_id(),
                 .pod_namespace = request.pod_namespace()};
  if (query.job_id.empty() && query.run_id.empty()) {
    return absl::InvalidArgumentError("jobId: must not be empty");
  }
  if (request.pod_number() != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("podNumber: ", request.pod_number(), ": jobs run one pod here, number 0"));
  }
  if (!request.since_time().empty()) {
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, request.since_time(), &query.since, &error)) {
      return absl::InvalidArgumentError(absl::StrCat("sinceTime: \"", request.since_time(),
                                                     "\" is not an RFC 3339 time (", error, ")"));
    }
  }
  const auto& options = request.log_options();
  if (options.has_sinceseconds() && options.sinceseconds() > 0) {
    query.since = std::max(query.since, now - absl::Seconds(options.sinceseconds()));
  }
  if (options.has_taillines()) {
    if (options.taillines() < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("logOptions.tailLines: ", options.taillines(), " is negative"));
    }
    query.tail_lines = options.taillines();
  }
  if (options.has_limitbytes() && options.limitbytes() > 0) {
    query.limit_bytes = std::min(query.limit_bytes, options.limitbytes());
  }
  return query;
}

grpc::Status BinocularsService::CheckToken(const grpc::ServerContext& context) const {
  if (token_ == nullptr) return grpc::Status::OK;
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find("authorization");
  const std::string expected = token_->HeaderValue();
  if (it == metadata.end() || expected.empty() ||
      !SameSecret(std::string_view(it->second.data(), it->second.size()), expected)) {
    spdlog::warn("binoculars: refused a call from {}: missing or wrong token", context.peer());
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "binoculars: the call needs this executor's binoculars token");
  }
  return grpc::Status::OK;
}

grpc::Status BinocularsService::Logs(grpc::ServerContext* context,
                                     const binoculars::LogRequest* request,
                                     binoculars::LogResponse* response) {
  if (grpc::Status status = CheckToken(*context); !status.ok()) return status;
  absl::StatusOr<LogQuery> query = LogQueryFromRequest(*request, absl::Now());
  if (!query.ok()) return net::ToGrpcStatus(query.status());
  absl::StatusOr<std::vector<LogLine>> lines = backend_.Logs(*query);
  if (!lines.ok()) return net::ToGrpcStatus(lines.status());
  for (LogLine& line : *lines) {
    binoculars::LogLine* out = response->add_log();
    out->set_timestamp(std::move(line.timestamp));
    // A program's output is bytes; proto3 strings must be UTF-8 or the reply will not parse.
    out->set_line(common::IsValidUtf8(line.line) ? std::move(line.line)
                                                 : common::SanitizeUtf8(line.line));
  }
  return grpc::Status::OK;
}

grpc::Status BinocularsService::Cordon(grpc::ServerContext* context,
                                       const binoculars::CordonRequest* /*request*/,
                                       google::protobuf::Empty* /*response*/) {
  if (grpc::Status status = CheckToken(*context); !status.ok()) return status;
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                      "binoculars.Cordon: single nodes are not cordoned here; cordon the whole "
                      "executor through armada-server (armadactl cordon executor)");
}

absl::StatusOr<std::unique_ptr<grpc::Server>> StartBinocularsServer(const std::string& listen,
                                                                    BinocularsService& service) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials());
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) return absl::UnavailableError(absl::StrCat("cannot listen on ", listen));
  return server;
}

bool IsLoopbackAddress(const std::string& address) {
  return absl::StartsWith(address, "127.") || absl::StartsWith(address, "localhost:") ||
         absl::StartsWith(address, "[::1]:");
}

}  // namespace armada::executor
