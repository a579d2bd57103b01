#pragma once

// executorapi.ExecutorApi: the lease exchange (which is also the executor's
// heartbeat) and event reports from executors.

#include "executorapi/executorapi.grpc.pb.h"
#include "lib/common/clock.h"
#include "lib/store/database.h"

namespace armada::server {

class ExecutorService final : public executorapi::ExecutorApi::Service {
 public:
  // A job whose lease comes back after `max_retries` attempted runs fails
  // instead of being requeued.
  ExecutorService(store::Database& db, const common::Clock& clock, int max_retries = 3)
      : db_(db), clock_(clock), max_retries_(max_retries) {}

  // Records the executor's report; answers with the runs it holds that are no
  // longer active or whose jobs are being cancelled (stop them), the leased
  // runs it does not hold yet (start them), and an end marker. A cancelled
  // job's run the executor never received is cancelled here and then.
  grpc::Status LeaseJobRuns(grpc::ServerContext* context,
                            grpc::ServerReaderWriter<executorapi::LeaseStreamMessage,
                                                     executorapi::LeaseRequest>* stream) override;

  // Applies the events in order in one transaction. Each is applied at most
  // once: an event that no longer fits the run's state (a repeat, or a run
  // cancelled meanwhile) is skipped. A run that ends while its job is being
  // cancelled ends the cancel (unless it succeeded first). A returned lease
  // requeues the job, avoiding the nodes where it started before, until
  // max_retries attempted runs; then the job fails.
  grpc::Status ReportEvents(grpc::ServerContext*, const executorapi::EventList* request,
                            google::protobuf::Empty*) override;

 private:
  store::Database& db_;
  const common::Clock& clock_;
  const int max_retries_;
};

}  // namespace armada::server
