// FakeArmadaServer: an in-process gRPC server with scripted QueueService, Submit, Event, Jobs,
// Executor, Node and Binoculars services (no SchedulerReporting: its calls answer UNIMPLEMENTED),
// for testing ArmadaClient and the armadactl commands without a real server. Test code only.
// Configure the public fields before the first call; read the recorded fields after the calls have
// returned.
#pragma once

#include <chrono>
#include <map>
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
#include "api/executor.grpc.pb.h"
#include "api/job.grpc.pb.h"
#include "api/node.grpc.pb.h"
#include "api/submit.grpc.pb.h"
#include "binoculars/binoculars.grpc.pb.h"
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
  std::vector<api::Queue> updated;
  std::vector<std::string> cordoned;
  std::vector<std::string> uncordoned;
  std::vector<api::QueuePreemptRequest> preempts;
  std::vector<api::QueueCancelRequest> cancels;

  grpc::Status UpdateQueue(grpc::ServerContext*, const api::Queue* request,
                           google::protobuf::Empty*) override {
    absl::MutexLock lock(&mutex_);
    updated.push_back(*request);
    return status;
  }
  grpc::Status CordonQueue(grpc::ServerContext*, const api::QueueCordonRequest* request,
                           google::protobuf::Empty*) override {
    absl::MutexLock lock(&mutex_);
    cordoned.push_back(request->name());
    return status;
  }
  grpc::Status UncordonQueue(grpc::ServerContext*, const api::QueueUncordonRequest* request,
                             google::protobuf::Empty*) override {
    absl::MutexLock lock(&mutex_);
    uncordoned.push_back(request->name());
    return status;
  }
  grpc::Status PreemptOnQueue(grpc::ServerContext*, const api::QueuePreemptRequest* request,
                              google::protobuf::Empty*) override {
    absl::MutexLock lock(&mutex_);
    preempts.push_back(*request);
    return status;
  }
  grpc::Status CancelOnQueue(grpc::ServerContext*, const api::QueueCancelRequest* request,
                             google::protobuf::Empty*) override {
    absl::MutexLock lock(&mutex_);
    cancels.push_back(*request);
    return status;
  }

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
  std::vector<api::JobPreemptRequest> preempts;
  std::vector<api::JobReprioritizeRequest> reprioritizations;
  // Answers of PreemptJobs / ReprioritizeJobs.
  std::map<std::string, std::string> preemption_results;
  std::map<std::string, std::string> reprioritization_results;

  grpc::Status PreemptJobs(grpc::ServerContext*, const api::JobPreemptRequest* request,
                           api::PreemptionResult* response) override {
    absl::MutexLock lock(&mutex_);
    preempts.push_back(*request);
    response->mutable_preemption_results()->insert(preemption_results.begin(),
                                                   preemption_results.end());
    return grpc::Status::OK;
  }
  grpc::Status ReprioritizeJobs(grpc::ServerContext*, const api::JobReprioritizeRequest* request,
                                api::JobReprioritizeResponse* response) override {
    absl::MutexLock lock(&mutex_);
    reprioritizations.push_back(*request);
    response->mutable_reprioritization_results()->insert(reprioritization_results.begin(),
                                                         reprioritization_results.end());
    return grpc::Status::OK;
  }

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

class FakeJobsService final : public api::Jobs::Service {
 public:
  // Answered by GetJobDetails (runs only when expanded) and GetJobErrors, by job id.
  std::map<std::string, api::JobDetails> jobs;
  std::map<std::string, std::string> errors;
  // Recorded: the number of ids of each GetJobDetails request.
  std::vector<int> detail_request_sizes;

  grpc::Status GetJobDetails(grpc::ServerContext*, const api::JobDetailsRequest* request,
                             api::JobDetailsResponse* response) override {
    absl::MutexLock lock(&mutex_);
    detail_request_sizes.push_back(request->job_ids_size());
    for (const std::string& id : request->job_ids()) {
      auto it = jobs.find(id);
      if (it == jobs.end()) continue;
      api::JobDetails& details = (*response->mutable_job_details())[id];
      details = it->second;
      if (!request->expand_job_run()) details.clear_job_runs();
    }
    return grpc::Status::OK;
  }
  grpc::Status GetJobErrors(grpc::ServerContext*, const api::JobErrorsRequest* request,
                            api::JobErrorsResponse* response) override {
    for (const std::string& id : request->job_ids()) {
      auto it = errors.find(id);
      if (it != errors.end()) (*response->mutable_job_errors())[id] = it->second;
    }
    return grpc::Status::OK;
  }
  // GetJobStatus answers every id with the next of `states` (the last one repeats);
  // UNIMPLEMENTED while it is empty.
  std::vector<api::JobState> states;
  grpc::Status GetJobStatus(grpc::ServerContext*, const api::JobStatusRequest* request,
                            api::JobStatusResponse* response) override {
    absl::MutexLock lock(&mutex_);
    if (states.empty()) return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no states");
    const api::JobState state = states[std::min(status_calls_++, states.size() - 1)];
    for (const std::string& id : request->job_ids()) (*response->mutable_job_states())[id] = state;
    return grpc::Status::OK;
  }

 private:
  absl::Mutex mutex_;
  size_t status_calls_ = 0;
};

// binoculars.Binoculars: each Logs call gets the next of `answers` (the last one repeats);
// UNIMPLEMENTED while there are none.
class FakeBinocularsService final : public binoculars::Binoculars::Service {
 public:
  std::vector<binoculars::LogResponse> answers;
  std::vector<binoculars::LogRequest> requests;  // recorded

  grpc::Status Logs(grpc::ServerContext*, const binoculars::LogRequest* request,
                    binoculars::LogResponse* response) override {
    absl::MutexLock lock(&mutex_);
    if (answers.empty()) return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no Binoculars");
    *response = answers[std::min(requests.size(), answers.size() - 1)];
    requests.push_back(*request);
    return grpc::Status::OK;
  }

 private:
  absl::Mutex mutex_;
};

class FakeExecutorService final : public api::Executor::Service {
 public:
  // Recorded.
  std::vector<api::ExecutorSettingsUpsertRequest> upserts;
  std::vector<std::string> deleted;
  std::vector<api::ExecutorPreemptRequest> preempts;
  std::vector<api::ExecutorCancelRequest> cancels;

  grpc::Status UpsertExecutorSettings(grpc::ServerContext*,
                                      const api::ExecutorSettingsUpsertRequest* request,
                                      google::protobuf::Empty*) override {
    absl::MutexLock lock(&mutex_);
    upserts.push_back(*request);
    return grpc::Status::OK;
  }
  grpc::Status DeleteExecutor(grpc::ServerContext*, const api::ExecutorDeleteRequest* request,
                              google::protobuf::Empty*) override {
    absl::MutexLock lock(&mutex_);
    if (request->name() == "missing") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "executor missing does not exist");
    }
    deleted.push_back(request->name());
    return grpc::Status::OK;
  }
  grpc::Status PreemptOnExecutor(grpc::ServerContext*, const api::ExecutorPreemptRequest* request,
                                 google::protobuf::Empty*) override {
    absl::MutexLock lock(&mutex_);
    preempts.push_back(*request);
    return grpc::Status::OK;
  }
  grpc::Status CancelOnExecutor(grpc::ServerContext*, const api::ExecutorCancelRequest* request,
                                google::protobuf::Empty*) override {
    absl::MutexLock lock(&mutex_);
    cancels.push_back(*request);
    return grpc::Status::OK;
  }

 private:
  absl::Mutex mutex_;
};

class FakeNodeService final : public api::Node::Service {
 public:
  // Recorded.
  std::vector<api::NodePreemptRequest> preempts;
  std::vector<api::NodeCancelRequest> cancels;

  grpc::Status PreemptOnNode(grpc::ServerContext*, const api::NodePreemptRequest* request,
                             google::protobuf::Empty*) override {
    absl::MutexLock lock(&mutex_);
    preempts.push_back(*request);
    return grpc::Status::OK;
  }
  grpc::Status CancelOnNode(grpc::ServerContext*, const api::NodeCancelRequest* request,
                            google::protobuf::Empty*) override {
    absl::MutexLock lock(&mutex_);
    cancels.push_back(*request);
    return grpc::Status::OK;
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
    builder.RegisterService(&jobs);
    builder.RegisterService(&executors);
    builder.RegisterService(&nodes);
    builder.RegisterService(&binoculars);
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
  FakeJobsService jobs;
  FakeExecutorService executors;
  FakeNodeService nodes;
  FakeBinocularsService binoculars;

 private:
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace armada::cli::testing
