#include "executor/backends/kubernetes/kube_config.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/escaping.h"

namespace armada::executor::kubernetes {
namespace {

namespace fs = std::filesystem;

fs::path TempDir() {
  fs::path dir = fs::temp_directory_path() / ("kube-config-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

void Write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

TEST_CASE("kubeconfig current-context with CA data and token", "[kube_config]") {
  const fs::path dir = TempDir();
  Write(dir / "config", R"(
apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: dev-cluster
  cluster: {server: "https://dev:6443"}
- name: prod-cluster
  cluster:
    server: "https://prod:6443/"
    certificate-authority-data: )" +
                            absl::Base64Escape("CA PEM") + R"(
users:
- name: alice
  user: {token: secret-token}
- name: bob
  user: {client-certificate: bob.crt, client-key-data: )" +
                            absl::Base64Escape("KEY") + R"(}
contexts:
- name: prod
  context: {cluster: prod-cluster, user: alice, namespace: batch}
- name: dev
  context: {cluster: dev-cluster, user: bob}
)");
  Write(dir / "bob.crt", "CERT");
  auto prod = LoadKubeconfig((dir / "config").string());
  REQUIRE(prod.ok());
  CHECK(prod->server == "https://prod:6443");
  CHECK(prod->ca_pem == "CA PEM");
  CHECK(prod->bearer_token == "secret-token");
  CHECK(prod->default_namespace == "batch");

  auto dev = LoadKubeconfig((dir / "config").string(), "dev");
  REQUIRE(dev.ok());
  CHECK(dev->server == "https://dev:6443");
  CHECK(dev->client_cert_pem == "CERT");  // relative to the kubeconfig's directory
  CHECK(dev->client_key_pem == "KEY");

  auto missing = LoadKubeconfig((dir / "config").string(), "staging");
  CHECK(missing.status().code() == absl::StatusCode::kNotFound);
  CHECK(LoadKubeconfig((dir / "nope").string()).status().code() == absl::StatusCode::kNotFound);
  fs::remove_all(dir);
}

TEST_CASE("in-cluster service account", "[kube_config]") {
  const fs::path dir = TempDir();
  Write(dir / "ca.crt", "CA");
  Write(dir / "token", "tok\n");
  Write(dir / "namespace", "armada\n");
  ::setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
  ::setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  auto conn = LoadInClusterConnection(dir.string());
  REQUIRE(conn.ok());
  CHECK(conn->server == "https://10.0.0.1:443");
  CHECK(conn->bearer_token == "tok");
  CHECK(conn->ca_pem == "CA");
  CHECK(conn->default_namespace == "armada");
  ::unsetenv("KUBERNETES_SERVICE_HOST");
  CHECK(LoadInClusterConnection(dir.string()).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  ::unsetenv("KUBERNETES_SERVICE_PORT");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace armada::executor::kubernetes
