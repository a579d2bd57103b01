#pragma once

// armada-server's configuration: a YAML file, then DATABASE_URL and REDIS_URL
// from the environment where the file leaves them unset.

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/auth/auth_config.h"
#include "lib/model/retry_policy.h"
#include "lib/model/submit_validation.h"
#include "lib/net/tls_config.h"
#include "lib/scheduling/scheduling_config.h"

namespace armada::server {

// Where the server finds each executor's Binoculars (a run's output).
struct BinocularsConfig {
  // "host:port" with {EXECUTOR_ID} (or Lookout's {CLUSTER_ID}) replaced by the
  // executor's id, e.g. "armada-executor-{EXECUTOR_ID}:50052"; "" = none.
  std::string executor_url_pattern{};
  std::map<std::string, std::string> executor_urls{};  // by executor id; wins over the pattern
  std::string token_file{};  // sent as "Bearer <content>"; the executors' binoculars.tokenFile
  absl::Duration timeout = absl::Seconds(10);  // per forwarded call
};

// How long history is kept (the `retention:` section; docs/operations.md,
// "Retention"). Ended jobs go with their runs and events after `jobs` (or
// their queue's entry in `queues`); executors silent for `executors` with no
// unfinished run are forgotten.
struct RetentionConfig {
  absl::Duration jobs = absl::Hours(14 * 24);
  std::map<std::string, absl::Duration> queues{};
  absl::Duration executors = absl::Hours(14 * 24);
  absl::Duration interval = absl::Minutes(1);  // how often a pruning round starts
  int batch_size = 500;                        // jobs deleted per transaction
};

struct ServerConfig {
  std::string grpc_address = "0.0.0.0:50051";
  // Armada's REST routes, /health and /metrics; empty: no HTTP port.
  std::string http_address = "0.0.0.0:8080";
  std::string database_url;  // required (file or DATABASE_URL)
  std::string redis_url;     // required (file or REDIS_URL)
  int database_connections = 16;
  // How often the leader runs a scheduling cycle.
  absl::Duration schedule_period = absl::Seconds(1);
  // Executors silent for longer than this get no new leases and their nodes
  // are left out of scheduling.
  absl::Duration executor_timeout = absl::Seconds(60);
  // Back-pressure: an executor holding this many runs it has not yet started
  // (leased, not pending) gets no new leases until it catches up.
  int max_unacknowledged_runs_per_executor = 2500;
  // maxRetries, maxAttemptedRuns and requeuePreemptedJobs.
  model::RetryPolicy retry;
  // A leader whose lock session has been silent this long (frozen, or cut off
  // from the database) loses the lock: PostgreSQL ends the session
  // (idle_session_timeout) and any decision transaction it left open
  // (idle_in_transaction_session_timeout), and another replica takes over.
  absl::Duration leader_lock_timeout = absl::Seconds(15);
  // At most this many leases per scheduling cycle (Armada's
  // maximumJobsToSchedule), written in transactions of at most
  // leasesPerTransaction leases, so that no cycle holds the event log's lock
  // for long and the lease and report paths stay served while it writes.
  int max_leases_per_cycle = 10000;
  int leases_per_transaction = 1000;
  // `eventRetention` (before retention: existed) is read as retention.jobs.
  RetentionConfig retention;
  // TLS on the gRPC and HTTP ports (the `tls:` section; docs/security-tls.md).
  // No certFile: plaintext.
  net::TlsServerConfig tls;
  model::SubmitConfig submit;
  scheduling::SchedulingConfig scheduling;
  // Who may call and what they may do (docs/security.md). Absent from the
  // file: anonymous callers with every permission.
  auth::AuthConfig auth;
  BinocularsConfig binoculars;
};

// Reads `path` (empty: defaults only) and applies environment overrides.
// kInvalidArgument names the key and value that are wrong.
absl::StatusOr<ServerConfig> LoadServerConfig(const std::string& path);

}  // namespace armada::server
