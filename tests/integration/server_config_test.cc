// armada-server's configuration file: how submission and scheduling agree on
// priority classes.

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "server/server_config.h"

namespace armada::server {
namespace {

absl::StatusOr<ServerConfig> LoadText(const std::string& yaml) {
  char path[] = "/tmp/server_config_test.XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream(path) << "databaseUrl: postgresql://unused\nredisUrl: redis://unused\n" << yaml;
  auto config = LoadServerConfig(path);
  std::remove(path);
  return config;
}

TEST_CASE("server config: submission accepts the scheduler's priority classes by default") {
  auto config = LoadText(
      "scheduling:\n"
      "  priorityClasses:\n"
      "    batch: {priority: 100, preemptible: true}\n"
      "    urgent: {priority: 2000}\n"
      "  defaultPriorityClass: batch\n");
  REQUIRE(config.ok());
  CHECK(config->submit.allowed_priority_classes == std::vector<std::string>{"batch", "urgent"});
  CHECK(config->submit.default_priority_class == "batch");
}

TEST_CASE("server config: a submission class the scheduler does not know is refused") {
  auto config = LoadText(
      "scheduling:\n"
      "  priorityClasses: {batch: {priority: 100}}\n"
      "  defaultPriorityClass: batch\n"
      "submit:\n"
      "  allowedPriorityClasses: [batch, armada-default]\n");
  REQUIRE_FALSE(config.ok());
  CHECK_THAT(
      std::string(config.status().message()),
      Catch::Contains("submit.allowedPriorityClasses") && Catch::Contains("\"armada-default\""));
}

TEST_CASE("server config: Armada's two classes out of the box") {
  auto config = LoadText("");
  REQUIRE(config.ok());
  CHECK(config->submit.allowed_priority_classes ==
        std::vector<std::string>{"armada-default", "armada-preemptible"});
  CHECK(config->submit.default_priority_class == "armada-default");
}

}  // namespace
}  // namespace armada::server
