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
  const api::Queue queue = QueueFromFlags(flags);
  CHECK(queue.name() == "q");
  CHECK(queue.priority_factor() == 1);
  CHECK(queue.user_owners_size() == 2);
  CHECK(queue.group_owners(0) == "g");
  CHECK(queue.cordoned());
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
  REQUIRE(RunCreateFromFile(*server.Client(), file.path(), out).ok());
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
  REQUIRE(RunGetQueue(*server.Client(), "b", one).ok());
  CHECK(one.str() == FormatQueue(b));
  std::ostringstream all;
  REQUIRE(RunGetQueues(*server.Client(), all).ok());
  CHECK(all.str() == FormatQueue(a) + "---\n" + FormatQueue(b));
  std::ostringstream deleted;
  REQUIRE(RunDeleteQueue(*server.Client(), "a", deleted).ok());
  CHECK(deleted.str() == "Deleted queue a\n");
}

TEST_CASE("GetQueues needs the end marker", "[queue_commands]") {
  FakeArmadaServer server;
  server.queues.send_end_marker = false;
  absl::StatusOr<std::vector<api::Queue>> queues = server.Client()->GetQueues();
  CHECK(queues.status().code() == absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace armada::cli
