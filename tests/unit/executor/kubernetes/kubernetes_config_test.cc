#include "executor/backends/kubernetes/kubernetes_config.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/fakes/fake_kube_apiserver/fake_kubelet.h"
#include "tests/unit/executor/kubernetes/kube_test_util.h"

namespace armada::executor::kubernetes {
namespace {

TEST_CASE("kubernetes config section parses every key", "[kubernetes_config]") {
  KubernetesConfig config;
  REQUIRE(ParseKubernetesConfig(YAML::Load(R"(
kubeconfig: /etc/kube/config
context: prod
namespace: batch
qps: 20
burst: 40
maxRetries: 2
nodeIdLabel: armadaproject.io/node-id
poolLabel: armadaproject.io/pool
schedulerName: armada
unschedulableDeadline: 2m
imagePullDeadline: 10m
stuckStartingDeadline: 4m
missingPodDeadline: 1m
finishedPodMinAge: 30s
stuckTerminatingTimeout: 45s
watchTimeout: 1m
)"),
                                config)
              .ok());
  CHECK(config.kubeconfig == "/etc/kube/config");
  CHECK(config.context == "prod");
  CHECK(config.client.qps == 20);
  CHECK(config.client.burst == 40);
  CHECK(config.client.max_retries == 2);
  CHECK(config.backend.pod.default_namespace == "batch");
  CHECK(config.backend.pod.node_id_label == "armadaproject.io/node-id");
  CHECK(config.backend.pod.scheduler_name == "armada");
  CHECK(config.backend.pool_label == "armadaproject.io/pool");
  CHECK(config.backend.unschedulable_deadline == absl::Minutes(2));
  CHECK(config.backend.image_pull_deadline == absl::Minutes(10));
  CHECK(config.backend.stuck_starting_deadline == absl::Minutes(4));
  CHECK(config.backend.missing_pod_deadline == absl::Minutes(1));
  CHECK(config.backend.finished_pod_min_age == absl::Seconds(30));
  CHECK(config.backend.stuck_terminating_timeout == absl::Seconds(45));
  CHECK(config.backend.watch_timeout == absl::Minutes(1));

  KubernetesConfig bad;
  CHECK(ParseKubernetesConfig(YAML::Load("qsp: 3"), bad).code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(ParseKubernetesConfig(YAML::Load("burst: 0"), bad).code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("kubernetes backend from a kubeconfig reaches the fake API server",
          "[kubernetes_config]") {
  fakes::FakeKubeApiServer server({});
  REQUIRE(server.Start().ok());
  server.store().UpsertNode(fakes::MakeNode("node-1", {{"cpu", "2"}}));
  server.store().UpsertNode(fakes::MakeNode("node-2", {{"cpu", "2"}}));
  const auto path =
      std::filesystem::temp_directory_path() / ("kubeconfig-" + std::to_string(::getpid()));
  std::ofstream(path) << "current-context: fake\n"
                         "contexts: [{name: fake, context: {cluster: c, user: u}}]\n"
                         "clusters: [{name: c, cluster: {server: \""
                      << server.url()
                      << "\"}}]\n"
                         "users: [{name: u, user: {token: abc}}]\n";
  KubernetesConfig config;
  config.kubeconfig = path.string();
  common::SimulatedClock clock;
  SECTION("cluster mode sees every node") {
    auto backend = MakeKubernetesBackend(config, "", clock);
    REQUIRE(backend.ok());
    auto nodes = (*backend)->Nodes();
    REQUIRE(nodes.ok());
    CHECK(nodes->size() == 2);
  }
  SECTION("node mode sees its own node") {
    auto backend = MakeKubernetesBackend(config, "node-2", clock);
    REQUIRE(backend.ok());
    auto nodes = (*backend)->Nodes();
    REQUIRE(nodes.ok());
    REQUIRE(nodes->size() == 1);
    CHECK((*nodes)[0].name == "node-2");
  }
  std::filesystem::remove(path);
}

TEST_CASE("kubernetes backend is unavailable while the API server is down", "[kubernetes_config]") {
  KubernetesConfig config;
  const auto path =
      std::filesystem::temp_directory_path() / ("kubeconfig-down-" + std::to_string(::getpid()));
  std::ofstream(path) << "current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
                         "clusters: [{name: c, cluster: {server: \"http://127.0.0.1:1\"}}]\n";
  config.kubeconfig = path.string();
  config.client.max_retries = 0;
  common::SimulatedClock clock;
  auto backend = MakeKubernetesBackend(config, "", clock);
  REQUIRE(backend.ok());
  CHECK((*backend)->Nodes().status().code() == absl::StatusCode::kUnavailable);
  CHECK((*backend)->Recover().status().code() == absl::StatusCode::kUnavailable);
  CHECK((*backend)->Poll().empty());
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace armada::executor::kubernetes
