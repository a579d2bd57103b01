#pragma once

// executorapi.ExecutorApi: the lease exchange (which is also the executor's
// heartbeat) and event reports from executors.

#include "executorapi/executorapi.grpc.pb.h"
#include "lib/common/clock.h"
#include "lib/store/database.h"

namespace armada::server {

class ExecutorService final : public executorapi::ExecutorApi::Service {
 public:
  ExecutorService(store::Database& db, const common::Clock& clock) : db_(db), clock_(clock) {}

  // Records the executor's report; answers with the runs it holds that are no
  // longer active (cancel them), the leased runs it does not hold yet (start
  // them), and an end marker.
  grpc::Status LeaseJobRuns(grpc::ServerContext* context,
                            grpc::ServerReaderWriter<executorapi::LeaseStreamMessage,
                                                     executorapi::LeaseRequest>* stream) override;

  // Applies the events in order in one transaction. Each is applied at most
  // once: an event that no longer fits the run's state (a repeat, or a run
  // cancelled meanwhile) is skipped.
  grpc::Status ReportEvents(grpc::ServerContext*, const executorapi::EventList* request,
                            google::protobuf::Empty*) override;

 private:
  store::Database& db_;
  const common::Clock& clock_;
};

}  // namespace armada::server
