#pragma once

// executorapi.ExecutorApi: the lease exchange and event reports from
// executors. Every call is a heartbeat, recorded on receipt in its own short
// transaction before anything else, so an executor counts as alive while it
// keeps calling, whether or not the server manages to apply what it sent.
//
// Every call needs execute_jobs, and the caller must be the principal bound
// to the executor id it sends: fixed by the config's executorIdentities
// (exact ids, or a prefix ending in '*'), else bound to the first principal
// that calls as that id. An impostor is refused before its call counts as a
// heartbeat, and an executor can never report, return or adopt a run leased
// to another executor.

#include <map>
#include <string>

#include "executorapi/executorapi.grpc.pb.h"
#include "lib/common/clock.h"
#include "lib/model/retry_policy.h"
#include "lib/store/database.h"
#include "server/api/caller_auth.h"

namespace armada::server {

class ExecutorService final : public executorapi::ExecutorApi::Service {
 public:
  ExecutorService(store::Database& db, const common::Clock& clock, const CallerAuth& auth,
                  model::RetryPolicy policy = {},
                  std::map<std::string, std::string> executor_identities = {})
      : db_(db),
        clock_(clock),
        auth_(auth),
        policy_(policy),
        identities_(std::move(executor_identities)) {}

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
  // OK when the caller may act as `executor` (see above).
  absl::Status AuthorizeExecutor(const grpc::ServerContext& context, const std::string& executor);
  void RecordHeartbeat(const std::string& executor, const std::string& pool, absl::Time at);

  store::Database& db_;
  const common::Clock& clock_;
  const CallerAuth& auth_;
  const model::RetryPolicy policy_;
  const std::map<std::string, std::string> identities_;
};

}  // namespace armada::server
