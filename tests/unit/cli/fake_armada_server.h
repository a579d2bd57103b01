// FakeArmadaServer: an in-process gRPC server with scripted QueueService, Submit and Event
// services, for testing ArmadaClient and the armadactl commands without a real server.
// Test code only. Configure the public fields before the first call; read the recorded fields
// after the calls have returned.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <google/protobuf/empty.pb.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/support/channel_arguments.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "api/event.grpc.pb.h"
#include "api/submit.grpc.pb.h"
#include "cli/armada_client.h"

namespace armada::cli::testing {

class FakeQueueService final : public api::QueueService::Service {
 public:
  // Answer of CreateQueue / DeleteQueue / GetQueue.
  grpc::Status status = grpc::Status::OK;
  // Returned by GetQueue and streamed by GetQueues (followed by an end marker).
  std::vector<api::Queue> queues;
  bool send_end_marker = true;
  // Recorded.
  std::vector<api::Queue> created;

  grpc::Status CreateQueue(grpc::ServerContext*, const api::Queue* request,
                           google::protobuf::Empty*) override {
    absl::MutexLock lock(&mutex_);
    created.push_back(*request);
    return status;
  }
  grpc::Status DeleteQueue(grpc::ServerContext*, const api::QueueDeleteRequest*,
                           google::protobuf::Empty*) override {
    return status;
  }
  grpc::Status GetQueue(grpc::ServerContext*, const api::QueueGetRequest* request,
                        api::Queue* response) override {
    for (const api::Queue& queue : queues) {
      if (queue.name() == request->name()) *response = queue;
    }
    return status;
  }
  grpc::Status GetQueues(grpc::ServerContext*, const api::StreamingQueueGetRequest*,
                         grpc::ServerWriter<api::StreamingQueueMessage>* writer) override {
    for (const api::Queue& queue : queues) {
      api::StreamingQueueMessage message;
      *message.mutable_queue() = queue;
      writer->Write(message);
    }
    if (send_end_marker) {
      api::StreamingQueueMessage end;
      end.mutable_end();
      writer->Write(end);
    }
    return grpc::Status::OK;
  }

 private:
  absl::Mutex mutex_;
};

class FakeSubmitService final : public api::Submit::Service {
 public:
  // SubmitJobs fails with INVALID_ARGUMENT "queue <q> does not exist" for this queue.
  std::string missing_queue = "missing";
  // Items with this client id get an item error "rejected".
  std::string rejected_client_id = "reject";
  // Recorded.
  std::vector<int> batch_sizes;
  std::vector<api::JobCancelRequest> cancels;
  std::vector<api::JobSetCancelRequest> job_set_cancels;

  grpc::Status SubmitJobs(grpc::ServerContext*, const api::JobSubmitRequest* request,
                          api::JobSubmitResponse* response) override {
    if (request->queue() == missing_queue) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("queue ", request->queue(), " does not exist"));
    }
    absl::MutexLock lock(&mutex_);
    batch_sizes.push_back(request->job_request_items_size());
    for (const api::JobSubmitRequestItem& item : request->job_request_items()) {
      api::JobSubmitResponseItem* answer = response->add_job_response_items();
      if (item.client_id() == rejected_client_id) {
        answer->set_error("rejected");
      } else {
        answer->set_job_id(absl::StrCat("job-", next_id_++));
      }
    }
    return grpc::Status::OK;
  }
  grpc::Status CancelJobs(grpc::ServerContext*, const api::JobCancelRequest* request,
                          api::CancellationResult* response) override {
    absl::MutexLock lock(&mutex_);
    cancels.push_back(*request);
    if (request->job_id() != "unknown") response->add_cancelled_ids(request->job_id());
    return grpc::Status::OK;
  }
  grpc::Status CancelJobSet(grpc::ServerContext*, const api::JobSetCancelRequest* request,
                            google::protobuf::Empty*) override {
    absl::MutexLock lock(&mutex_);
    job_set_cancels.push_back(*request);
    return grpc::Status::OK;
  }

 private:
  absl::Mutex mutex_;
  int next_id_ = 0;
};

class FakeEventService final : public api::Event::Service {
 public:
  // Streamed by GetJobSetEvents.
  std::vector<api::EventStreamMessage> events;
  // After the events: keep the stream open until the client cancels (as a watch on a live job
  // set does), or end it with `end_status`.
  bool hold_open = false;
  grpc::Status end_status = grpc::Status::OK;
  // Recorded.
  std::vector<api::JobSetRequest> requests;

  grpc::Status GetJobSetEvents(grpc::ServerContext* context, const api::JobSetRequest* request,
                               grpc::ServerWriter<api::EventStreamMessage>* writer) override {
    {
      absl::MutexLock lock(&mutex_);
      requests.push_back(*request);
    }
    for (const api::EventStreamMessage& event : events) writer->Write(event);
    if (!hold_open) return end_status;
    // Only the client's cancellation ends a held stream; the bound keeps a broken test finite.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!context->IsCancelled() && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return grpc::Status::CANCELLED;
  }

 private:
  absl::Mutex mutex_;
};

class FakeArmadaServer {
 public:
  FakeArmadaServer() {
    grpc::ServerBuilder builder;
    builder.RegisterService(&queues);
    builder.RegisterService(&submit);
    builder.RegisterService(&events);
    server_ = builder.BuildAndStart();
  }
  ~FakeArmadaServer() { server_->Shutdown(); }

  // A client on an in-process channel to this server.
  std::unique_ptr<ArmadaClient> Client() {
    return std::make_unique<ArmadaClient>(server_->InProcessChannel(grpc::ChannelArguments()));
  }

  FakeQueueService queues;
  FakeSubmitService submit;
  FakeEventService events;

 private:
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace armada::cli::testing
