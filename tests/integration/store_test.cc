#include <catch2/catch.hpp>

#include "lib/store/job_store.h"
#include "tests/integration/server_fixture.h"

namespace armada::testing {
namespace {

TEST_CASE("store: the scheduling inputs of a submitted job are stored in plain columns") {
  ServerFixture server;
  server.CreateQueue("q");
  api::JobSubmitRequest request;
  request.set_queue("q");
  request.set_job_set_id("s");
  auto item = JobItem({"true"}, "2", "3Gi");
  auto* pod = item.mutable_pod_specs(0);
  pod->set_priorityclassname("armada-preemptible");
  (*pod->mutable_nodeselector())["zone"] = "a";
  auto* toleration = pod->add_tolerations();
  toleration->set_key("gpu");
  toleration->set_operator_("Exists");
  toleration->set_effect("NoSchedule");
  auto* requirement = pod->mutable_affinity()
                          ->mutable_nodeaffinity()
                          ->mutable_requiredduringschedulingignoredduringexecution()
                          ->add_nodeselectorterms()
                          ->add_matchexpressions();
  requirement->set_key("cores");
  requirement->set_operator_("Gt");
  requirement->add_values("16");
  *request.add_job_request_items() = item;
  grpc::ClientContext context;
  api::JobSubmitResponse response;
  REQUIRE(server.submit().SubmitJobs(&context, request, &response).ok());

  std::vector<model::QueuedJob> jobs;
  REQUIRE(server.db()
              .Run([&](pqxx::work& tx) {
                jobs = store::QueuedJobs(tx);
                return absl::OkStatus();
              })
              .ok());
  REQUIRE(jobs.size() == 1);
  const model::QueuedJob& job = jobs[0];
  CHECK(job.priority_class == "armada-preemptible");
  CHECK(job.requests.ToString() == "cpu=2,memory=3Gi");
  CHECK(job.node_selector == std::map<std::string, std::string>{{"zone", "a"}});
  REQUIRE(job.tolerations.size() == 1);
  CHECK(job.tolerations[0].key == "gpu");
  CHECK(job.tolerations[0].op == "Exists");
  CHECK(job.tolerations[0].effect == "NoSchedule");
  REQUIRE(job.node_affinity.size() == 1);
  REQUIRE(job.node_affinity[0].match_expressions.size() == 1);
  CHECK(job.node_affinity[0].match_expressions[0].op == "Gt");
  CHECK(job.node_affinity[0].match_expressions[0].values == std::vector<std::string>{"16"});
}

TEST_CASE("store: queue usage survives a restart") {
  ServerFixture server;
  std::map<model::PoolQueue, model::QueueUsage> saved = {
      {{"default", "a"}, {0.75, absl::FromUnixSeconds(1'800'000'000)}},
      {{"gpu", "b"}, {0.125, absl::FromUnixSeconds(1'800'000'100)}},
  };
  REQUIRE(server.db()
              .Run([&](pqxx::work& tx) {
                store::SaveQueueUsage(tx, saved);
                saved[{"default", "a"}].decayed_share = 0.5;  // a later cycle replaces it
                store::SaveQueueUsage(tx, saved);
                return absl::OkStatus();
              })
              .ok());
  std::map<model::PoolQueue, model::QueueUsage> loaded;
  REQUIRE(server.db()
              .Run([&](pqxx::work& tx) {
                loaded = store::LoadQueueUsage(tx);
                return absl::OkStatus();
              })
              .ok());
  CHECK(loaded == saved);
}

}  // namespace
}  // namespace armada::testing
