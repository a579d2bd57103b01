// armadactl's queue commands: create, update, delete, get, cordon, uncordon. Each prints its result
// to `out` and returns the failure (a request error carries the server's message) for armadactl
// to report.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "api/submit.pb.h"
#include "cli/armada_client.h"
#include "cli/output_format.h"

namespace armada::cli {

// Flags of `armadactl create queue NAME` and `update queue NAME`.
struct QueueFlags {
  std::string name;
  // Must be >= 1 (checked by the server).
  double priority_factor = 1;
  std::vector<std::string> owners;
  std::vector<std::string> group_owners;
  bool cordon = false;
  // "key=value" each.
  std::vector<std::string> labels;
  std::vector<std::string> retry_policies;
};

// ParseLabels(items): "key=value" items as a map. kInvalidArgument names an item without '=' or
// with an empty key.
absl::StatusOr<std::map<std::string, std::string>> ParseLabels(
    const std::vector<std::string>& items);

// QueueFromFlags(flags): the api.Queue the flags describe. Errors: those of ParseLabels.
absl::StatusOr<api::Queue> QueueFromFlags(const QueueFlags& flags);

// Which queues a command acts on (get queues, cordon/uncordon/cancel/preempt queues).
struct QueueSelector {
  // Queue names; empty: every queue.
  std::vector<std::string> names;
  // "key=value" labels a queue must all have.
  std::vector<std::string> match_labels;
  // Select the queues that the names and labels do NOT select.
  bool inverse = false;
  // Then keep only cordoned queues.
  bool only_cordoned = false;
};

// SelectQueues(queues, selector): the selected queues in the given order. Errors: ParseLabels'.
absl::StatusOr<std::vector<api::Queue>> SelectQueues(const std::vector<api::Queue>& queues,
                                                     const QueueSelector& selector);

// FetchSelectedQueues(client, selector): GetQueues then SelectQueues. kNotFound names the
// requested queues that do not exist.
absl::StatusOr<std::vector<api::Queue>> FetchSelectedQueues(ArmadaClient& client,
                                                            const QueueSelector& selector);

// QueueToJson(queue): the queue file as JSON: apiVersion, kind, then the api.Queue fields.
nlohmann::ordered_json QueueToJson(const api::Queue& queue);

// FormatQueuesTable(queues): NAME, PRIORITY FACTOR, CORDONED, OWNERS, GROUP OWNERS, LABELS
// (k=v sorted, comma-separated).
std::string FormatQueuesTable(const std::vector<api::Queue>& queues);

// FormatQueue(queue): the queue as a YAML queue file (apiVersion, kind, name, priorityFactor,
// cordoned, then the non-empty list/map fields, maps sorted by key), ending in a newline. The
// output is accepted by `armadactl create -f`.
std::string FormatQueue(const api::Queue& queue);

// `create queue`: CreateQueue, then prints "Created queue <name>".
absl::Status RunCreateQueue(ArmadaClient& client, const api::Queue& queue, std::ostream& out);

// `create -f FILE`: LoadQueueFile (cli/job_file.h), then as RunCreateQueue. With `dry_run` only
// the file is checked: "Dry run: <file> is a valid queue file for queue <name>".
absl::Status RunCreateFromFile(ArmadaClient& client, const std::string& path, bool dry_run,
                               std::ostream& out);

// `update queue`: UpdateQueue (the whole queue is replaced), then "Updated queue <name>".
absl::Status RunUpdateQueue(ArmadaClient& client, const api::Queue& queue, std::ostream& out);

// `update -f FILE`: LoadQueueFile, then as RunUpdateQueue.
absl::Status RunUpdateFromFile(ArmadaClient& client, const std::string& path, bool dry_run,
                               std::ostream& out);

// `delete queue NAME`: prints "Deleted queue <name>".
absl::Status RunDeleteQueue(ArmadaClient& client, const std::string& name, std::ostream& out);

// `get queue NAME`: prints FormatQueue of the queue (kYaml, the default for one queue, as
// Armada), QueueToJson, or a one-row FormatQueuesTable.
absl::Status RunGetQueue(ArmadaClient& client, const std::string& name, OutputFormat format,
                         std::ostream& out);

// `get queues [NAME...]`: the selected queues as FormatQueuesTable (the default), as YAML
// documents separated by "---" (Armada's output), or as a JSON array of QueueToJson.
// A table with no rows prints "No queues".
absl::Status RunGetQueues(ArmadaClient& client, const QueueSelector& selector, OutputFormat format,
                          std::ostream& out);

// `cordon queues` / `uncordon queues`: CordonQueue / UncordonQueue for each selected queue,
// printing "Cordoned queue <name>" / "Uncordoned queue <name>" (with `dry_run`, "Would cordon
// queue <name>" and no request). kInvalidArgument when the selector names neither queues nor
// labels (it would act on every queue). Stops at the first failure.
absl::Status RunCordonQueues(ArmadaClient& client, const QueueSelector& selector, bool cordon,
                             bool dry_run, std::ostream& out);

}  // namespace armada::cli
