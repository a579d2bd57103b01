#include "executor/backends/kubernetes/informer.h"

#include <catch2/catch.hpp>

#include "tests/unit/executor/kubernetes/kube_test_util.h"

namespace armada::executor::kubernetes {
namespace {

using testing::Eventually;
using testing::FakeCluster;
using testing::Pod;

bool Has(const Informer& informer, const std::string& key) {
  return informer.Snapshot().count(key) > 0;
}

int WatchesFrom(fakes::FakeKubeStore& store, const std::string& rv) {
  int n = 0;
  for (const auto& r : store.Requests()) {
    if (r.target.find("watch=1") != std::string::npos &&
        r.target.find("resourceVersion=" + rv + "&") != std::string::npos) {
      ++n;
    }
  }
  return n;
}

TEST_CASE("informer lists, watches and resumes a closed watch", "[informer]") {
  FakeCluster cluster;
  fakes::FakeKubeStore& store = cluster.store();
  REQUIRE(cluster.client->CreatePod("ns", Pod("p1", {{"armada_job_id", "1"}})).ok());
  Informer informer(*cluster.client, {.resource = {"pods", ""}, .selector = {"armada_job_id"}});
  REQUIRE(informer.Start().ok());
  CHECK(Has(informer, "ns/p1"));  // listed before Start returns

  REQUIRE(cluster.client->CreatePod("ns", Pod("p2", {{"armada_job_id", "2"}})).ok());
  REQUIRE(cluster.client->CreatePod("ns", Pod("web")).ok());
  REQUIRE(Eventually([&] { return Has(informer, "ns/p2"); }));

  // The informer resumes from the last resourceVersion it saw (p2's: "web" was filtered out).
  const std::string last_rv =
      informer.Snapshot().at("ns/p2")->at("metadata").at("resourceVersion").get<std::string>();
  store.CloseWatches();
  REQUIRE(Eventually([&] { return WatchesFrom(store, last_rv) == 1; }));
  REQUIRE(cluster.client->DeletePod("ns", "p1", 0).ok());
  REQUIRE(Eventually([&] { return !Has(informer, "ns/p1"); }));
  CHECK(!Has(informer, "ns/web"));
  CHECK(informer.lists() == 1);
}

TEST_CASE("informer relists after 410 Gone", "[informer]") {
  FakeCluster cluster;
  fakes::FakeKubeStore& store = cluster.store();
  REQUIRE(cluster.client->CreatePod("ns", Pod("p1", {{"armada_job_id", "1"}})).ok());
  Informer informer(*cluster.client, {.resource = {"pods", ""}, .selector = {"armada_job_id"}});
  REQUIRE(informer.Start().ok());

  // The informer misses events, and the server compacts them away meanwhile.
  store.PauseWatches(true);
  REQUIRE(cluster.client->CreatePod("ns", Pod("p2", {{"armada_job_id", "2"}})).ok());
  REQUIRE(cluster.client->DeletePod("ns", "p1", 0).ok());
  store.Compact();
  store.PauseWatches(false);

  REQUIRE(Eventually([&] { return informer.lists() == 2; }));
  REQUIRE(Eventually([&] { return Has(informer, "ns/p2") && !Has(informer, "ns/p1"); }));
  // And it keeps watching after the relist.
  REQUIRE(cluster.client->CreatePod("ns", Pod("p3", {{"armada_job_id", "3"}})).ok());
  CHECK(Eventually([&] { return Has(informer, "ns/p3"); }));
}

TEST_CASE("informer retries a failing watch", "[informer]") {
  FakeCluster cluster;
  Informer informer(*cluster.client, {.resource = {"nodes", ""}});
  REQUIRE(informer.Start().ok());
  cluster.store().InjectFault({.target_contains = "watch=1", .code = 500, .times = 2});
  cluster.store().CloseWatches();
  cluster.store().UpsertNode({{"metadata", {{"name", "n1"}}}});
  CHECK(Eventually([&] { return Has(informer, "n1"); }));
}

}  // namespace
}  // namespace armada::executor::kubernetes
