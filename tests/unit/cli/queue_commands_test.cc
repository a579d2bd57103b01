#include "cli/queue_commands.h"

#include <sstream>
#include <string>

#include <google/protobuf/util/message_differencer.h>
#include <catch2/catch.hpp>

#include "cli/job_file.h"
#include "tests/unit/cli/fake_armada_server.h"
#include "tests/unit/cli/temp_file.h"

namespace armada::cli {
namespace {

using google::protobuf::util::MessageDifferencer;
using testing::FakeArmadaServer;
using testing::TempFile;

api::Queue FullQueue() {
  api::Queue queue;
  queue.set_name("queue-a");
  queue.set_priority_factor(2.5);
  queue.set_cordoned(true);
  queue.add_user_owners("alice");
  queue.add_group_owners("team");
  (*queue.mutable_labels())["tier"] = "gold";
  api::Queue::Permissions* permission = queue.add_permissions();
  api::Queue::Permissions::Subject* subject = permission->add_subjects();
  subject->set_kind("Group");
  subject->set_name("team");
  permission->add_verbs("submit");
  permission->add_verbs("watch");
  api::PriorityClassResourceLimits& limits =
      (*queue.mutable_resource_limits_by_priority_class_name())["armada-default"];
  (*limits.mutable_maximum_resource_fraction())["cpu"] = 0.1;
  (*(*limits.mutable_maximum_resource_fraction_by_pool())["gpu"]
        .mutable_maximum_resource_fraction())["cpu"] = 0.5;
  queue.add_retry_policies("default");
  return queue;
}

TEST_CASE("QueueFromFlags", "[queue_commands]") {
  QueueFlags flags;
  flags.name = "q";
  flags.owners = {"a", "b"};
  flags.group_owners = {"g"};
  flags.cordon = true;
  flags.labels = {"tier=gold", "team=ml"};
  flags.retry_policies = {"default"};
  absl::StatusOr<api::Queue> parsed = QueueFromFlags(flags);
  REQUIRE(parsed.ok());
  const api::Queue& queue = *parsed;
  CHECK(queue.name() == "q");
  CHECK(queue.labels().at("tier") == "gold");
  CHECK(queue.labels().at("team") == "ml");
  CHECK(queue.retry_policies(0) == "default");
  CHECK(queue.priority_factor() == 1);
  CHECK(queue.user_owners_size() == 2);
  CHECK(queue.group_owners(0) == "g");
  CHECK(queue.cordoned());
  flags.labels = {"novalue"};
  CHECK(QueueFromFlags(flags).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("FormatQueue output is a queue file that loads back", "[queue_commands]") {
  const api::Queue queue = FullQueue();
  TempFile file("queue.yaml", FormatQueue(queue));
  absl::StatusOr<api::Queue> loaded = LoadQueueFile(file.path());
  INFO(FormatQueue(queue));
  INFO(loaded.status().ToString());
  REQUIRE(loaded.ok());
  CHECK(MessageDifferencer::Equals(*loaded, queue));
}

TEST_CASE("FormatQueue of a minimal queue", "[queue_commands]") {
  api::Queue queue;
  queue.set_name("demo");
  queue.set_priority_factor(1);
  CHECK(FormatQueue(queue) ==
        "apiVersion: armadaproject.io/v1beta1\nkind: Queue\nname: demo\npriorityFactor: 1\n"
        "cordoned: false\n");
}

TEST_CASE("RunCreateQueue and RunCreateFromFile", "[queue_commands]") {
  FakeArmadaServer server;
  std::ostringstream out;
  REQUIRE(RunCreateQueue(*server.Client(), FullQueue(), out).ok());
  TempFile file("queue.yaml", "apiVersion: armadaproject.io/v1beta1\nkind: Queue\nname: demo\n");
  REQUIRE(RunCreateFromFile(*server.Client(), file.path(), /*dry_run=*/false, out).ok());
  CHECK(out.str() == "Created queue queue-a\nCreated queue demo\n");
  REQUIRE(server.queues.created.size() == 2);
  CHECK(MessageDifferencer::Equals(server.queues.created[0], FullQueue()));
  CHECK(server.queues.created[1].priority_factor() == 1);
}

TEST_CASE("Queue commands return the server's error", "[queue_commands]") {
  FakeArmadaServer server;
  server.queues.status = grpc::Status(grpc::StatusCode::ALREADY_EXISTS, "queue q already exists");
  std::ostringstream out;
  absl::Status status = RunCreateQueue(*server.Client(), FullQueue(), out);
  CHECK(status.code() == absl::StatusCode::kAlreadyExists);
  CHECK(std::string(status.message()) == "queue q already exists");
  CHECK(out.str().empty());

  server.queues.status = grpc::Status(grpc::StatusCode::NOT_FOUND, "");
  status = RunDeleteQueue(*server.Client(), "q", out);
  CHECK(status.code() == absl::StatusCode::kNotFound);
  CHECK(std::string(status.message()) == "NOT_FOUND");
}

TEST_CASE("RunGetQueue and RunGetQueues", "[queue_commands]") {
  FakeArmadaServer server;
  api::Queue a;
  a.set_name("a");
  a.set_priority_factor(1);
  api::Queue b = a;
  b.set_name("b");
  server.queues.queues = {a, b};
  std::ostringstream one;
  REQUIRE(RunGetQueue(*server.Client(), "b", OutputFormat::kYaml, one).ok());
  CHECK(one.str() == FormatQueue(b));
  std::ostringstream all;
  REQUIRE(RunGetQueues(*server.Client(), QueueSelector(), OutputFormat::kYaml, all).ok());
  CHECK(all.str() == FormatQueue(a) + "---\n" + FormatQueue(b));
  std::ostringstream deleted;
  REQUIRE(RunDeleteQueue(*server.Client(), "a", deleted).ok());
  CHECK(deleted.str() == "Deleted queue a\n");
}

TEST_CASE("FormatQueuesTable golden output", "[queue_commands]") {
  api::Queue plain;
  plain.set_name("b");
  plain.set_priority_factor(1);
  CHECK(FormatQueuesTable({FullQueue(), plain}) ==
        "NAME     PRIORITY FACTOR  CORDONED  OWNERS  GROUP OWNERS  LABELS\n"
        "queue-a  2.5              true      alice   team          tier=gold\n"
        "b        1                false     -       -             -\n");
}

TEST_CASE("QueueToJson is a queue file", "[queue_commands]") {
  api::Queue queue;
  queue.set_name("demo");
  queue.set_priority_factor(2);
  CHECK(JsonText(QueueToJson(queue)) ==
        "{\n  \"apiVersion\": \"armadaproject.io/v1beta1\",\n  \"kind\": \"Queue\",\n"
        "  \"name\": \"demo\",\n  \"priorityFactor\": 2\n}\n");
  TempFile file("queue.json", JsonText(QueueToJson(FullQueue())));
  absl::StatusOr<api::Queue> loaded = LoadQueueFile(file.path());
  INFO(loaded.status().ToString());
  REQUIRE(loaded.ok());
  CHECK(MessageDifferencer::Equals(*loaded, FullQueue()));
}

api::Queue Labelled(const std::string& name, const std::string& tier, bool cordoned) {
  api::Queue queue;
  queue.set_name(name);
  queue.set_priority_factor(1);
  queue.set_cordoned(cordoned);
  if (!tier.empty()) (*queue.mutable_labels())["tier"] = tier;
  return queue;
}

struct SelectCase {
  std::string name;
  QueueSelector selector;
  std::vector<std::string> expected;
};

const std::vector<SelectCase> kSelectCases = {
    {"everything", {}, {"a", "b", "c", "d"}},
    {"by name", {{"b", "d"}, {}, false, false}, {"b", "d"}},
    {"by label", {{}, {"tier=gold"}, false, false}, {"a", "c"}},
    {"inverse label", {{}, {"tier=gold"}, true, false}, {"b", "d"}},
    {"only cordoned", {{}, {}, false, true}, {"c", "d"}},
    {"name and label", {{"a", "b"}, {"tier=gold"}, false, false}, {"a"}},
};

TEST_CASE("SelectQueues", "[queue_commands]") {
  const std::vector<api::Queue> queues = {Labelled("a", "gold", false),
                                          Labelled("b", "silver", false),
                                          Labelled("c", "gold", true), Labelled("d", "", true)};
  const SelectCase c = GENERATE(from_range(kSelectCases));
  DYNAMIC_SECTION(c.name) {
    absl::StatusOr<std::vector<api::Queue>> selected = SelectQueues(queues, c.selector);
    REQUIRE(selected.ok());
    std::vector<std::string> names;
    for (const api::Queue& queue : *selected) names.push_back(queue.name());
    CHECK(names == c.expected);
  }
}

TEST_CASE("RunGetQueues table and json, RunCordonQueues", "[queue_commands]") {
  FakeArmadaServer server;
  server.queues.queues = {Labelled("a", "gold", false), Labelled("b", "silver", false)};
  std::ostringstream table;
  REQUIRE(
      RunGetQueues(*server.Client(), {{}, {"tier=gold"}, false, false}, OutputFormat::kTable, table)
          .ok());
  CHECK(table.str() == FormatQueuesTable({Labelled("a", "gold", false)}));
  std::ostringstream empty;
  REQUIRE(
      RunGetQueues(*server.Client(), {{}, {"tier=x"}, false, false}, OutputFormat::kTable, empty)
          .ok());
  CHECK(empty.str() == "No queues\n");
  std::ostringstream json;
  REQUIRE(RunGetQueues(*server.Client(), {}, OutputFormat::kJson, json).ok());
  CHECK(nlohmann::json::parse(json.str()).size() == 2);

  std::ostringstream out;
  REQUIRE(RunCordonQueues(*server.Client(), {{"a", "b"}, {}, false, false}, true, true, out).ok());
  CHECK(out.str() == "Would cordon queue a\nWould cordon queue b\n");
  CHECK(server.queues.cordoned.empty());
  std::ostringstream done;
  REQUIRE(RunCordonQueues(*server.Client(), {{"a"}, {}, false, false}, true, false, done).ok());
  REQUIRE(RunCordonQueues(*server.Client(), {{"b"}, {}, false, false}, false, false, done).ok());
  CHECK(done.str() == "Cordoned queue a\nUncordoned queue b\n");
  CHECK(server.queues.cordoned == std::vector<std::string>{"a"});
  CHECK(server.queues.uncordoned == std::vector<std::string>{"b"});
  CHECK(RunCordonQueues(*server.Client(), {}, true, false, done).code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("RunUpdateQueue and dry runs of queue files", "[queue_commands]") {
  FakeArmadaServer server;
  std::ostringstream out;
  REQUIRE(RunUpdateQueue(*server.Client(), FullQueue(), out).ok());
  TempFile file("queue.yaml", "apiVersion: armadaproject.io/v1beta1\nkind: Queue\nname: demo\n");
  REQUIRE(RunUpdateFromFile(*server.Client(), file.path(), /*dry_run=*/true, out).ok());
  REQUIRE(RunCreateFromFile(*server.Client(), file.path(), /*dry_run=*/true, out).ok());
  CHECK(out.str() ==
        "Updated queue queue-a\n"
        "Dry run: " +
            file.path() +
            " is a valid queue file for queue demo\n"
            "Dry run: " +
            file.path() + " is a valid queue file for queue demo\n");
  CHECK(server.queues.updated.size() == 1);
  CHECK(server.queues.created.empty());
}

TEST_CASE("GetQueues needs the end marker", "[queue_commands]") {
  FakeArmadaServer server;
  server.queues.send_end_marker = false;
  absl::StatusOr<std::vector<api::Queue>> queues = server.Client()->GetQueues();
  CHECK(queues.status().code() == absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace armada::cli
