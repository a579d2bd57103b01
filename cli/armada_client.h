// ArmadaClient: the gRPC calls armadactl makes, behind absl::Status.
//
// Wraps the stubs of api.QueueService, api.Submit, api.Event, api.Jobs, api.Executor and api.Node
// on one channel. Every method returns the server's outcome translated by FromGrpcStatus: the
// same code and, as the message, the server's own message (so armadactl can print
// "Error: <message>").
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/channel.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "api/event.grpc.pb.h"
#include "api/executor.grpc.pb.h"
#include "api/job.grpc.pb.h"
#include "api/node.grpc.pb.h"
#include "api/submit.grpc.pb.h"

namespace armada::cli {

struct ArmadaClientOptions {
  // host:port of the Armada server's gRPC endpoint.
  std::string url = "localhost:50051";
  // Deadline of each unary call. Streams (GetQueues, WatchJobSet) have none.
  absl::Duration timeout = absl::Seconds(30);
  // Use TLS instead of a plaintext channel; with it, PEM files: the CAs the server's certificate
  // must chain to (empty: the system roots), a client certificate and its key for mutual TLS
  // (both or neither), and the name the server's certificate must carry when it is not the host
  // of `url` (empty: that host).
  bool use_tls = false;
  std::string ca_file;
  std::string client_cert_file;
  std::string client_key_file;
  std::string tls_server_name;
  // Sent with every call, e.g. {"authorization", "Basic dXNlcjpwdw=="}. Keys are lowercase.
  std::vector<std::pair<std::string, std::string>> metadata;
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
  // `metadata` as in ArmadaClientOptions.
  explicit ArmadaClient(std::shared_ptr<grpc::Channel> channel,
                        absl::Duration timeout = ArmadaClientOptions().timeout,
                        std::vector<std::pair<std::string, std::string>> metadata = {});

  // Connect(options): a client on a channel to options.url (TLS if options.use_tls, else
  // plaintext). Reads the TLS files now: kNotFound "caFile <path>: cannot be read" (likewise
  // clientCertFile, clientKeyFile). Does not connect yet: connection errors, a certificate the
  // server refuses included, surface on the first call (kUnavailable).
  static absl::StatusOr<std::unique_ptr<ArmadaClient>> Connect(const ArmadaClientOptions& options);

  // QueueService.CreateQueue / UpdateQueue / DeleteQueue / GetQueue.
  absl::Status CreateQueue(const api::Queue& queue);
  absl::Status UpdateQueue(const api::Queue& queue);
  absl::Status DeleteQueue(const std::string& name);
  absl::StatusOr<api::Queue> GetQueue(const std::string& name);

  // QueueService.GetQueues: every queue, in server order. Reads the stream up to its EndMarker;
  // kUnavailable if the stream ends without one.
  absl::StatusOr<std::vector<api::Queue>> GetQueues();

  // QueueService.CordonQueue / UncordonQueue / PreemptOnQueue / CancelOnQueue.
  absl::Status CordonQueue(const std::string& name);
  absl::Status UncordonQueue(const std::string& name);
  absl::Status PreemptOnQueue(const api::QueuePreemptRequest& request);
  absl::Status CancelOnQueue(const api::QueueCancelRequest& request);

  // Submit.SubmitJobs with one request (callers split large submissions, see job_commands.h).
  absl::StatusOr<api::JobSubmitResponse> SubmitJobs(const api::JobSubmitRequest& request);

  // Submit.CancelJobs for one job / Submit.CancelJobSet for a whole job set.
  absl::StatusOr<api::CancellationResult> CancelJob(const std::string& queue,
                                                    const std::string& job_set,
                                                    const std::string& job_id);
  absl::Status CancelJobSet(const std::string& queue, const std::string& job_set);

  // Submit.PreemptJobs / Submit.ReprioritizeJobs.
  absl::StatusOr<api::PreemptionResult> PreemptJobs(const api::JobPreemptRequest& request);
  absl::StatusOr<api::JobReprioritizeResponse> ReprioritizeJobs(
      const api::JobReprioritizeRequest& request);

  // Executor.UpsertExecutorSettings / DeleteExecutorSettings / DeleteExecutor /
  // PreemptOnExecutor / CancelOnExecutor.
  absl::Status UpsertExecutorSettings(const api::ExecutorSettingsUpsertRequest& request);
  absl::Status DeleteExecutorSettings(const std::string& name);
  absl::Status DeleteExecutor(const std::string& name);
  absl::Status PreemptOnExecutor(const api::ExecutorPreemptRequest& request);
  absl::Status CancelOnExecutor(const api::ExecutorCancelRequest& request);

  // Node.PreemptOnNode / CancelOnNode.
  absl::Status PreemptOnNode(const api::NodePreemptRequest& request);
  absl::Status CancelOnNode(const api::NodeCancelRequest& request);

  // Jobs.GetJobStatus / GetJobDetails / GetJobErrors / GetJobRunDetails: one request each
  // (the server takes at most 500 ids per request; callers split, see job_query_commands.h).
  absl::StatusOr<api::JobStatusResponse> GetJobStatus(const api::JobStatusRequest& request);
  absl::StatusOr<api::JobDetailsResponse> GetJobDetails(const api::JobDetailsRequest& request);
  absl::StatusOr<api::JobErrorsResponse> GetJobErrors(const api::JobErrorsRequest& request);
  absl::StatusOr<api::JobRunDetailsResponse> GetJobRunDetails(
      const api::JobRunDetailsRequest& request);

  // A unary call of a service this client has no generated stub for, with serialized request
  // and response (e.g. "/schedulerobjects.SchedulerReporting/GetJobReport"). Returns the
  // serialized response.
  absl::StatusOr<std::string> CallRaw(const std::string& method, const std::string& request);

  // Event.GetJobSetEvents: calls `on_event` for each event of the job set, from the beginning.
  // With `watch` the stream stays open for new events until `on_event` returns false (then OK)
  // or the server ends it; without, it ends after the stored events. Blocks meanwhile.
  absl::Status GetJobSetEvents(const std::string& queue, const std::string& job_set, bool watch,
                               const EventCallback& on_event);

 private:
  // Adds the metadata and, for unary calls, the deadline.
  void Prepare(grpc::ClientContext& context, bool deadline = true) const;
  template <typename Stub, typename Request, typename Response>
  absl::StatusOr<Response> Unary(Stub& stub,
                                 grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                              Response*),
                                 const Request& request) const;

  std::shared_ptr<grpc::Channel> channel_;
  absl::Duration timeout_;
  std::vector<std::pair<std::string, std::string>> metadata_;
  std::unique_ptr<api::QueueService::Stub> queues_;
  std::unique_ptr<api::Submit::Stub> submit_;
  std::unique_ptr<api::Event::Stub> events_;
  std::unique_ptr<api::Jobs::Stub> jobs_;
  std::unique_ptr<api::Executor::Stub> executors_;
  std::unique_ptr<api::Node::Stub> nodes_;
};

}  // namespace armada::cli
