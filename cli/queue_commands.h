// armadactl's queue commands: create, delete, get. Each prints its result to `out` and returns
// the failure (a request error carries the server's message) for armadactl to report.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "api/submit.pb.h"
#include "cli/armada_client.h"

namespace armada::cli {

// Flags of `armadactl create queue NAME`.
struct QueueFlags {
  std::string name;
  // Must be >= 1 (checked by the server).
  double priority_factor = 1;
  std::vector<std::string> owners;
  std::vector<std::string> group_owners;
  bool cordon = false;
};

// QueueFromFlags(flags): the api.Queue the flags describe.
api::Queue QueueFromFlags(const QueueFlags& flags);

// FormatQueue(queue): the queue as a YAML queue file (apiVersion, kind, name, priorityFactor,
// cordoned, then the non-empty list/map fields, maps sorted by key), ending in a newline. The
// output is accepted by `armadactl create -f`.
std::string FormatQueue(const api::Queue& queue);

// `create queue`: CreateQueue, then prints "Created queue <name>".
absl::Status RunCreateQueue(ArmadaClient& client, const api::Queue& queue, std::ostream& out);

// `create -f FILE`: LoadQueueFile (cli/job_file.h), then as RunCreateQueue.
absl::Status RunCreateFromFile(ArmadaClient& client, const std::string& path, std::ostream& out);

// `delete queue NAME`: prints "Deleted queue <name>".
absl::Status RunDeleteQueue(ArmadaClient& client, const std::string& name, std::ostream& out);

// `get queue NAME`: prints FormatQueue of the queue.
absl::Status RunGetQueue(ArmadaClient& client, const std::string& name, std::ostream& out);

// `get queues`: prints every queue with FormatQueue, as YAML documents separated by "---".
// Prints nothing when there are no queues.
absl::Status RunGetQueues(ArmadaClient& client, std::ostream& out);

}  // namespace armada::cli
