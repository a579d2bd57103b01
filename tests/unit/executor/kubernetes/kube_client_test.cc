#include "executor/backends/kubernetes/kube_client.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/fakes/fake_kube_apiserver/fake_kubelet.h"
#include "tests/unit/executor/kubernetes/kube_test_util.h"

namespace armada::executor::kubernetes {
namespace {

using nlohmann::json;
using testing::FakeCluster;
using testing::Pod;

TEST_CASE("client creates, gets, patches and deletes a pod", "[kube_client]") {
  FakeCluster cluster;
  KubeClient& client = *cluster.client;
  auto created = client.CreatePod("default", Pod("p1", {{"app", "x"}}));
  REQUIRE(created.ok());
  CHECK((*created)["metadata"]["namespace"] == "default");
  CHECK((*created)["status"]["phase"] == "Pending");

  SECTION("409 on create surfaces as AlreadyExists naming the pod") {
    auto again = client.CreatePod("default", Pod("p1"));
    CHECK(again.status().code() == absl::StatusCode::kAlreadyExists);
    CHECK(std::string(again.status().message()) ==
          "create pods default/p1: 409 AlreadyExists: pods \"p1\" already exists");
  }
  SECTION("get and merge-patch") {
    auto patched =
        client.PatchPod("default", "p1", {{"metadata", {{"annotations", {{"a", "b"}}}}}});
    REQUIRE(patched.ok());
    auto got = client.GetPod("default", "p1");
    REQUIRE(got.ok());
    CHECK((*got)["metadata"]["annotations"]["a"] == "b");
    CHECK((*got)["metadata"]["labels"]["app"] == "x");
    CHECK(std::stoll((*got)["metadata"]["resourceVersion"].get<std::string>()) >
          std::stoll((*created)["metadata"]["resourceVersion"].get<std::string>()));
  }
  SECTION("delete with a grace period, then 404") {
    REQUIRE(client.DeletePod("default", "p1", 7).ok());
    CHECK(cluster.store().Requests().back().target ==
          "/api/v1/namespaces/default/pods/p1?gracePeriodSeconds=7");
    auto gone = client.GetPod("default", "p1");
    CHECK(gone.status().code() == absl::StatusCode::kNotFound);
    CHECK(client.DeletePod("default", "p1", 0).code() == absl::StatusCode::kNotFound);
  }
}

TEST_CASE("client reads a pod's log as text", "[kube_client]") {
  FakeCluster cluster;
  KubeClient& client = *cluster.client;
  json pod = Pod("p1");
  pod["spec"]["containers"][0]["command"] = {"echo", "hi", "there"};
  REQUIRE(client.CreatePod("ns", pod).ok());
  auto waiting = client.PodLog("ns", "p1", {});
  CHECK(waiting.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(waiting.status().message()) ==
        "get log of pods ns/p1: 400 BadRequest: container \"main\" in pod \"p1\" is waiting to "
        "start: ContainerCreating");

  REQUIRE(cluster.store().SetPodStatus("ns", "p1", fakes::SucceededStatus()));
  const absl::Time later = absl::FromUnixSeconds(1'800'000'000) + absl::Milliseconds(250);
  REQUIRE(cluster.store().AppendPodLog("ns", "p1", {"second"}, later));
  auto all = client.PodLog("ns", "p1", {});
  REQUIRE(all.ok());
  CHECK(cluster.store().Requests().back().target ==
        "/api/v1/namespaces/ns/pods/p1/log?timestamps=true");
  CHECK(all->size() == std::string("2026-12-03T07:40:00.123456789Z hi there\n").size() +
                           std::string("2027-01-15T08:00:00.250000000Z second\n").size());
  CHECK(all->substr(all->size() - 38) == "2027-01-15T08:00:00.250000000Z second\n");

  auto some = client.PodLog(
      "ns", "p1", {.since = later - absl::Seconds(1), .tail_lines = 5, .limit_bytes = 1000});
  REQUIRE(some.ok());
  CHECK(*some == "2027-01-15T08:00:00.250000000Z second\n");
  CHECK(cluster.store().Requests().back().target ==
        "/api/v1/namespaces/ns/pods/p1/log?timestamps=true&sinceTime=2027-01-15T07%3A59%3A59.25Z"
        "&tailLines=5&limitBytes=1000");

  auto missing = client.PodLog("ns", "p2", {});
  CHECK(missing.status().code() == absl::StatusCode::kNotFound);
  CHECK(std::string(missing.status().message()) ==
        "get log of pods ns/p2: 404 NotFound: pods \"p2\" not found");
}

TEST_CASE("client lists with a label selector", "[kube_client]") {
  FakeCluster cluster;
  REQUIRE(cluster.client->CreatePod("a", Pod("ours", {{"armada_job_id", "j1"}})).ok());
  REQUIRE(cluster.client->CreatePod("b", Pod("theirs", {{"app", "web"}})).ok());
  auto ours = cluster.client->List({"pods", ""}, {"armada_job_id"});
  REQUIRE(ours.ok());
  REQUIRE(ours->items.size() == 1);
  CHECK(ours->items[0]["metadata"]["name"] == "ours");
  CHECK(ours->resource_version == std::to_string(cluster.store().resource_version()));
  auto theirs = cluster.client->List({"pods", ""}, {"!armada_job_id"});
  REQUIRE(theirs.ok());
  REQUIRE(theirs->items.size() == 1);
  CHECK(theirs->items[0]["metadata"]["name"] == "theirs");
  auto in_b = cluster.client->List({"pods", "b"}, {});
  REQUIRE(in_b.ok());
  CHECK(in_b->items.size() == 1);
}

TEST_CASE("client watches from a resourceVersion", "[kube_client]") {
  FakeCluster cluster;
  KubeClient& client = *cluster.client;
  REQUIRE(client.CreatePod("ns", Pod("before", {{"armada_job_id", "1"}})).ok());
  auto list = client.List({"pods", ""}, {"armada_job_id"});
  REQUIRE(list.ok());
  REQUIRE(client.CreatePod("ns", Pod("after", {{"armada_job_id", "2"}})).ok());
  REQUIRE(client.CreatePod("ns", Pod("other")).ok());  // filtered out by the selector
  REQUIRE(client.DeletePod("ns", "before", 0).ok());

  std::vector<std::string> seen;
  std::atomic<bool> stop{false};
  absl::Status status = client.Watch(
      {"pods", ""}, {"armada_job_id"}, list->resource_version, absl::Seconds(10),
      [&](const WatchEvent& e) {
        seen.push_back(e.type + " " + e.object["metadata"]["name"].get<std::string>());
        return seen.size() < 2;
      },
      stop);
  CHECK(status.ok());
  CHECK(seen == std::vector<std::string>{"ADDED after", "DELETED before"});

  SECTION("a compacted resourceVersion is 410 Gone") {
    cluster.store().Compact();
    absl::Status gone = client.Watch(
        {"pods", ""}, {}, list->resource_version, absl::Seconds(10),
        [](const WatchEvent&) { return true; }, stop);
    CHECK(IsGone(gone));
    CHECK(std::string(gone.message()).find("too old resource version") != std::string::npos);
  }
  SECTION("the server ending the stream ends the watch") {
    std::thread closer([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      cluster.store().CloseWatches();
    });
    int events = 0;
    absl::Status closed = client.Watch(
        {"pods", ""}, {}, std::to_string(cluster.store().resource_version()), absl::Seconds(30),
        [&](const WatchEvent&) { return ++events > 0; }, stop);
    closer.join();
    CHECK(closed.ok());
    CHECK(events == 0);
  }
}

TEST_CASE("client retries 429 honouring Retry-After, and 500 with backoff", "[kube_client]") {
  FakeCluster cluster;
  cluster.store().InjectFault({.method = "GET", .code = 429, .retry_after_seconds = 3});
  cluster.store().InjectFault({.method = "GET", .code = 500, .times = 2});
  auto list = cluster.client->List({"nodes", ""}, {});
  REQUIRE(list.ok());
  CHECK(cluster.sleeps.sleeps() == std::vector<absl::Duration>{absl::Seconds(3),
                                                               absl::Milliseconds(400),
                                                               absl::Milliseconds(800)});
  CHECK(cluster.store().Requests().size() == 4);

  SECTION("until the retries run out") {
    cluster.store().InjectFault({.code = 503, .times = 100});
    auto failed = cluster.client->GetPod("ns", "p");
    CHECK(failed.status().code() == absl::StatusCode::kUnavailable);
    CHECK(std::string(failed.status().message()) ==
          "get pods ns/p: 503 ServiceUnavailable: injected fault 503");
    CHECK(cluster.store().Requests().size() == 4 + 6);  // 1 + max_retries
  }
  SECTION("4xx are not retried") {
    auto missing = cluster.client->GetPod("ns", "p");
    CHECK(missing.status().code() == absl::StatusCode::kNotFound);
    CHECK(cluster.store().Requests().size() == 5);
  }
}

TEST_CASE("client rate limit waits between requests", "[kube_client]") {
  fakes::FakeKubeApiServer server({});
  REQUIRE(server.Start().ok());
  common::SimulatedClock clock;
  testing::SleepRecorder sleeps;
  KubeClient client(std::make_unique<HttpTransport>(KubeConnection{.server = server.url()}), clock,
                    {.qps = 10, .burst = 2, .sleep = sleeps.Fn()});
  for (int i = 0; i < 4; ++i) REQUIRE(client.List({"nodes", ""}, {}).ok());
  CHECK(sleeps.sleeps() ==
        std::vector<absl::Duration>{absl::Milliseconds(100), absl::Milliseconds(200)});
}

TEST_CASE("client speaks HTTPS to the fake with its CA", "[kube_client]") {
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("kube-tls-" + std::to_string(::getpid())))
          .string();
  std::filesystem::create_directories(dir);
  REQUIRE(fakes::WriteSelfSignedCert(dir).ok());
  auto ca = ReadFileToString(dir + "/cert.pem");
  REQUIRE(ca.ok());
  {
    FakeCluster cluster({.tls_cert_file = dir + "/cert.pem", .tls_key_file = dir + "/key.pem"},
                        {.ca_pem = *ca, .bearer_token = "t0ken"});
    REQUIRE(cluster.server.url().rfind("https://", 0) == 0);
    REQUIRE(cluster.client->CreatePod("ns", Pod("secure")).ok());
    CHECK(cluster.client->List({"pods", "ns"}, {})->items.size() == 1);

    KubeClient untrusted(
        std::make_unique<HttpTransport>(KubeConnection{.server = cluster.server.url()}),
        cluster.clock, {.qps = 0, .max_retries = 0});
    CHECK(untrusted.List({"pods", ""}, {}).status().code() == absl::StatusCode::kUnavailable);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace armada::executor::kubernetes
