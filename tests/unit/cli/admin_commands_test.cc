#include "cli/admin_commands.h"

#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "cli/report_commands.h"
#include "tests/unit/cli/fake_armada_server.h"

namespace armada::cli {
namespace {

using testing::FakeArmadaServer;

api::Queue NamedQueue(const std::string& name, const std::string& tier) {
  api::Queue queue;
  queue.set_name(name);
  queue.set_priority_factor(1);
  if (!tier.empty()) (*queue.mutable_labels())["tier"] = tier;
  return queue;
}

std::vector<std::string> Strings(const google::protobuf::RepeatedPtrField<std::string>& field) {
  return {field.begin(), field.end()};
}

TEST_CASE("CheckPriorityClasses wants exactly one of -p and -a", "[admin_commands]") {
  JobScopeFlags flags;
  CHECK_FALSE(CheckPriorityClasses(flags).ok());
  flags.all_priority_classes = true;
  CHECK(CheckPriorityClasses(flags).ok());
  flags.priority_classes = {"armada-default"};
  CHECK_FALSE(CheckPriorityClasses(flags).ok());
  flags.all_priority_classes = false;
  CHECK(CheckPriorityClasses(flags).ok());
}

TEST_CASE("RunCancelOnQueues and RunPreemptOnQueues", "[admin_commands]") {
  FakeArmadaServer server;
  server.queues.queues = {NamedQueue("a", "gold"), NamedQueue("b", "silver"),
                          NamedQueue("c", "gold")};
  QueueSelector selector;
  selector.match_labels = {"tier=gold"};
  JobScopeFlags flags;
  flags.all_priority_classes = true;
  flags.pools = {"cpu"};
  std::ostringstream out;
  REQUIRE(RunCancelOnQueues(*server.Client(), selector, flags, /*dry_run=*/false, out).ok());
  CHECK(out.str() ==
        "Requested cancellation of jobs in queue a\nRequested cancellation of jobs in queue c\n");
  REQUIRE(server.queues.cancels.size() == 2);
  CHECK(server.queues.cancels[0].name() == "a");
  CHECK(server.queues.cancels[0].priorityclasses().empty());
  CHECK(Strings(server.queues.cancels[0].pools()) == std::vector<std::string>{"cpu"});
  CHECK(server.queues.cancels[0].jobstates_size() == 4);

  flags.job_states = {"running"};
  flags.all_priority_classes = false;
  flags.priority_classes = {"armada-preemptible"};
  selector = QueueSelector{{"b"}, {}, false, false};
  std::ostringstream one;
  REQUIRE(RunCancelOnQueues(*server.Client(), selector, flags, false, one).ok());
  REQUIRE(server.queues.cancels.size() == 3);
  CHECK(server.queues.cancels[2].jobstates(0) == api::RUNNING);
  CHECK(Strings(server.queues.cancels[2].priorityclasses()) ==
        std::vector<std::string>{"armada-preemptible"});

  std::ostringstream dry;
  REQUIRE(RunPreemptOnQueues(*server.Client(), selector, flags, /*dry_run=*/true, dry).ok());
  CHECK(dry.str() == "Would preempt jobs in queue b\n");
  CHECK(server.queues.preempts.empty());
  REQUIRE(RunPreemptOnQueues(*server.Client(), selector, flags, false, dry).ok());
  CHECK(server.queues.preempts.size() == 1);

  flags.job_states = {"succeeded"};
  CHECK(RunCancelOnQueues(*server.Client(), selector, flags, false, out).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(RunCancelOnQueues(*server.Client(), QueueSelector(), flags, false, out).code() ==
        absl::StatusCode::kInvalidArgument);
  selector.names = {"zzz"};
  flags.job_states.clear();
  absl::Status missing = RunCancelOnQueues(*server.Client(), selector, flags, false, out);
  CHECK(missing.code() == absl::StatusCode::kNotFound);
  CHECK(std::string(missing.message()) == "no such queue: zzz");
}

TEST_CASE("Executor and node commands send their flags", "[admin_commands]") {
  FakeArmadaServer server;
  JobScopeFlags flags;
  flags.queues = {"q1", "q2"};
  flags.priority_classes = {"pc"};
  flags.pools = {"pool"};
  std::ostringstream out;
  REQUIRE(RunCancelOnExecutor(*server.Client(), "exec-1", flags, out).ok());
  REQUIRE(RunPreemptOnExecutor(*server.Client(), "exec-1", flags, out).ok());
  CHECK(RunCancelOnNode(*server.Client(), "node-1", flags, out).code() ==
        absl::StatusCode::kInvalidArgument);  // No -e.
  flags.executor = "exec-1";
  REQUIRE(RunCancelOnNode(*server.Client(), "node-1", flags, out).ok());
  REQUIRE(RunPreemptOnNode(*server.Client(), "node-1", flags, out).ok());
  REQUIRE(RunCordonExecutor(*server.Client(), "exec-1", "maintenance", true, out).ok());
  REQUIRE(RunCordonExecutor(*server.Client(), "exec-1", "", false, out).ok());
  REQUIRE(RunDeleteExecutor(*server.Client(), "exec-1", out).ok());
  CHECK(out.str() ==
        "Requested cancellation of jobs on executor exec-1\n"
        "Requested preemption of jobs on executor exec-1\n"
        "Requested cancellation of jobs on node node-1 of executor exec-1\n"
        "Requested preemption of jobs on node node-1 of executor exec-1\n"
        "Cordoned executor exec-1\n"
        "Uncordoned executor exec-1\n"
        "Deleted executor exec-1\n");
  REQUIRE(server.executors.cancels.size() == 1);
  CHECK(Strings(server.executors.cancels[0].queues()) == std::vector<std::string>{"q1", "q2"});
  CHECK(Strings(server.executors.preempts[0].pools()) == std::vector<std::string>{"pool"});
  REQUIRE(server.nodes.cancels.size() == 1);
  CHECK(server.nodes.cancels[0].executor() == "exec-1");
  CHECK(Strings(server.nodes.preempts[0].priorityclasses()) == std::vector<std::string>{"pc"});
  REQUIRE(server.executors.upserts.size() == 2);
  CHECK(server.executors.upserts[0].cordoned());
  CHECK(server.executors.upserts[0].cordonreason() == "maintenance");
  CHECK_FALSE(server.executors.upserts[1].cordoned());

  absl::Status missing = RunDeleteExecutor(*server.Client(), "missing", out);
  CHECK(missing.code() == absl::StatusCode::kNotFound);
  CHECK(std::string(missing.message()) == "executor missing does not exist");
}

TEST_CASE("Scheduler reports say the server does not support them", "[admin_commands]") {
  FakeArmadaServer server;
  std::ostringstream out;
  absl::Status status = RunGetJobReport(*server.Client(), "job-1", out);
  CHECK(status.code() == absl::StatusCode::kUnimplemented);
  CHECK(std::string(status.message()) ==
        "get job-report is not supported by this server yet (it has no SchedulerReporting "
        "service)");
  CHECK(RunGetSchedulingReport(*server.Client(), {"q", "", 2}, out).code() ==
        absl::StatusCode::kUnimplemented);
  CHECK(RunGetQueueReport(*server.Client(), "q", 1, out).code() ==
        absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace armada::cli
