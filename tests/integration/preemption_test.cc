// The scheduler's preemptions and gangs through the real server: what users
// see in events, and what gang members find in their environment.

#include <catch2/catch.hpp>

#include "tests/integration/executor_driver.h"

namespace armada::testing {
namespace {

using Kinds = std::vector<std::string>;

server::ServerConfig WithUrgentClass() {
  server::ServerConfig config;
  config.scheduling.fair_share.priority_classes["urgent"] = {2000, false, {}};
  config.submit.allowed_priority_classes.push_back("urgent");
  return config;
}

std::vector<std::string> Submit(ServerFixture& server,
                                const std::vector<api::JobSubmitRequestItem>& items) {
  api::JobSubmitRequest request;
  request.set_queue("q");
  request.set_job_set_id("s");
  for (const auto& item : items) *request.add_job_request_items() = item;
  grpc::ClientContext context;
  api::JobSubmitResponse response;
  grpc::Status status = server.submit().SubmitJobs(&context, request, &response);
  INFO(status.error_message());
  REQUIRE(status.ok());
  std::vector<std::string> ids;
  for (const auto& item : response.job_response_items()) ids.push_back(item.job_id());
  return ids;
}

api::JobSubmitRequestItem WithClass(api::JobSubmitRequestItem item, const std::string& pc) {
  item.mutable_pod_specs(0)->set_priorityclassname(pc);
  return item;
}

api::JobSubmitRequestItem GangMember(const std::string& gang, int cardinality,
                                     const std::string& cpu, const std::string& label = "") {
  auto item = JobItem({"true"}, cpu);
  (*item.mutable_annotations())["armadaproject.io/gangId"] = gang;
  (*item.mutable_annotations())["armadaproject.io/gangCardinality"] = std::to_string(cardinality);
  if (!label.empty()) {
    (*item.mutable_annotations())["armadaproject.io/gangNodeUniformityLabel"] = label;
  }
  return item;
}

std::map<std::string, std::string> EnvOf(const executorapi::JobRunLease& lease) {
  std::map<std::string, std::string> env;
  for (const auto& var : lease.job().pod_specs(0).containers(0).env()) {
    env[var.name()] = var.value();
  }
  return env;
}

TEST_CASE("preemption: an urgent job evicts a running one, which is requeued") {
  ServerFixture server(WithUrgentClass());
  server.CreateQueue("q");
  const auto victim =
      Submit(server, {WithClass(JobItem({"sleep", "600"}, "4"), "armada-preemptible")})[0];
  LeaseExchange(server, {});
  REQUIRE(*server.scheduler().RunCycle() == 1);
  auto first = LeaseExchange(server, {});
  REQUIRE(first.leases.size() == 1);

  const auto urgent = Submit(server, {WithClass(JobItem({"true"}, "4"), "urgent")})[0];
  REQUIRE(*server.scheduler().RunCycle() == 1);
  // The victim is requeued once its executor no longer holds its run.
  LeaseExchange(server, {});
  auto events = server.JobSetEvents("q", "s");
  CHECK(EventKinds(events, victim) ==
        Kinds{"submitted", "queued", "leased", "preempted", "queued"});
  CHECK(EventKinds(events, urgent) == Kinds{"submitted", "queued", "leased"});
  for (const auto& event : events) {
    if (!event.message().has_preempted()) continue;
    CHECK(event.message().preempted().preempting_job_id() == urgent);
    CHECK_THAT(event.message().preempted().reason(), Catch::Contains("urgency"));
  }
  // The executor is told to stop the preempted run and receives the urgent job.
  auto next = LeaseExchange(server, {{first.leases[0].job_run_id(), api::RUNNING}});
  CHECK(next.cancelled == std::vector<std::string>{first.leases[0].job_run_id()});
  REQUIRE(next.leases.size() == 1);
  CHECK(next.leases[0].job().id() == urgent);
}

TEST_CASE("gangs: members are leased together and learn their gang from the environment") {
  ServerFixture server;
  server.CreateQueue("q");
  TestExecutor executor;
  executor.nodes = {"node-1", "node-2"};
  executor.labels = {{"zone", "z1"}};
  LeaseExchange(server, {}, executor);

  Submit(server, {GangMember("g", 2, "3", "zone")});
  CHECK(*server.scheduler().RunCycle() == 0);  // one of two members: it waits
  Submit(server, {GangMember("g", 2, "3", "zone")});
  REQUIRE(*server.scheduler().RunCycle() == 2);
  auto exchange = LeaseExchange(server, {}, executor);
  REQUIRE(exchange.leases.size() == 2);
  for (const auto& lease : exchange.leases) {
    auto env = EnvOf(lease);
    CHECK(env["ARMADA_GANG_ID"] == "g");
    CHECK(env["ARMADA_GANG_CARDINALITY"] == "2");
    CHECK(env["ARMADA_GANG_NODE_UNIFORMITY_LABEL_NAME"] == "zone");
    CHECK(env["ARMADA_GANG_NODE_UNIFORMITY_LABEL_VALUE"] == "z1");
  }
  CHECK(exchange.leases[0].node_name() != exchange.leases[1].node_name());
}

TEST_CASE("gangs: a gang larger than any pool can hold fails with the reason") {
  ServerFixture server;
  server.CreateQueue("q");
  LeaseExchange(server, {});
  auto ids = Submit(server, {GangMember("big", 2, "3"), GangMember("big", 2, "3")});
  CHECK(*server.scheduler().RunCycle() == 0);
  auto events = server.JobSetEvents("q", "s");
  CHECK(EventKinds(events, ids[0]).back() == "failed");
  CHECK(EventKinds(events, ids[1]).back() == "failed");
  CHECK_THAT(events.back().message().failed().reason(), Catch::Contains("can never be scheduled"));
  CHECK(events.back().message().failed().cause() == api::Rejected);
}

}  // namespace
}  // namespace armada::testing
