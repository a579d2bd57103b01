#include "cli/armada_client.h"

#include <chrono>
#include <utility>

#include <google/protobuf/empty.pb.h>
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/strings/str_cat.h"

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

}  // namespace

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  // grpc::StatusCode and absl::StatusCode share their numeric values (both are gRPC's codes).
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  if (status.error_message().empty()) return absl::Status(code, CodeName(status.error_code()));
  return absl::Status(code, status.error_message());
}

ArmadaClient::ArmadaClient(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout)
    : channel_(std::move(channel)),
      timeout_(timeout),
      queues_(api::QueueService::NewStub(channel_)),
      submit_(api::Submit::NewStub(channel_)),
      events_(api::Event::NewStub(channel_)) {}

std::unique_ptr<ArmadaClient> ArmadaClient::Connect(const ArmadaClientOptions& options) {
  return std::make_unique<ArmadaClient>(
      grpc::CreateChannel(options.url, grpc::InsecureChannelCredentials()), options.timeout);
}

void ArmadaClient::SetDeadline(grpc::ClientContext& context) const {
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout_));
}

absl::Status ArmadaClient::CreateQueue(const api::Queue& queue) {
  grpc::ClientContext context;
  SetDeadline(context);
  google::protobuf::Empty response;
  return FromGrpcStatus(queues_->CreateQueue(&context, queue, &response));
}

absl::Status ArmadaClient::UpdateQueue(const api::Queue& queue) {
  grpc::ClientContext context;
  SetDeadline(context);
  google::protobuf::Empty response;
  return FromGrpcStatus(queues_->UpdateQueue(&context, queue, &response));
}

absl::Status ArmadaClient::DeleteQueue(const std::string& name) {
  grpc::ClientContext context;
  SetDeadline(context);
  api::QueueDeleteRequest request;
  request.set_name(name);
  google::protobuf::Empty response;
  return FromGrpcStatus(queues_->DeleteQueue(&context, request, &response));
}

absl::StatusOr<api::Queue> ArmadaClient::GetQueue(const std::string& name) {
  grpc::ClientContext context;
  SetDeadline(context);
  api::QueueGetRequest request;
  request.set_name(name);
  api::Queue response;
  if (absl::Status status = FromGrpcStatus(queues_->GetQueue(&context, request, &response));
      !status.ok()) {
    return status;
  }
  return response;
}

absl::StatusOr<std::vector<api::Queue>> ArmadaClient::GetQueues() {
  grpc::ClientContext context;
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

absl::StatusOr<api::JobSubmitResponse> ArmadaClient::SubmitJobs(
    const api::JobSubmitRequest& request) {
  grpc::ClientContext context;
  SetDeadline(context);
  api::JobSubmitResponse response;
  if (absl::Status status = FromGrpcStatus(submit_->SubmitJobs(&context, request, &response));
      !status.ok()) {
    return status;
  }
  return response;
}

absl::StatusOr<api::CancellationResult> ArmadaClient::CancelJob(const std::string& queue,
                                                                const std::string& job_set,
                                                                const std::string& job_id) {
  grpc::ClientContext context;
  SetDeadline(context);
  api::JobCancelRequest request;
  request.set_queue(queue);
  request.set_job_set_id(job_set);
  request.set_job_id(job_id);
  api::CancellationResult response;
  if (absl::Status status = FromGrpcStatus(submit_->CancelJobs(&context, request, &response));
      !status.ok()) {
    return status;
  }
  return response;
}

absl::Status ArmadaClient::CancelJobSet(const std::string& queue, const std::string& job_set) {
  grpc::ClientContext context;
  SetDeadline(context);
  api::JobSetCancelRequest request;
  request.set_queue(queue);
  request.set_job_set_id(job_set);
  google::protobuf::Empty response;
  return FromGrpcStatus(submit_->CancelJobSet(&context, request, &response));
}

absl::Status ArmadaClient::GetJobSetEvents(const std::string& queue, const std::string& job_set,
                                           bool watch, const EventCallback& on_event) {
  grpc::ClientContext context;
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
