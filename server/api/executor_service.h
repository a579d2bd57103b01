#pragma once

// executorapi.ExecutorApi: the lease exchange and event reports from
// executors. Every call is a heartbeat, recorded on receipt in its own short
// transaction before anything else, so an executor counts as alive while it
// keeps calling, whether or not the server manages to apply what it sent.

#include "executorapi/executorapi.grpc.pb.h"
#include "lib/common/clock.h"
#include "lib/model/retry_policy.h"
#include "lib/store/database.h"

namespace armada::server {

class ExecutorService final : public executorapi::ExecutorApi::Service {
 public:
  ExecutorService(store::Database& db, const common::Clock& clock,
                  model::RetryPolicy policy = {})
      : db_(db), clock_(clock), policy_(policy) {}

  // Records the executor's report; answers with the runs it holds that are no
  // longer active or whose jobs are being cancelled (stop them), the leased
  // runs it does not hold yet (start them), and an end marker. A cancelled
  // job's run the executor never received is cancelled here and then.
  grpc::Status LeaseJobRuns(grpc::ServerContext* context,
                            grpc::ServerReaderWriter<executorapi::LeaseStreamMessage,
                                                     executorapi::LeaseRequest>* stream) override;

  // Applies the events in order in one transaction (RunReports says how).
  grpc::Status ReportEvents(grpc::ServerContext*, const executorapi::EventList* request,
                            google::protobuf::Empty*) override;

 private:
  store::Database& db_;
  const common::Clock& clock_;
  void RecordHeartbeat(const std::string& executor, const std::string& pool, absl::Time at);

  const model::RetryPolicy policy_;
};

}  // namespace armada::server
