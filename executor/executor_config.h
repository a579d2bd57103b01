#pragma once

// armada-executor's configuration (YAML). Everything has a default that suits
// one machine: cluster mode, the local backend with this machine's cpus and
// memory. docs/executor.md lists every key.

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "executor/backends/fake/fake_backend.h"
#include "executor/backends/kubernetes/kubernetes_config.h"
#include "lib/model/resource_list.h"
#include "lib/net/authorization.h"
#include "lib/net/tls_config.h"

namespace armada::executor {

struct ExecutorConfig {
  std::string server_url = "localhost:50051";
  // The connection to the server: TLS when the file has a `tls:` section
  // (caFile, certFile + keyFile for mutual TLS, serverName), plaintext
  // otherwise or when forceNoTls (tls.plaintext is the outcome).
  net::TlsClientConfig tls{.plaintext = true};
  // Credentials sent as the `authorization` header on every call:
  // username + password or passwordFile (Basic), or tokenFile (Bearer,
  // re-read when the file changes). Empty: none.
  net::ClientAuthConfig auth;
  // Default: this host's name. Node mode: "<executorId>-<NODE_NAME>", or NODE_NAME alone.
  std::string executor_id;
  std::string pool = "default";
  // "cluster": report and run on every node of the backend (one executor per cluster).
  // "node": only the node named by NODE_NAME (a DaemonSet, one executor per node).
  std::string mode = "cluster";
  std::string backend = "local";  // "local", "fake" or "kubernetes"
  // local backend: the node's name (node mode: NODE_NAME; default: this host's name),
  // labels and capacity (default: this machine's cpus and memory).
  std::string node_name;
  std::map<std::string, std::string> node_labels;
  model::ResourceList capacity;
  std::string work_dir = "/tmp/armada-executor";
  absl::Duration lease_period = absl::Seconds(1);
  absl::Duration log_retention = absl::Hours(24);
  // Back-pressure: no new leases while this many runs are leased but not yet pending.
  int max_leased_runs = 100;
  // Retry a failing server after lease_period, doubling up to this. Kept well
  // under the server's executorTimeout (60 s by default), so that an executor
  // that comes back after an outage is heard from within the server's grace.
  absl::Duration max_reconnect_backoff = absl::Seconds(10);
  // Events per ReportEvents call (a longer backlog goes in several calls).
  int max_events_per_report = 1000;
  // binoculars.Binoculars (a run's output, for armada-server and Lookout).
  struct Binoculars {
    std::string listen{};      // "host:port" to serve on; "" = not served
    std::string token_file{};  // callers must send "Bearer <file's content>"; "" = no check
  } binoculars;
  // backend: fake.
  FakeBackend::Options fake;
  // backend: kubernetes (see executor/backends/kubernetes/kubernetes_config.h).
  kubernetes::KubernetesConfig kubernetes;
};

// Reads `path` (empty: defaults only). ARMADA_URL overrides serverUrl; in node mode
// NODE_NAME (required) sets the node name. kInvalidArgument names the key and value
// that are wrong.
absl::StatusOr<ExecutorConfig> LoadExecutorConfig(const std::string& path);

// This machine's cpus (online processors) and memory (MemTotal).
model::ResourceList MachineCapacity();

}  // namespace armada::executor
