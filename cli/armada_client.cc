#include "cli/armada_client.h"

#include <chrono>
#include <fstream>
#include <sstream>
#include <utility>

#include <google/protobuf/empty.pb.h>
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/byte_buffer.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "lib/common/status_macros.h"

namespace armada::cli {
namespace {

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    default:
      return "UNKNOWN";
  }
}

// The contents of the PEM file at `path` ("" for no path); `key` names it in errors.
absl::StatusOr<std::string> ReadPem(const char* key, const std::string& path) {
  if (path.empty()) return std::string();
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  if (!in || contents.str().empty()) {
    return absl::NotFoundError(absl::StrCat(key, " ", path, ": cannot be read"));
  }
  return contents.str();
}

}  // namespace

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  // grpc::StatusCode and absl::StatusCode share their numeric values (both are gRPC's codes).
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  if (status.error_message().empty()) return absl::Status(code, CodeName(status.error_code()));
  return absl::Status(code, status.error_message());
}

ArmadaClient::ArmadaClient(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout,
                           std::vector<std::pair<std::string, std::string>> metadata)
    : channel_(std::move(channel)),
      timeout_(timeout),
      metadata_(std::move(metadata)),
      queues_(api::QueueService::NewStub(channel_)),
      submit_(api::Submit::NewStub(channel_)),
      events_(api::Event::NewStub(channel_)),
      jobs_(api::Jobs::NewStub(channel_)),
      executors_(api::Executor::NewStub(channel_)),
      nodes_(api::Node::NewStub(channel_)) {}

absl::StatusOr<std::unique_ptr<ArmadaClient>> ArmadaClient::Connect(
    const ArmadaClientOptions& options) {
  if (!options.use_tls) {
    return std::make_unique<ArmadaClient>(
        grpc::CreateChannel(options.url, grpc::InsecureChannelCredentials()), options.timeout,
        options.metadata);
  }
  grpc::SslCredentialsOptions ssl;
  ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadPem("caFile", options.ca_file));
  ASSIGN_OR_RETURN(ssl.pem_cert_chain, ReadPem("clientCertFile", options.client_cert_file));
  ASSIGN_OR_RETURN(ssl.pem_private_key, ReadPem("clientKeyFile", options.client_key_file));
  grpc::ChannelArguments arguments;
  if (!options.tls_server_name.empty()) {
    arguments.SetSslTargetNameOverride(options.tls_server_name);
  }
  return std::make_unique<ArmadaClient>(
      grpc::CreateCustomChannel(options.url, grpc::SslCredentials(ssl), arguments), options.timeout,
      options.metadata);
}

void ArmadaClient::Prepare(grpc::ClientContext& context, bool deadline) const {
  for (const auto& [key, value] : metadata_) context.AddMetadata(key, value);
  if (deadline) {
    context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout_));
  }
}

template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> ArmadaClient::Unary(
    Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
    const Request& request) const {
  grpc::ClientContext context;
  Prepare(context);
  Response response;
  if (absl::Status status = FromGrpcStatus((stub.*method)(&context, request, &response));
      !status.ok()) {
    return status;
  }
  return response;
}

absl::Status ArmadaClient::CreateQueue(const api::Queue& queue) {
  return Unary(*queues_, &api::QueueService::Stub::CreateQueue, queue).status();
}

absl::Status ArmadaClient::UpdateQueue(const api::Queue& queue) {
  return Unary(*queues_, &api::QueueService::Stub::UpdateQueue, queue).status();
}

absl::Status ArmadaClient::DeleteQueue(const std::string& name) {
  api::QueueDeleteRequest request;
  request.set_name(name);
  return Unary(*queues_, &api::QueueService::Stub::DeleteQueue, request).status();
}

absl::StatusOr<api::Queue> ArmadaClient::GetQueue(const std::string& name) {
  api::QueueGetRequest request;
  request.set_name(name);
  return Unary(*queues_, &api::QueueService::Stub::GetQueue, request);
}

absl::StatusOr<std::vector<api::Queue>> ArmadaClient::GetQueues() {
  grpc::ClientContext context;
  Prepare(context, /*deadline=*/false);
  api::StreamingQueueGetRequest request;
  std::unique_ptr<grpc::ClientReader<api::StreamingQueueMessage>> reader =
      queues_->GetQueues(&context, request);
  std::vector<api::Queue> queues;
  bool ended = false;
  api::StreamingQueueMessage message;
  while (reader->Read(&message)) {
    if (ended) continue;  // Nothing may follow the end marker; drain it anyway.
    switch (message.event_case()) {
      case api::StreamingQueueMessage::kQueue:
        queues.push_back(std::move(*message.mutable_queue()));
        break;
      case api::StreamingQueueMessage::kEnd:
        ended = true;
        break;
      default:
        break;  // A message type newer than this client: skip it.
    }
  }
  if (absl::Status status = FromGrpcStatus(reader->Finish()); !status.ok()) return status;
  if (!ended) return absl::UnavailableError("the queue stream ended before its end marker");
  return queues;
}

absl::Status ArmadaClient::CordonQueue(const std::string& name) {
  api::QueueCordonRequest request;
  request.set_name(name);
  return Unary(*queues_, &api::QueueService::Stub::CordonQueue, request).status();
}

absl::Status ArmadaClient::UncordonQueue(const std::string& name) {
  api::QueueUncordonRequest request;
  request.set_name(name);
  return Unary(*queues_, &api::QueueService::Stub::UncordonQueue, request).status();
}

absl::Status ArmadaClient::PreemptOnQueue(const api::QueuePreemptRequest& request) {
  return Unary(*queues_, &api::QueueService::Stub::PreemptOnQueue, request).status();
}

absl::Status ArmadaClient::CancelOnQueue(const api::QueueCancelRequest& request) {
  return Unary(*queues_, &api::QueueService::Stub::CancelOnQueue, request).status();
}

absl::StatusOr<api::JobSubmitResponse> ArmadaClient::SubmitJobs(
    const api::JobSubmitRequest& request) {
  return Unary(*submit_, &api::Submit::Stub::SubmitJobs, request);
}

absl::StatusOr<api::CancellationResult> ArmadaClient::CancelJob(const std::string& queue,
                                                                const std::string& job_set,
                                                                const std::string& job_id) {
  api::JobCancelRequest request;
  request.set_queue(queue);
  request.set_job_set_id(job_set);
  request.set_job_id(job_id);
  return Unary(*submit_, &api::Submit::Stub::CancelJobs, request);
}

absl::Status ArmadaClient::CancelJobSet(const std::string& queue, const std::string& job_set) {
  api::JobSetCancelRequest request;
  request.set_queue(queue);
  request.set_job_set_id(job_set);
  return Unary(*submit_, &api::Submit::Stub::CancelJobSet, request).status();
}

absl::StatusOr<api::PreemptionResult> ArmadaClient::PreemptJobs(
    const api::JobPreemptRequest& request) {
  return Unary(*submit_, &api::Submit::Stub::PreemptJobs, request);
}

absl::StatusOr<api::JobReprioritizeResponse> ArmadaClient::ReprioritizeJobs(
    const api::JobReprioritizeRequest& request) {
  return Unary(*submit_, &api::Submit::Stub::ReprioritizeJobs, request);
}

absl::Status ArmadaClient::UpsertExecutorSettings(
    const api::ExecutorSettingsUpsertRequest& request) {
  return Unary(*executors_, &api::Executor::Stub::UpsertExecutorSettings, request).status();
}

absl::Status ArmadaClient::DeleteExecutorSettings(const std::string& name) {
  api::ExecutorSettingsDeleteRequest request;
  request.set_name(name);
  return Unary(*executors_, &api::Executor::Stub::DeleteExecutorSettings, request).status();
}

absl::Status ArmadaClient::DeleteExecutor(const std::string& name) {
  api::ExecutorDeleteRequest request;
  request.set_name(name);
  return Unary(*executors_, &api::Executor::Stub::DeleteExecutor, request).status();
}

absl::Status ArmadaClient::PreemptOnExecutor(const api::ExecutorPreemptRequest& request) {
  return Unary(*executors_, &api::Executor::Stub::PreemptOnExecutor, request).status();
}

absl::Status ArmadaClient::CancelOnExecutor(const api::ExecutorCancelRequest& request) {
  return Unary(*executors_, &api::Executor::Stub::CancelOnExecutor, request).status();
}

absl::Status ArmadaClient::PreemptOnNode(const api::NodePreemptRequest& request) {
  return Unary(*nodes_, &api::Node::Stub::PreemptOnNode, request).status();
}

absl::Status ArmadaClient::CancelOnNode(const api::NodeCancelRequest& request) {
  return Unary(*nodes_, &api::Node::Stub::CancelOnNode, request).status();
}

absl::StatusOr<api::JobStatusResponse> ArmadaClient::GetJobStatus(
    const api::JobStatusRequest& request) {
  return Unary(*jobs_, &api::Jobs::Stub::GetJobStatus, request);
}

absl::StatusOr<api::JobDetailsResponse> ArmadaClient::GetJobDetails(
    const api::JobDetailsRequest& request) {
  return Unary(*jobs_, &api::Jobs::Stub::GetJobDetails, request);
}

absl::StatusOr<api::JobErrorsResponse> ArmadaClient::GetJobErrors(
    const api::JobErrorsRequest& request) {
  return Unary(*jobs_, &api::Jobs::Stub::GetJobErrors, request);
}

absl::StatusOr<api::JobRunDetailsResponse> ArmadaClient::GetJobRunDetails(
    const api::JobRunDetailsRequest& request) {
  return Unary(*jobs_, &api::Jobs::Stub::GetJobRunDetails, request);
}

absl::StatusOr<std::string> ArmadaClient::CallRaw(const std::string& method,
                                                  const std::string& request) {
  grpc::GenericStub stub(channel_);
  grpc::ClientContext context;
  Prepare(context);
  grpc::Slice slice(request);
  const grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer response_buffer;
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request_buffer, &response_buffer,
                 [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  RETURN_IF_ERROR(FromGrpcStatus(status));
  std::vector<grpc::Slice> slices;
  if (!response_buffer.Dump(&slices).ok()) return absl::InternalError("unreadable response");
  std::string response;
  for (const grpc::Slice& piece : slices) {
    response.append(reinterpret_cast<const char*>(piece.begin()), piece.size());
  }
  return response;
}

absl::Status ArmadaClient::GetJobSetEvents(const std::string& queue, const std::string& job_set,
                                           bool watch, const EventCallback& on_event) {
  grpc::ClientContext context;
  Prepare(context, /*deadline=*/false);
  api::JobSetRequest request;
  request.set_queue(queue);
  request.set_id(job_set);
  request.set_watch(watch);
  std::unique_ptr<grpc::ClientReader<api::EventStreamMessage>> reader =
      events_->GetJobSetEvents(&context, request);
  api::EventStreamMessage message;
  bool stopped = false;
  while (reader->Read(&message)) {
    if (!on_event(message)) {
      stopped = true;
      context.TryCancel();
      break;
    }
  }
  const grpc::Status status = reader->Finish();
  if (stopped) return absl::OkStatus();  // Finish reports CANCELLED: that was us.
  return FromGrpcStatus(status);
}

}  // namespace armada::cli
