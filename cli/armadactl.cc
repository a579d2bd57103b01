// armadactl: command-line client of an Armada-compatible server.
//
// This file only maps the command line (CLI11, used in this translation unit alone) to the Run*
// functions of cli/*_commands.h and cli/cli_config.h, and prints the command reference
// (`armadactl docs`). Exit codes: 0 success; 1 failed request, invalid input or config file
// ("Error: <message>" on stderr); 2 usage error.
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/admin_commands.h"
#include "cli/armada_client.h"
#include "cli/cli_config.h"
#include "cli/credentials.h"
#include "cli/job_commands.h"
#include "cli/job_query_commands.h"
#include "cli/output_format.h"
#include "cli/queue_commands.h"
#include "cli/report_commands.h"
#include "cli/version.h"
#include "lib/common/status_macros.h"

namespace armada::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// The configuration and the connection, made on first use so that commands which need neither
// (version, docs) work without a config file or a server.
class Session {
 public:
  Session(GlobalFlags flags, CliEnvironment env) : flags_(std::move(flags)), env_(std::move(env)) {
    path_ = ConfigPath(flags_, env_, &explicit_path_);
  }

  const std::string& config_path() const { return path_; }
  bool used_tls() const { return connection_.has_value() && connection_->options.use_tls; }

  absl::StatusOr<const CliConfig*> Config() {
    if (!config_.has_value()) {
      absl::StatusOr<CliConfig> loaded = LoadCliConfig(path_, explicit_path_);
      if (!loaded.ok()) return loaded.status();
      config_ = std::move(*loaded);
    }
    return &*config_;
  }

  absl::StatusOr<const ResolvedConnection*> Connection() {
    if (!connection_.has_value()) {
      ASSIGN_OR_RETURN(const CliConfig* config, Config());
      ASSIGN_OR_RETURN(ResolvedConnection resolved, ResolveConnection(*config, flags_, env_));
      for (const std::string& note : resolved.notes) std::cerr << "Note: " << note << "\n";
      connection_ = std::move(resolved);
    }
    return &*connection_;
  }

  // The client, with the context's credentials obtained here, once per invocation (a fetched
  // token serves every call of the command).
  absl::StatusOr<ArmadaClient*> Client() {
    if (client_ == nullptr) {
      ASSIGN_OR_RETURN(const ResolvedConnection* connection, Connection());
      ArmadaClientOptions options = connection->options;
      if (connection->auth.has_value()) {
        ASSIGN_OR_RETURN(std::string authorization,
                         Authorization(*connection->auth, CredentialSources::Real()));
        options.metadata.emplace_back("authorization", std::move(authorization));
      }
      ASSIGN_OR_RETURN(client_, ArmadaClient::Connect(options));
    }
    return client_.get();
  }

 private:
  GlobalFlags flags_;
  CliEnvironment env_;
  std::string path_;
  bool explicit_path_ = false;
  std::optional<CliConfig> config_;
  std::optional<ResolvedConnection> connection_;
  std::unique_ptr<ArmadaClient> client_;
};

using Action = std::function<absl::Status(Session&)>;
using ClientAction = std::function<absl::Status(ArmadaClient&)>;

// What the command line asks for. CLI11 fills the fields while parsing; the chosen command's
// callback sets `action`, which runs after parsing so no CLI11 exception crosses a request.
struct CommandLine {
  GlobalFlags global;
  std::string file;
  bool dry_run = false;
  QueueFlags queue;
  QueueSelector selector;
  JobScopeFlags scope;
  std::string name;
  std::string queue_name;
  std::string job_set;
  std::string job_id;
  std::string reason;
  double priority = 0;
  std::vector<std::string> states;
  std::string output;
  WatchOptions watch;
  LogsOptions logs;
  SchedulingReportOptions report;
  bool to_stdout = false;
  bool ignored_flag = false;
  Action action;
};

void SetClientAction(CommandLine& cl, ClientAction action) {
  cl.action = [action = std::move(action)](Session& session) -> absl::Status {
    ASSIGN_OR_RETURN(ArmadaClient * client, session.Client());
    return action(*client);
  };
}

// `-o table|yaml|json` on a `get` command.
void AddOutputFlag(CLI::App* command, CommandLine& cl, const std::string& default_format) {
  command
      ->add_option(
          "-o,--output", cl.output,
          absl::StrCat("Output format: table, yaml or json (default ", default_format, ")"))
      ->check(CLI::IsMember(kOutputFormatNames));
}

OutputFormat Format(const CommandLine& cl, OutputFormat default_format) {
  if (cl.output.empty()) return default_format;
  absl::StatusOr<OutputFormat> format = ParseOutputFormat(cl.output);
  return format.ok() ? *format : default_format;  // CLI11 checked the value.
}

void AddQueueFlags(CLI::App* command, CommandLine& cl) {
  command->add_option("name", cl.queue.name, "Queue name")->required();
  command
      ->add_option("--priority-factor,--priorityFactor", cl.queue.priority_factor,
                   "Priority factor (>= 1); a higher factor means a smaller share")
      ->capture_default_str();
  command->add_option("--owners", cl.queue.owners, "Users owning the queue: a,b")->delimiter(',');
  command
      ->add_option("--group-owners,--groupOwners", cl.queue.group_owners,
                   "Groups owning the queue: a,b")
      ->delimiter(',');
  command->add_flag("--cordon", cl.queue.cordon, "Cordon the queue (no new scheduling)");
  command->add_option("-l,--labels", cl.queue.labels, "Queue labels: k=v,k2=v2")->delimiter(',');
  command->add_option("--retry-policies", cl.queue.retry_policies, "Retry policy names: a,b")
      ->delimiter(',');
}

// The queue selection flags of get/cordon/uncordon/cancel/preempt queues.
void AddQueueSelector(CLI::App* command, CommandLine& cl, const char* labels_flag, bool cordoned) {
  command->add_option("queues", cl.selector.names, "Queue names");
  command
      ->add_option(labels_flag, cl.selector.match_labels,
                   "Select queues having all these labels: k=v,k2=v2")
      ->delimiter(',');
  command->add_flag("--inverse", cl.selector.inverse,
                    "Select the queues the names and labels do not select");
  if (cordoned) {
    command->add_flag("--only-cordoned", cl.selector.only_cordoned, "Keep only cordoned queues");
  }
}

// -p / -a, and optionally -q, --pools, -e.
void AddScopeFlags(CLI::App* command, CommandLine& cl, bool queues, bool pools, bool executor) {
  if (queues) {
    command->add_option("-q,--queues", cl.scope.queues, "Only jobs of these queues: a,b")
        ->delimiter(',');
  }
  CLI::Option* classes = command
                             ->add_option("-p,--priority-classes", cl.scope.priority_classes,
                                          "Only jobs of these priority classes: a,b")
                             ->delimiter(',');
  command
      ->add_flag("-a,--all-priority-classes", cl.scope.all_priority_classes,
                 "Jobs of every priority class")
      ->excludes(classes);
  if (pools) {
    command->add_option("--pools", cl.scope.pools, "Only jobs in these pools: a,b")->delimiter(',');
  }
  if (executor) {
    command->add_option("-e,--executor", cl.scope.executor, "Executor of the node")->required();
  }
}

void RequirePriorityClasses(const CommandLine& cl) {
  if (!CheckPriorityClasses(cl.scope).ok()) {
    throw CLI::ValidationError("give one of -p/--priority-classes and -a/--all-priority-classes");
  }
}

void RequireQueueSelection(const CommandLine& cl) {
  if (cl.selector.names.empty() && cl.selector.match_labels.empty()) {
    throw CLI::ValidationError("name the queues or select them by label (-l key=value)");
  }
}

void AddSubmitAndWatch(CLI::App& app, CommandLine& cl) {
  CLI::App* submit = app.add_subcommand("submit", "Submit the jobs of a job file");
  submit->add_option("file", cl.file, "YAML or JSON job file (queue, jobSetId, jobs)")->required();
  submit->add_flag("--dry-run", cl.dry_run, "Only load and check the file");
  submit->callback([&cl] {
    SetClientAction(cl, [&cl](ArmadaClient& client) {
      return RunSubmit(client, cl.file, cl.dry_run, std::cout, std::cerr);
    });
  });

  CLI::App* watch = app.add_subcommand("watch", "Print the events of a job set as they happen");
  watch->add_option("queue", cl.queue_name, "Queue")->required();
  watch->add_option("job-set", cl.job_set, "Job set")->required();
  watch->add_flag("--raw", cl.watch.raw, "Print each event as protobuf JSON");
  watch->add_flag("--exit-if-inactive", cl.watch.exit_if_inactive,
                  "Exit once every job of the job set has finished");
  watch->add_flag("--force-new-events,--force-legacy-events", cl.ignored_flag,
                  "Accepted for compatibility; no effect");
  watch->callback([&cl] {
    SetClientAction(cl, [&cl](ArmadaClient& client) {
      // The live counts go to a terminal only, never into a pipe or a log file.
      if (isatty(STDERR_FILENO)) cl.watch.live_summary = &std::cerr;
      return RunWatch(client, cl.queue_name, cl.job_set, cl.watch, std::cout);
    });
  });
}

void AddCancel(CLI::App& app, CommandLine& cl) {
  CLI::App* cancel = app.add_subcommand("cancel", "Cancel jobs");
  cancel->require_subcommand(1);
  CLI::App* job = cancel->add_subcommand("job", "Cancel one job");
  job->add_option("queue", cl.queue_name, "Queue")->required();
  job->add_option("job-set", cl.job_set, "Job set")->required();
  job->add_option("job-id", cl.job_id, "Job id")->required();
  job->callback([&cl] {
    SetClientAction(cl, [&cl](ArmadaClient& client) {
      return RunCancelJob(client, cl.queue_name, cl.job_set, cl.job_id, std::cout);
    });
  });
  CLI::App* job_set = cancel->add_subcommand("job-set", "Cancel every job of a job set");
  job_set->add_option("queue", cl.queue_name, "Queue")->required();
  job_set->add_option("job-set", cl.job_set, "Job set")->required();
  job_set->callback([&cl] {
    SetClientAction(cl, [&cl](ArmadaClient& client) {
      return RunCancelJobSet(client, cl.queue_name, cl.job_set, std::cout);
    });
  });
  CLI::App* queues = cancel->add_subcommand("queues", "Cancel the jobs of queues");
  AddQueueSelector(queues, cl, "-l,--selector", /*cordoned=*/true);
  AddScopeFlags(queues, cl, /*queues=*/false, /*pools=*/true, /*executor=*/false);
  queues
      ->add_option("-s,--job-states", cl.scope.job_states,
                   "Only jobs in these states: queued,leased,pending,running (default all four)")
      ->delimiter(',');
  queues->add_flag("--dry-run", cl.dry_run, "Only print the queues that would be affected");
  queues->callback([&cl] {
    RequireQueueSelection(cl);
    RequirePriorityClasses(cl);
    SetClientAction(cl, [&cl](ArmadaClient& client) {
      return RunCancelOnQueues(client, cl.selector, cl.scope, cl.dry_run, std::cout);
    });
  });
  CLI::App* executor = cancel->add_subcommand("executor", "Cancel the jobs on an executor");
  executor->add_option("executor", cl.name, "Executor name")->required();
  AddScopeFlags(executor, cl, /*queues=*/true, /*pools=*/true, /*executor=*/false);
  executor->callback([&cl] {
    RequirePriorityClasses(cl);
    SetClientAction(cl, [&cl](ArmadaClient& client) {
      return RunCancelOnExecutor(client, cl.name, cl.scope, std::cout);
    });
  });
  CLI::App* node = cancel->add_subcommand("node", "Cancel the jobs on a node");
  node->add_option("node", cl.name, "Node name")->required();
  AddScopeFlags(node, cl, /*queues=*/true, /*pools=*/false, /*executor=*/true);
  node->callback([&cl] {
    RequirePriorityClasses(cl);
    SetClientAction(cl, [&cl](ArmadaClient& client) {
      return RunCancelOnNode(client, cl.name, cl.scope, std::cout);
    });
  });
}

void AddPreempt(CLI::App& app, CommandLine& cl) {
  CLI::App* preempt = app.add_subcommand("preempt", "Preempt jobs (they are requeued)");
  preempt->require_subcommand(1);
  CLI::App* job = preempt->add_subcommand("job", "Preempt one job");
  job->add_option("queue", cl.queue_name, "Queue")->required();
  job->add_option("job-set", cl.job_set, "Job set")->required();
  job->add_option("job-id", cl.job_id, "Job id")->required();
  job->add_option("preempt-reason", cl.reason, "Why (recorded in the preempted event)");
  job->callback([&cl] {
    SetClientAction(cl, [&cl](ArmadaClient& client) {
      return RunPreemptJob(client, cl.queue_name, cl.job_set, cl.job_id, cl.reason, std::cout);
    });
  });
  CLI::App* queues = preempt->add_subcommand("queues", "Preempt the running jobs of queues");
  AddQueueSelector(queues, cl, "-l,--selector", /*cordoned=*/true);
  AddScopeFlags(queues, cl, /*queues=*/false, /*pools=*/true, /*executor=*/false);
  queues->add_flag("--dry-run", cl.dry_run, "Only print the queues that would be affected");
  queues->callback([&cl] {
    RequireQueueSelection(cl);
    RequirePriorityClasses(cl);
    SetClientAction(cl, [&cl](ArmadaClient& client) {
      return RunPreemptOnQueues(client, cl.selector, cl.scope, cl.dry_run, std::cout);
    });
  });
  CLI::App* executor = preempt->add_subcommand("executor", "Preempt the jobs on an executor");
  executor->add_option("executor", cl.name, "Executor name")->required();
  AddScopeFlags(executor, cl, /*queues=*/true, /*pools=*/true, /*executor=*/false);
  executor->callback([&cl] {
    RequirePriorityClasses(cl);
    SetClientAction(cl, [&cl](ArmadaClient& client) {
      return RunPreemptOnExecutor(client, cl.name, cl.scope, std::cout);
    });
  });
  CLI::App* node = preempt->add_subcommand("node", "Preempt the jobs on a node");
  node->add_option("node", cl.name, "Node name")->required();
  AddScopeFlags(node, cl, /*queues=*/true, /*pools=*/false, /*executor=*/true);
  node->callback([&cl] {
    RequirePriorityClasses(cl);
    SetClientAction(cl, [&cl](ArmadaClient& client) {
      return RunPreemptOnNode(client, cl.name, cl.scope, std::cout);
    });
  });
}

void AddReprioritize(CLI::App& app, CommandLine& cl) {
  CLI::App* reprioritize = app.add_subcommand("reprioritize", "Change the priority of jobs");
  reprioritize->require_subcommand(1);
  CLI::App* job = reprioritize->add_subcommand("job", "Change the priority of one job");
  job->add_option("queue", cl.queue_name, "Queue")->required();
  job->add_option("job-set", cl.job_set, "Job set")->required();
  job->add_option("job-id", cl.job_id, "Job id")->required();
  job->add_option("priority", cl.priority, "New priority (lower runs first)")->required();
  job->callback([&cl] {
    SetClientAction(cl, [&cl](ArmadaClient& client) {
      return RunReprioritize(client, cl.queue_name, cl.job_set, cl.job_id, cl.priority, std::cout);
    });
  });
  CLI::App* job_set =
      reprioritize->add_subcommand("job-set", "Change the priority of every job of a job set");
  job_set->add_option("queue", cl.queue_name, "Queue")->required();
  job_set->add_option("job-set", cl.job_set, "Job set")->required();
  job_set->add_option("priority", cl.priority, "New priority (lower runs first)")->required();
  job_set->callback([&cl] {
    SetClientAction(cl, [&cl](ArmadaClient& client) {
      return RunReprioritize(client, cl.queue_name, cl.job_set, "", cl.priority, std::cout);
    });
  });
}

// `create` and `update`: a queue from flags, or the resource of a file.
void AddCreateOrUpdate(CLI::App& app, CommandLine& cl, bool create) {
  const char* verb = create ? "create" : "update";
  CLI::App* command = app.add_subcommand(
      verb, absl::StrCat(create ? "Create" : "Update", " a queue (", verb, " queue NAME) or the ",
                         "resource in a file (", verb, " -f FILE)"));
  command->add_option("-f,--file", cl.file,
                      "YAML or JSON resource file (apiVersion: armadaproject.io/v1beta1, kind: "
                      "Queue)");
  command->add_flag("--dry-run", cl.dry_run, "With -f: only load and check the file");
  CLI::App* queue = command->add_subcommand(
      "queue", create ? "Create a queue" : "Replace a queue's settings with the flags' values");
  AddQueueFlags(queue, cl);
  queue->callback([&cl, create] {
    SetClientAction(cl, [&cl, create](ArmadaClient& client) -> absl::Status {
      ASSIGN_OR_RETURN(const api::Queue queue, QueueFromFlags(cl.queue));
      return create ? RunCreateQueue(client, queue, std::cout)
                    : RunUpdateQueue(client, queue, std::cout);
    });
  });
  command->callback([&cl, command, verb, create] {
    if (!command->get_subcommands().empty()) {
      if (!cl.file.empty()) throw CLI::ValidationError("-f cannot be combined with a subcommand");
      return;
    }
    if (cl.file.empty()) {
      throw CLI::ValidationError(
          absl::StrCat(verb, " needs -f FILE or a subcommand (", verb, " queue NAME)"));
    }
    SetClientAction(cl, [&cl, create](ArmadaClient& client) {
      return create ? RunCreateFromFile(client, cl.file, cl.dry_run, std::cout)
                    : RunUpdateFromFile(client, cl.file, cl.dry_run, std::cout);
    });
  });
}

void AddDelete(CLI::App& app, CommandLine& cl) {
  CLI::App* remove = app.add_subcommand("delete", "Delete a queue or an executor");
  remove->require_subcommand(1);
  CLI::App* queue = remove->add_subcommand("queue", "Delete a queue");
  queue->add_option("name", cl.name, "Queue name")->required();
  queue->callback([&cl] {
    SetClientAction(
        cl, [&cl](ArmadaClient& client) { return RunDeleteQueue(client, cl.name, std::cout); });
  });
  CLI::App* executor =
      remove->add_subcommand("executor", "Forget an executor (until it reports again)");
  executor->add_option("name", cl.name, "Executor name")->required();
  executor->callback([&cl] {
    SetClientAction(
        cl, [&cl](ArmadaClient& client) { return RunDeleteExecutor(client, cl.name, std::cout); });
  });
}

void AddGetReports(CLI::App* get, CommandLine& cl) {
  CLI::App* scheduling =
      get->add_subcommand("scheduling-report", "The scheduler's report on its latest rounds");
  CLI::Option* queue = scheduling->add_option("--queue", cl.report.queue, "Only this queue");
  scheduling->add_option("--job-id", cl.report.job_id, "Only this job")->excludes(queue);
  scheduling->add_flag("-v", cl.report.verbosity, "More detail (repeat: -vvv)");
  scheduling->callback([&cl] {
    SetClientAction(cl, [&cl](ArmadaClient& client) {
      return RunGetSchedulingReport(client, cl.report, std::cout);
    });
  });
  CLI::App* queue_report = get->add_subcommand("queue-report", "The scheduler's report on a queue");
  queue_report->add_option("queue", cl.queue_name, "Queue")->required();
  queue_report->add_flag("-v", cl.report.verbosity, "More detail (repeat: -vvv)");
  queue_report->callback([&cl] {
    SetClientAction(cl, [&cl](ArmadaClient& client) {
      return RunGetQueueReport(client, cl.queue_name, cl.report.verbosity, std::cout);
    });
  });
  CLI::App* job_report = get->add_subcommand("job-report", "The scheduler's report on a job");
  job_report->add_option("job-id", cl.job_id, "Job id")->required();
  job_report->callback([&cl] {
    SetClientAction(
        cl, [&cl](ArmadaClient& client) { return RunGetJobReport(client, cl.job_id, std::cout); });
  });
}

void AddGet(CLI::App& app, CommandLine& cl) {
  CLI::App* get = app.add_subcommand("get", "Show queues, jobs and scheduler reports");
  get->require_subcommand(1);
  CLI::App* queue = get->add_subcommand("queue", "Show a queue (as a YAML queue file by default)");
  queue->add_option("name", cl.name, "Queue name")->required();
  AddOutputFlag(queue, cl, "yaml");
  queue->callback([&cl] {
    SetClientAction(cl, [&cl](ArmadaClient& client) {
      return RunGetQueue(client, cl.name, Format(cl, OutputFormat::kYaml), std::cout);
    });
  });
  CLI::App* queues = get->add_subcommand("queues", "List queues");
  AddQueueSelector(queues, cl, "-l,--match-labels", /*cordoned=*/true);
  AddOutputFlag(queues, cl, "table");
  queues->callback([&cl] {
    SetClientAction(cl, [&cl](ArmadaClient& client) {
      return RunGetQueues(client, cl.selector, Format(cl, OutputFormat::kTable), std::cout);
    });
  });
  CLI::App* jobs = get->add_subcommand("jobs", "List the jobs of a job set");
  jobs->add_option("queue", cl.queue_name, "Queue")->required();
  jobs->add_option("job-set", cl.job_set, "Job set")->required();
  jobs->add_option("--state", cl.states, "Only jobs in these states: running,queued,...")
      ->delimiter(',')
      ->check([](const std::string& value) {
        absl::StatusOr<api::JobState> state = ParseJobState(value);
        return state.ok() ? std::string() : std::string(state.status().message());
      });
  AddOutputFlag(jobs, cl, "table");
  jobs->callback([&cl] {
    SetClientAction(cl, [&cl](ArmadaClient& client) {
      return RunGetJobs(client, cl.queue_name, cl.job_set, cl.states,
                        Format(cl, OutputFormat::kTable), std::cout);
    });
  });
  CLI::App* job = get->add_subcommand("job", "Show a job: state, runs, node, error");
  job->add_option("job-id", cl.job_id, "Job id")->required();
  AddOutputFlag(job, cl, "table");
  job->callback([&cl] {
    SetClientAction(cl, [&cl](ArmadaClient& client) {
      return RunGetJob(client, cl.job_id, Format(cl, OutputFormat::kTable), std::cout);
    });
  });
  AddGetReports(get, cl);
}

void AddCordon(CLI::App& app, CommandLine& cl, bool cordon) {
  const char* verb = cordon ? "cordon" : "uncordon";
  CLI::App* command =
      app.add_subcommand(verb, cordon ? "Stop scheduling new jobs of queues or onto an executor"
                                      : "Resume scheduling for queues or an executor");
  command->require_subcommand(1);
  CLI::App* queues = command->add_subcommand("queues", absl::StrCat(verb, " queues"));
  AddQueueSelector(queues, cl, "-l,--match-labels", /*cordoned=*/false);
  queues->add_flag("--dry-run", cl.dry_run, "Only print the queues that would be affected");
  queues->callback([&cl, cordon] {
    RequireQueueSelection(cl);
    SetClientAction(cl, [&cl, cordon](ArmadaClient& client) {
      return RunCordonQueues(client, cl.selector, cordon, cl.dry_run, std::cout);
    });
  });
  CLI::App* executor = command->add_subcommand("executor", absl::StrCat(verb, " an executor"));
  executor->add_option("executor", cl.name, "Executor name")->required();
  if (cordon) executor->add_option("cordon-reason", cl.reason, "Why")->required();
  executor->callback([&cl, cordon] {
    SetClientAction(cl, [&cl, cordon](ArmadaClient& client) {
      return RunCordonExecutor(client, cl.name, cl.reason, cordon, std::cout);
    });
  });
}

void AddLogs(CLI::App& app, CommandLine& cl) {
  CLI::App* logs = app.add_subcommand(
      "logs", "Print a job's output, from the executor that ran it (through the server)");
  logs->add_option("job-id", cl.job_id, "Job id")->required();
  logs->add_option("--run", cl.logs.run_id, "Run id (default: the latest run)");
  logs->add_flag("-f,--follow", cl.logs.follow, "Keep printing new output until the job ends");
  logs->add_option("--since", cl.logs.since,
                   "Only output newer than this: a duration (10m) or an RFC 3339 time");
  logs->add_option("--tail", cl.logs.tail, "Only the last N lines")->check(CLI::NonNegativeNumber);
  logs->add_option("--log-dir", cl.logs.log_dir,
                   "Read a local-backend executor's workDir on this machine instead");
  logs->add_option("--stream", cl.logs.stream, "With --log-dir: stdout, stderr or both")
      ->check(CLI::IsMember({"stdout", "stderr", "both"}))
      ->capture_default_str();
  logs->callback([&cl] {
    cl.action = [&cl](Session& session) -> absl::Status {
      ASSIGN_OR_RETURN(const ResolvedConnection* connection, session.Connection());
      LogsOptions options = cl.logs;
      options.fallback_log_dir = connection->local_log_dir;
      ASSIGN_OR_RETURN(ArmadaClient * client, session.Client());
      return RunLogs(*client, cl.job_id, options, std::cout, std::cerr);
    };
  });
}

void AddConfig(CLI::App& app, CommandLine& cl) {
  CLI::App* config = app.add_subcommand("config", "Show or switch the contexts of the config file");
  config->require_subcommand(1);
  CLI::App* use = config->add_subcommand("use-context", "Make a context the current one");
  use->add_option("context", cl.name, "Context name")->required();
  use->callback([&cl] {
    cl.action = [&cl](Session& session) {
      return RunUseContext(session.config_path(), cl.name, std::cout);
    };
  });
  CLI::App* list = config->add_subcommand("get-contexts", "List the contexts");
  list->callback([&cl] {
    cl.action = [](Session& session) -> absl::Status {
      ASSIGN_OR_RETURN(const CliConfig* config, session.Config());
      return RunGetContexts(*config, std::cout);
    };
  });
  CLI::App* current = config->add_subcommand("current-context", "Print the current context");
  current->callback([&cl] {
    cl.action = [](Session& session) -> absl::Status {
      ASSIGN_OR_RETURN(const CliConfig* config, session.Config());
      return RunCurrentContext(*config, std::cout);
    };
  });
}

// The command reference as markdown: one section per command, with its usage, arguments and
// flags.
void WriteDocs(const CLI::App& command, const std::string& path, std::ostream& out) {
  const bool root = path.empty();
  const std::string full = root ? command.get_name() : path;
  out << (root ? "# " : "## ") << full << "\n\n" << command.get_description() << "\n\n";
  std::vector<std::string> args;
  std::vector<const CLI::Option*> flags;
  for (const CLI::Option* option : command.get_options()) {
    if (option->get_name() == "--help" || option->get_name() == "-h,--help") continue;
    if (option->get_positional()) {
      std::string arg = absl::StrCat("<", option->get_name(), ">");
      if (option->get_items_expected_max() > 1) absl::StrAppend(&arg, "...");
      args.push_back(option->get_required() ? arg : absl::StrCat("[", arg, "]"));
    } else {
      flags.push_back(option);
    }
  }
  const auto subcommands = command.get_subcommands([](const CLI::App*) { return true; });
  if (subcommands.empty() || !args.empty() || !flags.empty()) {
    out << "```\n"
        << full << (args.empty() ? "" : " ") << absl::StrJoin(args, " ")
        << (flags.empty() ? "" : " [flags]") << "\n```\n\n";
  }
  for (const CLI::Option* option : flags) {
    const std::string type_name = option->get_type_name();
    const std::string type = type_name.empty() ? "" : absl::StrCat(" ", type_name);
    out << "- `" << option->get_name(false, true) << type << "`: " << option->get_description();
    if (!option->get_default_str().empty()) out << " (default " << option->get_default_str() << ")";
    out << "\n";
  }
  if (!flags.empty()) out << "\n";
  for (const CLI::App* sub : subcommands) {
    WriteDocs(*sub, absl::StrCat(full, " ", sub->get_name()), out);
  }
}

void AddVersionAndDocs(CLI::App& app, CommandLine& cl) {
  CLI::App* version = app.add_subcommand("version", "Print the armadactl version");
  version->callback([&cl] {
    cl.action = [](Session&) {
      std::cout << "armadactl version " << kArmadactlVersion << "\n";
      return absl::OkStatus();
    };
  });
  CLI::App* docs = app.add_subcommand(
      "docs", "Write the command reference as markdown to armadactl.md (-p: to stdout)");
  docs->add_flag("-p,--to-stdout", cl.to_stdout, "Print to stdout instead");
  docs->callback([&cl, &app] {
    cl.action = [&cl, &app](Session&) -> absl::Status {
      if (cl.to_stdout) {
        WriteDocs(app, "", std::cout);
        return absl::OkStatus();
      }
      std::ofstream file("armadactl.md");
      WriteDocs(app, "", file);
      file.close();
      if (!file) return absl::PermissionDeniedError("armadactl.md: cannot be written");
      std::cout << "Wrote armadactl.md\n";
      return absl::OkStatus();
    };
  });
}

int Main(int argc, char** argv) {
  CommandLine cl;
  CLI::App app("armadactl: command-line client for Armada", "armadactl");
  app.require_subcommand(1);
  app.fallthrough();  // Global flags may follow the subcommand.
  app.add_option("--armadaUrl", cl.global.armada_url,
                 "Armada gRPC endpoint host:port (env ARMADA_URL; default: the context's "
                 "armadaUrl, else localhost:50051)");
  app.add_option("-c,--context", cl.global.context,
                 "Context of the config file to use (default: its currentContext)");
  app.add_option("--config", cl.global.config_path,
                 "Config file (env ARMADACTL_CONFIG; default $HOME/.armadactl.yaml)");
  AddSubmitAndWatch(app, cl);
  AddCancel(app, cl);
  AddPreempt(app, cl);
  AddReprioritize(app, cl);
  AddCreateOrUpdate(app, cl, /*create=*/true);
  AddCreateOrUpdate(app, cl, /*create=*/false);
  AddDelete(app, cl);
  AddGet(app, cl);
  AddCordon(app, cl, /*cordon=*/true);
  AddCordon(app, cl, /*cordon=*/false);
  AddLogs(app, cl);
  AddConfig(app, cl);
  AddVersionAndDocs(app, cl);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help exits 0; everything else is a usage error.
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  if (!cl.action) return kExitUsage;  // Unreachable: every command sets an action.
  Session session(cl.global, CliEnvironment::FromProcess());
  if (absl::Status status = cl.action(session); !status.ok()) {
    std::cout.flush();
    std::cerr << "Error: " << status.message();
    if (status.code() == absl::StatusCode::kUnavailable && session.used_tls()) {
      if (absl::StrContains(status.message(), "certificate verify failed")) {
        std::cerr << " (the server's certificate is not trusted: set caFile in the context to "
                     "the CA that signed it, or tlsServerName to the name it carries)";
      } else {
        std::cerr << " (the connection uses TLS; set forceNoTls: true in the context for a "
                     "plaintext server)";
      }
    }
    std::cerr << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace
}  // namespace armada::cli

int main(int argc, char** argv) { return armada::cli::Main(argc, argv); }
