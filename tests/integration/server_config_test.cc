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

TEST_CASE("server config: Armada's submission defaults, in Armada's key names and shapes") {
  // The by-resource tolerations as Armada's shipped file writes them: a list
  // of one-entry maps.
  auto config = LoadText(
      "submit:\n"
      "  defaultActiveDeadline: 72h\n"
      "  defaultActiveDeadlineByResourceRequest: {nvidia.com/gpu: 336h}\n"
      "  defaultJobLimits: {cpu: \"1\", memory: 1Gi}\n"
      "  defaultJobTolerations:\n"
      "    - {key: armadaproject.io/armada, operator: Equal, value: \"true\", effect: NoSchedule}\n"
      "  defaultJobTolerationsByPriorityClass:\n"
      "    armada-default: [{key: armadaproject.io/pc-armada-default, operator: Exists}]\n"
      "  defaultJobTolerationsByResourceRequest:\n"
      "    - nvidia.com/gpu: [{key: armadaproject.io/gpu, value: \"true\"}]\n"
      "  restrictedTolerationKeys: [whale]\n"
      "  defaultGangNodeUniformityLabel: zone\n"
      "  addGangIdLabel: true\n"
      "  assertInitContainersRequestFractionalCpu: true\n"
      "  maxOversubscriptionByResourceRequest: {cpu: 2}\n");
  INFO((config.ok() ? "" : std::string(config.status().message())));
  REQUIRE(config.ok());
  const auto& c = config->submit;
  CHECK(c.default_active_deadline_seconds == 72 * 3600);
  CHECK(c.default_active_deadline_by_resource_seconds.at("nvidia.com/gpu") == 336 * 3600);
  CHECK(c.default_job_limits ==
        std::map<std::string, std::string>{{"cpu", "1"}, {"memory", "1Gi"}});
  REQUIRE(c.default_job_tolerations.size() == 1);
  CHECK(c.default_job_tolerations[0].effect == "NoSchedule");
  CHECK(c.default_job_tolerations_by_priority_class.at("armada-default")[0].op == "Exists");
  CHECK(c.default_job_tolerations_by_resource_request.at("nvidia.com/gpu")[0].op == "Equal");
  CHECK(c.restricted_toleration_keys == std::vector<std::string>{"whale"});
  CHECK(c.default_gang_node_uniformity_label == "zone");
  CHECK(c.add_gang_id_label);
  CHECK(c.assert_init_containers_fractional_cpu);
  CHECK(c.max_oversubscription_by_resource.at("cpu") == 2);

  auto bad = LoadText("submit: {defaultJobLimits: {cpu: lots}}\n");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(std::string(bad.status().message()), Catch::Contains("submit.defaultJobLimits.cpu"));
  bad = LoadText(
      "submit: {minTerminationGracePeriodSeconds: 10, maxTerminationGracePeriodSeconds: 5}\n");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(std::string(bad.status().message()),
             Catch::Contains("minTerminationGracePeriodSeconds"));
}

}  // namespace
}  // namespace armada::server

namespace armada::server {
namespace {

TEST_CASE("server config: retention with per-queue overrides and the older eventRetention") {
  auto config = LoadText(
      "retention:\n"
      "  jobs: 72h\n"
      "  queues: {physics: 2160h, scratch: 1h}\n"
      "  executors: 24h\n"
      "  interval: 30s\n"
      "  batchSize: 200\n");
  REQUIRE(config.ok());
  CHECK(config->retention.jobs == absl::Hours(72));
  CHECK(config->retention.queues ==
        std::map<std::string, absl::Duration>{{"physics", absl::Hours(2160)},
                                              {"scratch", absl::Hours(1)}});
  CHECK(config->retention.executors == absl::Hours(24));
  CHECK(config->retention.interval == absl::Seconds(30));
  CHECK(config->retention.batch_size == 200);

  auto old_name = LoadText("eventRetention: 48h\n");
  REQUIRE(old_name.ok());
  CHECK(old_name->retention.jobs == absl::Hours(48));
  auto defaults = LoadText("");
  REQUIRE(defaults.ok());
  CHECK(defaults->retention.jobs == absl::Hours(14 * 24));
}

TEST_CASE("server config: a bad retention names its key and value") {
  auto both = LoadText("eventRetention: 48h\nretention: {jobs: 24h}\n");
  CHECK(both.status().message().find("set only one of them") != std::string::npos);
  auto zero = LoadText("retention: {jobs: 0s}\n");
  CHECK(zero.status().message().find("retention.jobs: must be > 0, got 0") != std::string::npos);
  auto queue = LoadText("retention: {queues: {physics: soon}}\n");
  CHECK(queue.status().message().find("retention.queues.physics: \"soon\" is not a duration") !=
        std::string::npos);
  auto batch = LoadText("retention: {batchSize: 0}\n");
  CHECK(batch.status().message().find("retention.batchSize: must be >= 1, got 0") !=
        std::string::npos);
  auto unknown = LoadText("retention: {job: 24h}\n");
  CHECK(unknown.status().message().find("job") != std::string::npos);
  CHECK_FALSE(unknown.ok());
}

}  // namespace
}  // namespace armada::server
