#pragma once

// binoculars.Binoculars on armada-server: a job's output, wherever it ran.
// The server checks the caller (watch on the job's queue, as for its events),
// picks the job's latest run (or LogRequest.run_id), and forwards the call to
// the Binoculars of the executor that holds or last held that run, with the
// run id and the job's namespace filled in. Executors' addresses come from the
// config (ServerConfig::binoculars: a pattern on the executor id, as Lookout's
// binocularsBaseUrlPattern is on the cluster id, and per-executor entries).
//
// Errors: NOT_FOUND for a job the caller may not see, or one that has not run;
// FAILED_PRECONDITION when no address is configured for the executor;
// UNAVAILABLE (naming executor and address) when it cannot be reached;
// otherwise the executor's own answer, prefixed with its id. Cordon is
// UNIMPLEMENTED: single nodes are not cordoned; whole executors are
// (armadactl cordon executor).
// Thread-safe; channels to executors are made once and kept.

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "binoculars/binoculars.grpc.pb.h"
#include "lib/net/authorization.h"
#include "lib/store/database.h"
#include "server/api/caller_auth.h"
#include "server/server_config.h"

namespace armada::server {

class BinocularsProxy final : public binoculars::Binoculars::Service {
 public:
  // Borrows `db` and `auth`. `token` (may be null) is sent to executors as
  // their binoculars token.
  BinocularsProxy(store::Database& db, const CallerAuth& auth, BinocularsConfig config,
                  std::shared_ptr<net::AuthorizationSource> token)
      : db_(db), auth_(auth), config_(std::move(config)), token_(std::move(token)) {}

  grpc::Status Logs(grpc::ServerContext* context, const binoculars::LogRequest* request,
                    binoculars::LogResponse* response) override;
  grpc::Status Cordon(grpc::ServerContext* context, const binoculars::CordonRequest* request,
                      google::protobuf::Empty* response) override;

  // The address of `executor_id`'s Binoculars; "" when none is configured.
  static std::string ExecutorAddress(const BinocularsConfig& config,
                                     const std::string& executor_id);

 private:
  binoculars::Binoculars::Stub& StubFor(const std::string& address);

  store::Database& db_;
  const CallerAuth& auth_;
  const BinocularsConfig config_;
  const std::shared_ptr<net::AuthorizationSource> token_;
  absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<binoculars::Binoculars::Stub>> stubs_ ABSL_GUARDED_BY(mu_);
};

}  // namespace armada::server
