// armadactl: command-line client of an Armada-compatible server.
//
// This file only maps the command line (CLI11, used in this translation unit alone) to the
// Run* functions of cli/queue_commands.h and cli/job_commands.h. Exit codes: 0 success, 1 failed
// request or invalid input file ("Error: <message>" on stderr), 2 usage error.
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <utility>

#include <CLI/CLI.hpp>

#include "absl/status/status.h"
#include "cli/armada_client.h"
#include "cli/job_commands.h"
#include "cli/queue_commands.h"
#include "cli/version.h"

namespace armada::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// What the command line asks for. CLI11 fills the flags while parsing; the chosen command's
// callback sets `action`, which runs after parsing so no CLI11 exception crosses a request.
struct CommandLine {
  std::string url = ArmadaClientOptions().url;
  std::string file;
  QueueFlags queue;
  std::string name;
  std::string queue_name;
  std::string job_set;
  std::string job_id;
  bool dry_run = false;
  WatchOptions watch;
  std::function<absl::Status(ArmadaClient&)> action;
};

void AddCreate(CLI::App& app, CommandLine& cl) {
  CLI::App* create = app.add_subcommand(
      "create", "Create a queue (create queue NAME) or the resource in a file (create -f FILE)");
  create->add_option("-f,--file", cl.file, "YAML or JSON resource file (kind: Queue)");
  CLI::App* queue = create->add_subcommand("queue", "Create a queue");
  queue->add_option("name", cl.queue.name, "Queue name")->required();
  queue
      ->add_option("--priority-factor,--priorityFactor", cl.queue.priority_factor,
                   "Priority factor (>= 1); a higher factor means a smaller share")
      ->capture_default_str();
  queue->add_option("--owners", cl.queue.owners, "Users owning the queue: a,b")->delimiter(',');
  queue
      ->add_option("--group-owners,--groupOwners", cl.queue.group_owners,
                   "Groups owning the queue: a,b")
      ->delimiter(',');
  queue->add_flag("--cordon", cl.queue.cordon, "Create the queue cordoned (no scheduling)");
  queue->callback([&cl] {
    cl.action = [queue = QueueFromFlags(cl.queue)](ArmadaClient& client) {
      return RunCreateQueue(client, queue, std::cout);
    };
  });
  create->callback([&cl, create] {
    if (!create->get_subcommands().empty()) {
      if (!cl.file.empty()) throw CLI::ValidationError("-f cannot be combined with a subcommand");
      return;
    }
    if (cl.file.empty()) {
      throw CLI::ValidationError("create needs -f FILE or a subcommand (create queue NAME)");
    }
    cl.action = [file = cl.file](ArmadaClient& client) {
      return RunCreateFromFile(client, file, std::cout);
    };
  });
}

void AddDeleteAndGet(CLI::App& app, CommandLine& cl) {
  CLI::App* remove = app.add_subcommand("delete", "Delete a resource");
  remove->require_subcommand(1);
  CLI::App* delete_queue = remove->add_subcommand("queue", "Delete a queue");
  delete_queue->add_option("name", cl.name, "Queue name")->required();
  delete_queue->callback([&cl] {
    cl.action = [name = cl.name](ArmadaClient& client) {
      return RunDeleteQueue(client, name, std::cout);
    };
  });

  CLI::App* get = app.add_subcommand("get", "Show resources");
  get->require_subcommand(1);
  CLI::App* get_queue = get->add_subcommand("queue", "Show a queue as a YAML queue file");
  get_queue->add_option("name", cl.name, "Queue name")->required();
  get_queue->callback([&cl] {
    cl.action = [name = cl.name](ArmadaClient& client) {
      return RunGetQueue(client, name, std::cout);
    };
  });
  CLI::App* get_queues = get->add_subcommand("queues", "Show every queue");
  get_queues->callback(
      [&cl] { cl.action = [](ArmadaClient& client) { return RunGetQueues(client, std::cout); }; });
}

void AddJobCommands(CLI::App& app, CommandLine& cl) {
  CLI::App* submit = app.add_subcommand("submit", "Submit the jobs of a job file");
  submit->add_option("file", cl.file, "YAML or JSON job file (queue, jobSetId, jobs)")->required();
  submit->add_flag("--dry-run", cl.dry_run, "Only load and check the file");
  submit->callback([&cl] {
    cl.action = [file = cl.file, dry_run = cl.dry_run](ArmadaClient& client) {
      return RunSubmit(client, file, dry_run, std::cout);
    };
  });

  CLI::App* watch = app.add_subcommand("watch", "Print the events of a job set as they happen");
  watch->add_option("queue", cl.queue_name, "Queue")->required();
  watch->add_option("job-set", cl.job_set, "Job set")->required();
  watch->add_flag("--raw", cl.watch.raw, "Print each event as protobuf JSON");
  watch->add_flag("--exit-if-inactive", cl.watch.exit_if_inactive,
                  "Exit once every job of the job set has finished");
  watch->callback([&cl] {
    cl.action = [queue = cl.queue_name, job_set = cl.job_set,
                 options = cl.watch](ArmadaClient& client) {
      return RunWatch(client, queue, job_set, options, std::cout);
    };
  });

  CLI::App* cancel = app.add_subcommand("cancel", "Cancel jobs");
  cancel->require_subcommand(1);
  CLI::App* cancel_job = cancel->add_subcommand("job", "Cancel one job");
  cancel_job->add_option("queue", cl.queue_name, "Queue")->required();
  cancel_job->add_option("job-set", cl.job_set, "Job set")->required();
  cancel_job->add_option("job-id", cl.job_id, "Job id")->required();
  cancel_job->callback([&cl] {
    cl.action = [queue = cl.queue_name, job_set = cl.job_set,
                 job_id = cl.job_id](ArmadaClient& client) {
      return RunCancelJob(client, queue, job_set, job_id, std::cout);
    };
  });
  CLI::App* cancel_job_set = cancel->add_subcommand("job-set", "Cancel every job of a job set");
  cancel_job_set->add_option("queue", cl.queue_name, "Queue")->required();
  cancel_job_set->add_option("job-set", cl.job_set, "Job set")->required();
  cancel_job_set->callback([&cl] {
    cl.action = [queue = cl.queue_name, job_set = cl.job_set](ArmadaClient& client) {
      return RunCancelJobSet(client, queue, job_set, std::cout);
    };
  });
}

void AddVersion(CLI::App& app, CommandLine& cl) {
  CLI::App* version = app.add_subcommand("version", "Print the armadactl version");
  version->callback([&cl] {
    cl.action = [](ArmadaClient&) {
      std::cout << "armadactl version " << kArmadactlVersion << "\n";
      return absl::OkStatus();
    };
  });
}

int Main(int argc, char** argv) {
  CommandLine cl;
  CLI::App app("armadactl: command-line client for Armada", "armadactl");
  app.require_subcommand(1);
  app.fallthrough();  // Global flags may follow the subcommand.
  app.add_option("--armadaUrl", cl.url, "Armada gRPC endpoint host:port (env ARMADA_URL)")
      ->envname("ARMADA_URL")
      ->capture_default_str();
  AddCreate(app, cl);
  AddDeleteAndGet(app, cl);
  AddJobCommands(app, cl);
  AddVersion(app, cl);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help exits 0; everything else is a usage error.
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  if (!cl.action) return kExitUsage;  // Unreachable: every command sets an action.
  ArmadaClientOptions options;
  options.url = cl.url;
  std::unique_ptr<ArmadaClient> client = ArmadaClient::Connect(options);
  if (absl::Status status = cl.action(*client); !status.ok()) {
    std::cout.flush();
    std::cerr << "Error: " << status.message() << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace
}  // namespace armada::cli

int main(int argc, char** argv) { return armada::cli::Main(argc, argv); }
