#include "cli/yaml_proto.h"

#include <string>
#include <vector>

#include <google/protobuf/util/message_differencer.h>
#include <yaml-cpp/yaml.h>
#include <catch2/catch.hpp>

#include "api/event.pb.h"
#include "api/submit.pb.h"
#include "k8s.io/api/core/v1/generated.pb.h"
#include "k8s.io/apimachinery/pkg/apis/meta/v1/generated.pb.h"

namespace armada::cli {
namespace {

namespace core = k8s::io::api::core::v1;

template <typename Message>
absl::Status Convert(const std::string& yaml, Message* message, const std::string& path = "x") {
  return YamlToMessage(YAML::Load(yaml), message, path);
}

TEST_CASE("YamlToMessage matches JSON names and proto names", "[yaml_proto]") {
  api::JobSubmitRequestItem by_json;
  api::JobSubmitRequestItem by_proto;
  REQUIRE(
      Convert("{clientId: a, requiredNodeLabels: {zone: z1}, externalJobUri: u}", &by_json).ok());
  REQUIRE(
      Convert("{client_id: a, required_node_labels: {zone: z1}, external_job_uri: u}", &by_proto)
          .ok());
  CHECK(by_json.client_id() == "a");
  CHECK(by_json.external_job_uri() == "u");
  CHECK(google::protobuf::util::MessageDifferencer::Equals(by_json, by_proto));
}

TEST_CASE("YamlToMessage converts scalars by field type", "[yaml_proto]") {
  core::Container container;
  absl::Status status = Convert(R"yaml(
name: 123
stdin: yes
tty: false
ports: [{containerPort: 8080, hostPort: "9090", protocol: TCP}]
securityContext: {runAsUser: 1000, runAsNonRoot: true}
)yaml",
                                &container);
  INFO(status.ToString());
  REQUIRE(status.ok());
  CHECK(container.name() == "123");  // Any scalar is a valid string.
  CHECK(container.stdin());
  CHECK(container.has_tty());
  CHECK_FALSE(container.tty());
  CHECK(container.ports(0).containerport() == 8080);
  CHECK(container.ports(0).hostport() == 9090);
  CHECK(container.securitycontext().runasuser() == 1000);

  api::JobSubmitRequestItem item;
  REQUIRE(Convert("{priority: 2.5}", &item).ok());
  CHECK(item.priority() == 2.5);

  api::ServiceConfig by_name;
  api::ServiceConfig by_number;
  REQUIRE(Convert("{type: Headless}", &by_name).ok());
  REQUIRE(Convert("{type: 1}", &by_number).ok());
  CHECK(by_name.type() == api::Headless);
  CHECK(by_number.type() == api::Headless);
}

TEST_CASE("YamlToMessage reads maps with non-string keys and bytes values", "[yaml_proto]") {
  api::JobIngressInfoEvent ingress;
  REQUIRE(Convert("{ingressAddresses: {8080: 'node1:30000', 9090: 'node1:30001'}}", &ingress).ok());
  CHECK(ingress.ingress_addresses().at(8080) == "node1:30000");
  CHECK(ingress.ingress_addresses().at(9090) == "node1:30001");

  absl::Status bad_key = Convert("{ingressAddresses: {http: a}}", &ingress, "ev");
  CHECK(std::string(bad_key.message()) ==
        "1: ev.ingressAddresses.http: expected an integer (int32), got \"http\"");

  core::ConfigMap config_map;
  REQUIRE(Convert("{binaryData: {blob: aGVsbG8=}}", &config_map).ok());
  CHECK(config_map.binarydata().at("blob") == "hello");
}

TEST_CASE("YamlToMessage reads Kubernetes scalar types", "[yaml_proto]") {
  SECTION("Quantity") {
    core::ResourceRequirements resources;
    REQUIRE(Convert("{requests: {cpu: 1, memory: 512Mi, nvidia.com/gpu: '2'}}", &resources).ok());
    CHECK(resources.requests().at("cpu").string() == "1");
    CHECK(resources.requests().at("memory").string() == "512Mi");
    CHECK(resources.requests().at("nvidia.com/gpu").string() == "2");
    absl::Status bad = Convert("{limits: {nvidia.com/gpu: 1x}}", &resources, "r");
    CHECK(std::string(bad.message()) ==
          "1: r.limits[\"nvidia.com/gpu\"]: expected a quantity such as 1, 500m or 512Mi, got "
          "\"1x\"");
  }
  SECTION("IntOrString") {
    core::ServicePort number;
    core::ServicePort name;
    core::ServicePort quoted;
    REQUIRE(Convert("{targetPort: 8080}", &number).ok());
    REQUIRE(Convert("{targetPort: http}", &name).ok());
    REQUIRE(Convert("{targetPort: '8080'}", &quoted).ok());
    CHECK(number.targetport().type() == 0);
    CHECK(number.targetport().intval() == 8080);
    CHECK(name.targetport().type() == 1);
    CHECK(name.targetport().strval() == "http");
    CHECK(quoted.targetport().type() == 1);
    CHECK(quoted.targetport().strval() == "8080");
  }
  SECTION("Time and Duration") {
    api::JobSubmittedEvent event;
    REQUIRE(Convert("{created: '2024-05-01T12:00:03.5Z'}", &event).ok());
    CHECK(event.created().seconds() == 1714564803);
    CHECK(event.created().nanos() == 500000000);
    absl::Status bad = Convert("{created: yesterday}", &event, "e");
    CHECK(std::string(bad.message()) ==
          "1: e.created: expected an RFC 3339 time such as 2024-01-02T15:04:05Z, got "
          "\"yesterday\"");
    k8s::io::apimachinery::pkg::apis::meta::v1::Duration duration;
    REQUIRE(YamlToMessage(YAML::Load("1h30m"), &duration, "d").ok());
    CHECK(duration.duration() == 5400LL * 1000 * 1000 * 1000);
    absl::Status bad_duration = YamlToMessage(YAML::Load("soon"), &duration, "d");
    CHECK(std::string(bad_duration.message()) ==
          "1: d: expected a duration such as 90s or 1h30m, got \"soon\"");
  }
}

TEST_CASE("YamlToMessage leaves null values unset", "[yaml_proto]") {
  core::Container container;
  REQUIRE(Convert("{name: c, command: ~, resources:, tty: null}", &container).ok());
  CHECK(container.command_size() == 0);
  CHECK_FALSE(container.has_resources());
  CHECK_FALSE(container.has_tty());
}

TEST_CASE("YamlToMessage rejects two members of a oneof", "[yaml_proto]") {
  api::EventMessage event;
  absl::Status status = Convert("{submitted: {jobId: a},\n queued: {jobId: a}}", &event, "ev");
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(status.message()) ==
        "2: ev.queued: only one of the events fields may be set, submitted is already set");
}

TEST_CASE("YamlToMessage shortens long values in errors", "[yaml_proto]") {
  core::Container container;
  const std::string script(100, 'x');
  absl::Status status = Convert("{command: " + script + "}", &container, "c");
  CHECK(std::string(status.message()) ==
        "1: c.command: expected a list, got \"" + std::string(60, 'x') + "...\"");
}

TEST_CASE("YamlToMessage skips the given top-level keys only", "[yaml_proto]") {
  api::Queue queue;
  REQUIRE(YamlToMessage(YAML::Load("{kind: Queue, name: q}"), &queue, "", {"kind"}).ok());
  CHECK(queue.name() == "q");
  api::Queue nested;
  absl::Status status =
      YamlToMessage(YAML::Load("{permissions: [{kind: x}]}"), &nested, "", {"kind"});
  CHECK(std::string(status.message()) ==
        "1: permissions[0].kind: unknown field \"kind\" in Permissions");
}

}  // namespace
}  // namespace armada::cli
