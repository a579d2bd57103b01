#include "cli/admin_commands.h"

#include "absl/strings/str_cat.h"
#include "cli/job_query_commands.h"
#include "lib/common/status_macros.h"

namespace armada::cli {
namespace {

template <typename Field>
void Assign(Field* field, const std::vector<std::string>& values) {
  field->Assign(values.begin(), values.end());
}

// The priority classes to send: -p's, or none (all) with -a.
std::vector<std::string> PriorityClasses(const JobScopeFlags& flags) {
  return flags.all_priority_classes ? std::vector<std::string>() : flags.priority_classes;
}

absl::Status CheckQueueSelector(const QueueSelector& selector) {
  if (selector.names.empty() && selector.match_labels.empty()) {
    return absl::InvalidArgumentError(
        "name the queues or select them by label (-l key=value); refusing to act on every queue");
  }
  return absl::OkStatus();
}

absl::Status CheckExecutorOfNode(const JobScopeFlags& flags) {
  if (flags.executor.empty()) {
    return absl::InvalidArgumentError("-e/--executor (the executor of the node) is required");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckPriorityClasses(const JobScopeFlags& flags) {
  if (flags.priority_classes.empty() == flags.all_priority_classes) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "give exactly one of -p/--priority-classes and -a/--all-priority-classes");
}

absl::Status RunCancelOnQueues(ArmadaClient& client, const QueueSelector& selector,
                               const JobScopeFlags& flags, bool dry_run, std::ostream& out) {
  RETURN_IF_ERROR(CheckQueueSelector(selector));
  RETURN_IF_ERROR(CheckPriorityClasses(flags));
  std::vector<api::JobState> states;
  for (const std::string& name : flags.job_states) {
    ASSIGN_OR_RETURN(const api::JobState state, ParseJobState(name));
    if (state != api::QUEUED && state != api::LEASED && state != api::PENDING &&
        state != api::RUNNING) {
      return absl::InvalidArgumentError(
          absl::StrCat("-s/--job-states: ", name,
                       ": only queued, leased, pending and running jobs can be "
                       "cancelled"));
    }
    states.push_back(state);
  }
  if (states.empty()) states = {api::QUEUED, api::LEASED, api::PENDING, api::RUNNING};
  ASSIGN_OR_RETURN(const std::vector<api::Queue> queues, FetchSelectedQueues(client, selector));
  for (const api::Queue& queue : queues) {
    if (dry_run) {
      out << "Would cancel jobs in queue " << queue.name() << "\n";
      continue;
    }
    api::QueueCancelRequest request;
    request.set_name(queue.name());
    Assign(request.mutable_priorityclasses(), PriorityClasses(flags));
    Assign(request.mutable_pools(), flags.pools);
    for (api::JobState state : states) request.add_jobstates(state);
    RETURN_IF_ERROR(client.CancelOnQueue(request));
    out << "Requested cancellation of jobs in queue " << queue.name() << "\n";
  }
  if (queues.empty()) out << "No queue matches\n";
  return absl::OkStatus();
}

absl::Status RunPreemptOnQueues(ArmadaClient& client, const QueueSelector& selector,
                                const JobScopeFlags& flags, bool dry_run, std::ostream& out) {
  RETURN_IF_ERROR(CheckQueueSelector(selector));
  RETURN_IF_ERROR(CheckPriorityClasses(flags));
  ASSIGN_OR_RETURN(const std::vector<api::Queue> queues, FetchSelectedQueues(client, selector));
  for (const api::Queue& queue : queues) {
    if (dry_run) {
      out << "Would preempt jobs in queue " << queue.name() << "\n";
      continue;
    }
    api::QueuePreemptRequest request;
    request.set_name(queue.name());
    Assign(request.mutable_priorityclasses(), PriorityClasses(flags));
    Assign(request.mutable_pools(), flags.pools);
    RETURN_IF_ERROR(client.PreemptOnQueue(request));
    out << "Requested preemption of jobs in queue " << queue.name() << "\n";
  }
  if (queues.empty()) out << "No queue matches\n";
  return absl::OkStatus();
}

absl::Status RunCancelOnExecutor(ArmadaClient& client, const std::string& name,
                                 const JobScopeFlags& flags, std::ostream& out) {
  RETURN_IF_ERROR(CheckPriorityClasses(flags));
  api::ExecutorCancelRequest request;
  request.set_name(name);
  Assign(request.mutable_queues(), flags.queues);
  Assign(request.mutable_priorityclasses(), PriorityClasses(flags));
  Assign(request.mutable_pools(), flags.pools);
  RETURN_IF_ERROR(client.CancelOnExecutor(request));
  out << "Requested cancellation of jobs on executor " << name << "\n";
  return absl::OkStatus();
}

absl::Status RunPreemptOnExecutor(ArmadaClient& client, const std::string& name,
                                  const JobScopeFlags& flags, std::ostream& out) {
  RETURN_IF_ERROR(CheckPriorityClasses(flags));
  api::ExecutorPreemptRequest request;
  request.set_name(name);
  Assign(request.mutable_queues(), flags.queues);
  Assign(request.mutable_priorityclasses(), PriorityClasses(flags));
  Assign(request.mutable_pools(), flags.pools);
  RETURN_IF_ERROR(client.PreemptOnExecutor(request));
  out << "Requested preemption of jobs on executor " << name << "\n";
  return absl::OkStatus();
}

absl::Status RunCancelOnNode(ArmadaClient& client, const std::string& name,
                             const JobScopeFlags& flags, std::ostream& out) {
  RETURN_IF_ERROR(CheckExecutorOfNode(flags));
  RETURN_IF_ERROR(CheckPriorityClasses(flags));
  api::NodeCancelRequest request;
  request.set_name(name);
  request.set_executor(flags.executor);
  Assign(request.mutable_queues(), flags.queues);
  Assign(request.mutable_priorityclasses(), PriorityClasses(flags));
  RETURN_IF_ERROR(client.CancelOnNode(request));
  out << "Requested cancellation of jobs on node " << name << " of executor " << flags.executor
      << "\n";
  return absl::OkStatus();
}

absl::Status RunPreemptOnNode(ArmadaClient& client, const std::string& name,
                              const JobScopeFlags& flags, std::ostream& out) {
  RETURN_IF_ERROR(CheckExecutorOfNode(flags));
  RETURN_IF_ERROR(CheckPriorityClasses(flags));
  api::NodePreemptRequest request;
  request.set_name(name);
  request.set_executor(flags.executor);
  Assign(request.mutable_queues(), flags.queues);
  Assign(request.mutable_priorityclasses(), PriorityClasses(flags));
  RETURN_IF_ERROR(client.PreemptOnNode(request));
  out << "Requested preemption of jobs on node " << name << " of executor " << flags.executor
      << "\n";
  return absl::OkStatus();
}

absl::Status RunCordonExecutor(ArmadaClient& client, const std::string& name,
                               const std::string& reason, bool cordon, std::ostream& out) {
  api::ExecutorSettingsUpsertRequest request;
  request.set_name(name);
  request.set_cordoned(cordon);
  request.set_cordonreason(reason);
  RETURN_IF_ERROR(client.UpsertExecutorSettings(request));
  out << (cordon ? "Cordoned" : "Uncordoned") << " executor " << name << "\n";
  return absl::OkStatus();
}

absl::Status RunDeleteExecutor(ArmadaClient& client, const std::string& name, std::ostream& out) {
  RETURN_IF_ERROR(client.DeleteExecutor(name));
  out << "Deleted executor " << name << "\n";
  return absl::OkStatus();
}

}  // namespace armada::cli
