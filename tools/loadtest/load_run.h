#pragma once

// One load run: create queues, submit jobs through api.Submit/SubmitJobs, watch every job set
// with api.Event/GetJobSetEvents (watch) until each of its jobs has ended, and measure.

#include <map>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "lib/net/authorization.h"
#include "lib/net/tls_config.h"

namespace armada::loadtest {

struct LoadOptions {
  std::string url = "127.0.0.1:50051";
  long jobs = 1000;
  int job_sets = 10;
  int queues = 1;
  std::string queue_prefix = "loadtest";
  std::string job_set_prefix;  // empty: "lt-<unix seconds>"
  int batch = 100;             // items per SubmitJobs request
  double rate = 0;             // jobs per second; 0: as fast as possible
  int submitters = 4;          // concurrent SubmitJobs calls
  int channels = 8;            // gRPC connections shared by the watchers
  std::string cpu = "100m";
  std::string memory = "64Mi";
  std::string runtime = "1s";  // the fake backend's armadaproject.io/fakeRuntime
  bool watch = true;           // false: submit only
  double timeout_seconds = 600;
  // The connection: plaintext unless --tls (or a TLS file) is given.
  net::TlsClientConfig tls{.plaintext = true};
  // Sent as `authorization` on every call (Basic or Bearer); empty: none.
  net::ClientAuthConfig auth;
};

struct LoadResult {
  long submitted = 0;
  double submit_seconds = 0;
  double submit_rate = 0;  // jobs / s, first request sent to last response
  long leased = 0;
  long succeeded = 0;
  long failed = 0;  // failed or cancelled
  long events = 0;
  double lease_p50_ms = 0;  // leased.created - submitted.created
  double lease_p99_ms = 0;
  double event_delay_p50_ms = 0;  // receive time - created
  double event_delay_p99_ms = 0;
  double completion_rate = 0;  // ended jobs / s, first submit to last end
  double throughput = 0;       // succeeded / s, first lease to last success (by created)
  double watch_seconds = 0;    // first submit to last end received
  bool timed_out = false;
  // Event delay by event kind ("leased", "succeeded", ...): {p50, p99} in ms.
  std::map<std::string, std::pair<double, double>> delay_by_kind_ms;
};

// RunLoad(options): the run's figures. kUnavailable/kInvalidArgument etc. from the server when
// queue creation or a submission fails; a run that times out is OK with timed_out set.
absl::StatusOr<LoadResult> RunLoad(const LoadOptions& options);

}  // namespace armada::loadtest
