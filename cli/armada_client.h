// ArmadaClient: the gRPC calls armadactl makes, behind absl::Status.
//
// Wraps the stubs of api.QueueService, api.Submit and api.Event on one channel. Every method
// returns the server's outcome translated by FromGrpcStatus: the same code and, as the message,
// the server's own message (so armadactl can print "Error: <message>").
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/channel.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "api/event.grpc.pb.h"
#include "api/submit.grpc.pb.h"

namespace armada::cli {

struct ArmadaClientOptions {
  // host:port of the Armada server's gRPC endpoint.
  std::string url = "localhost:50051";
  // Deadline of each unary call. Streams (GetQueues, WatchJobSet) have none.
  absl::Duration timeout = absl::Seconds(30);
};

// FromGrpcStatus(status): `status` as an absl::Status with the same code and message. An error
// without a message gets the code's name ("UNAVAILABLE") as message.
absl::Status FromGrpcStatus(const grpc::Status& status);

// Called for each event of a watched job set; return false to stop watching.
using EventCallback = std::function<bool(const api::EventStreamMessage&)>;

// Thread-safe: gRPC stubs may be used concurrently; the class holds no other state.
class ArmadaClient {
 public:
  // Uses `channel` (e.g. an in-process channel in tests). `timeout` as in ArmadaClientOptions.
  explicit ArmadaClient(std::shared_ptr<grpc::Channel> channel,
                        absl::Duration timeout = ArmadaClientOptions().timeout);

  // Connect(options): a client on an insecure channel to options.url. Does not connect yet:
  // connection errors surface on the first call (kUnavailable).
  static std::unique_ptr<ArmadaClient> Connect(const ArmadaClientOptions& options);

  // QueueService.CreateQueue / UpdateQueue / DeleteQueue / GetQueue.
  absl::Status CreateQueue(const api::Queue& queue);
  absl::Status UpdateQueue(const api::Queue& queue);
  absl::Status DeleteQueue(const std::string& name);
  absl::StatusOr<api::Queue> GetQueue(const std::string& name);

  // QueueService.GetQueues: every queue, in server order. Reads the stream up to its EndMarker;
  // kUnavailable if the stream ends without one.
  absl::StatusOr<std::vector<api::Queue>> GetQueues();

  // Submit.SubmitJobs with one request (callers split large submissions, see job_commands.h).
  absl::StatusOr<api::JobSubmitResponse> SubmitJobs(const api::JobSubmitRequest& request);

  // Submit.CancelJobs for one job / Submit.CancelJobSet for a whole job set.
  absl::StatusOr<api::CancellationResult> CancelJob(const std::string& queue,
                                                    const std::string& job_set,
                                                    const std::string& job_id);
  absl::Status CancelJobSet(const std::string& queue, const std::string& job_set);

  // Event.GetJobSetEvents: calls `on_event` for each event of the job set, from the beginning.
  // With `watch` the stream stays open for new events until `on_event` returns false (then OK)
  // or the server ends it; without, it ends after the stored events. Blocks meanwhile.
  absl::Status GetJobSetEvents(const std::string& queue, const std::string& job_set, bool watch,
                               const EventCallback& on_event);

 private:
  void SetDeadline(grpc::ClientContext& context) const;

  std::shared_ptr<grpc::Channel> channel_;
  absl::Duration timeout_;
  std::unique_ptr<api::QueueService::Stub> queues_;
  std::unique_ptr<api::Submit::Stub> submit_;
  std::unique_ptr<api::Event::Stub> events_;
};

}  // namespace armada::cli
