#include <thread>

#include <catch2/catch.hpp>

#include "lib/common/ids.h"
#include "tests/integration/server_fixture.h"

namespace armada::testing {
namespace {

api::JobSubmitRequest Request(const std::string& queue, const std::string& job_set, int jobs) {
  api::JobSubmitRequest request;
  request.set_queue(queue);
  request.set_job_set_id(job_set);
  for (int i = 0; i < jobs; ++i) *request.add_job_request_items() = JobItem({"true"});
  return request;
}

grpc::Status Submit(ServerFixture& server, const api::JobSubmitRequest& request,
                    api::JobSubmitResponse* response) {
  grpc::ClientContext context;
  return server.submit().SubmitJobs(&context, request, response);
}

int64_t JobCount(ServerFixture& server) {
  int64_t n = 0;
  REQUIRE(server.db()
              .Run([&](pqxx::work& tx) {
                n = tx.exec1("SELECT count(*) FROM jobs")[0].as<int64_t>();
                return absl::OkStatus();
              })
              .ok());
  return n;
}

TEST_CASE("submit: jobs are stored and their submitted and queued events come back in order") {
  ServerFixture server;
  server.CreateQueue("physics");
  api::JobSubmitResponse response;
  REQUIRE(Submit(server, Request("physics", "run-1", 3), &response).ok());
  REQUIRE(response.job_response_items_size() == 3);
  for (const auto& item : response.job_response_items()) {
    CHECK(common::IsValidJobId(item.job_id()));
    CHECK(item.error().empty());
  }
  CHECK(JobCount(server) == 3);

  auto events = server.JobSetEvents("physics", "run-1");
  REQUIRE(events.size() == 6);
  for (int i = 0; i < 3; ++i) {
    const std::string& id = response.job_response_items(i).job_id();
    CHECK(EventKinds(events, id) == std::vector<std::string>{"submitted", "queued"});
  }
  const auto& submitted = events[0].message().submitted();
  CHECK(submitted.queue() == "physics");
  CHECK(submitted.job_set_id() == "run-1");
  CHECK(submitted.job().pod_specs(0).priorityclassname() == "armada-default");
  CHECK(submitted.job().namespace_() == "default");
  CHECK(submitted.job().scheduling_resource_requirements().requests().at("cpu").string() == "1");
  // Message ids increase, and resuming from one gives exactly the rest.
  auto rest = server.JobSetEvents("physics", "run-1", events[3].id());
  REQUIRE(rest.size() == 2);
  CHECK(rest[0].id() == events[4].id());
}

TEST_CASE("submit: fields we do not model survive the round trip") {
  ServerFixture server;
  server.CreateQueue("q");
  api::JobSubmitRequest request = Request("q", "s", 1);
  auto* pod = request.mutable_job_request_items(0)->mutable_pod_specs(0);
  // Field 9999 is unknown to our copy of PodSpec, as a newer Kubernetes field would be.
  pod->GetReflection()->MutableUnknownFields(pod)->AddVarint(9999, 42);
  pod->set_hostname("kept");
  api::JobSubmitResponse response;
  REQUIRE(Submit(server, request, &response).ok());
  auto events = server.JobSetEvents("q", "s");
  const auto& stored = events[0].message().submitted().job().pod_specs(0);
  CHECK(stored.hostname() == "kept");
  const auto& unknown = stored.GetReflection()->GetUnknownFields(stored);
  REQUIRE(unknown.field_count() == 1);
  CHECK(unknown.field(0).number() == 9999);
  CHECK(unknown.field(0).varint() == 42);
}

TEST_CASE("submit: a bad item rejects the whole request and names the item and field") {
  ServerFixture server;
  server.CreateQueue("q");
  api::JobSubmitRequest request = Request("q", "s", 3);
  auto* requests = request.mutable_job_request_items(2)
                       ->mutable_pod_specs(0)
                       ->mutable_containers(0)
                       ->mutable_resources()
                       ->mutable_requests();
  (*requests)["cpu"].set_string("lots");
  api::JobSubmitResponse response;
  grpc::Status status = Submit(server, request, &response);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK_THAT(status.error_message(),
             Catch::Contains("job_request_items[2].pod_specs[0].containers[0].resources."
                             "requests[cpu]") &&
                 Catch::Contains("lots"));
  CHECK(JobCount(server) == 0);
}

TEST_CASE("submit: Armada's defaults are written into the stored job") {
  server::ServerConfig config;
  auto& c = config.submit;
  c.default_active_deadline_seconds = 3600;
  c.default_job_limits = {{"ephemeral-storage", "1Gi"}};
  model::Toleration all;
  all.key = "armadaproject.io/armada";
  all.value = "true";
  all.effect = "NoSchedule";
  c.default_job_tolerations = {all};
  model::Toleration by_class;
  by_class.key = "armadaproject.io/pc-armada-default";
  by_class.op = "Exists";
  c.default_job_tolerations_by_priority_class = {{"armada-default", {by_class}}};
  c.add_gang_id_label = true;
  ServerFixture server(config);
  server.CreateQueue("q");
  api::JobSubmitRequest request = Request("q", "s", 2);
  for (auto& item : *request.mutable_job_request_items()) {
    // As in Armada's own end-to-end job files.
    item.mutable_pod_specs(0)->set_terminationgraceperiodseconds(0);
    (*item.mutable_annotations())["link"] = "https://logs/{JobId}";
    (*item.mutable_annotations())[model::kGangIdAnnotation] = "g";
    (*item.mutable_annotations())[model::kGangCardinalityAnnotation] = "2";
  }
  api::JobSubmitResponse response;
  grpc::Status status = Submit(server, request, &response);
  INFO(status.error_message());
  REQUIRE(status.ok());
  auto events = server.JobSetEvents("q", "s");
  REQUIRE(events.size() == 4);
  const api::Job& job = events[0].message().submitted().job();
  const auto& pod = job.pod_specs(0);
  CHECK(pod.terminationgraceperiodseconds() == 1);  // 0 becomes the minimum
  CHECK(pod.priorityclassname() == "armada-default");
  CHECK(pod.activedeadlineseconds() == 3600);
  REQUIRE(pod.tolerations_size() == 2);
  CHECK(pod.tolerations(0).key() == "armadaproject.io/armada");
  CHECK(pod.tolerations(1).key() == "armadaproject.io/pc-armada-default");
  CHECK(pod.tolerations(1).operator_() == "Exists");
  const auto& resources = pod.containers(0).resources();
  CHECK(resources.requests().at("ephemeral-storage").string() == "1Gi");
  CHECK(resources.limits().at("ephemeral-storage").string() == "1Gi");
  CHECK(job.scheduling_resource_requirements().requests().at("ephemeral-storage").string() ==
        "1Gi");
  CHECK(job.annotations().at("link") == "https://logs/" + job.id());
  CHECK(job.annotations().at(model::kFailFastAnnotation) == "true");
  CHECK(job.annotations().at(model::kGangUniformityLabelAnnotation) == "");
  CHECK(job.labels().at(model::kGangIdAnnotation) == "g");
}

TEST_CASE("submit: a grace period above the maximum is refused, naming item, field and value") {
  ServerFixture server;
  server.CreateQueue("q");
  api::JobSubmitRequest request = Request("q", "s", 2);
  request.mutable_job_request_items(1)->mutable_pod_specs(0)->set_terminationgraceperiodseconds(
      301);
  api::JobSubmitResponse response;
  grpc::Status status = Submit(server, request, &response);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK_THAT(status.error_message(),
             Catch::StartsWith("job_request_items[1].pod_specs[0].terminationGracePeriodSeconds: "
                               "301 is outside [1, 300]"));
  CHECK(JobCount(server) == 0);
}

TEST_CASE("submit: the queue must exist") {
  ServerFixture server;
  api::JobSubmitResponse response;
  grpc::Status status = Submit(server, Request("nowhere", "s", 1), &response);
  CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK_THAT(status.error_message(), Catch::Contains("nowhere"));
}

TEST_CASE("submit: a repeated client_id returns the original job id and writes nothing") {
  ServerFixture server;
  server.CreateQueue("q");
  api::JobSubmitRequest request = Request("q", "s", 2);
  request.mutable_job_request_items(0)->set_client_id("key-1");
  request.mutable_job_request_items(1)->set_client_id("key-1");  // same key in one request

  api::JobSubmitResponse first;
  REQUIRE(Submit(server, request, &first).ok());
  CHECK(first.job_response_items(0).job_id() == first.job_response_items(1).job_id());
  api::JobSubmitResponse second;
  REQUIRE(Submit(server, request, &second).ok());
  CHECK(second.job_response_items(0).job_id() == first.job_response_items(0).job_id());
  CHECK(JobCount(server) == 1);
  CHECK(server.JobSetEvents("q", "s").size() == 2);
}

TEST_CASE("submit: two racing requests with one client_id create one job") {
  ServerFixture server;
  server.CreateQueue("q");
  for (int round = 0; round < 5; ++round) {
    api::JobSubmitRequest request = Request("q", "s", 1);
    request.mutable_job_request_items(0)->set_client_id("race-" + std::to_string(round));
    api::JobSubmitResponse a, b;
    grpc::Status sa, sb;
    std::thread ta([&] { sa = Submit(server, request, &a); });
    std::thread tb([&] { sb = Submit(server, request, &b); });
    ta.join();
    tb.join();
    REQUIRE(sa.ok());
    REQUIRE(sb.ok());
    CHECK(a.job_response_items(0).job_id() == b.job_response_items(0).job_id());
  }
  CHECK(JobCount(server) == 5);
}

TEST_CASE("submit: 10,000 jobs in one request") {
  ServerFixture server;
  server.CreateQueue("q");
  api::JobSubmitResponse response;
  REQUIRE(Submit(server, Request("q", "big", 10000), &response).ok());
  CHECK(response.job_response_items_size() == 10000);
  CHECK(JobCount(server) == 10000);
}

TEST_CASE("cancel: a queued job is cancelled once, with cancelling and cancelled events") {
  ServerFixture server;
  server.CreateQueue("q");
  api::JobSubmitResponse submitted;
  REQUIRE(Submit(server, Request("q", "s", 2), &submitted).ok());
  const std::string id = submitted.job_response_items(0).job_id();

  api::JobCancelRequest cancel;
  cancel.set_queue("q");
  cancel.set_job_set_id("s");
  cancel.add_job_ids(id);
  cancel.set_reason("not needed");
  for (int attempt = 0; attempt < 2; ++attempt) {
    grpc::ClientContext context;
    api::CancellationResult result;
    REQUIRE(server.submit().CancelJobs(&context, cancel, &result).ok());
    CHECK(result.cancelled_ids_size() == (attempt == 0 ? 1 : 0));
  }
  auto events = server.JobSetEvents("q", "s");
  CHECK(EventKinds(events, id) ==
        std::vector<std::string>{"submitted", "queued", "cancelling", "cancelled"});
  CHECK(events.back().message().cancelled().reason() == "not needed");

  // The other job is still queued until the job set is cancelled.
  grpc::ClientContext context;
  api::JobSetCancelRequest cancel_set;
  cancel_set.set_queue("q");
  cancel_set.set_job_set_id("s");
  google::protobuf::Empty empty;
  REQUIRE(server.submit().CancelJobSet(&context, cancel_set, &empty).ok());
  CHECK(
      EventKinds(server.JobSetEvents("q", "s"), submitted.job_response_items(1).job_id()).back() ==
      "cancelled");
}

}  // namespace
}  // namespace armada::testing
