#include "lib/model/submit_validation.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace armada::model {
namespace {

SubmitItemView ValidItem() {
  SubmitItemView item;
  item.pod_spec_count = 1;
  ContainerView container;
  container.name = "main";
  container.command = {"sh", "-c", "true"};
  container.requests = {{"cpu", "1"}, {"memory", "1Gi"}};
  container.limits = container.requests;
  item.containers = {container};
  return item;
}

struct InvalidCase {
  std::string name;
  void (*mutate)(SubmitItemView&);
  std::string path;     // the field the error must name
  std::string mention;  // and something it must say about it
};

const std::vector<InvalidCase> kInvalidCases = {
    {"no pod spec", [](SubmitItemView& i) { i.pod_spec_count = 0; },
     "job_request_items[4].pod_specs", "exactly one pod spec, got 0"},
    {"two pod specs", [](SubmitItemView& i) { i.pod_spec_count = 2; },
     "job_request_items[4].pod_specs", "got 2"},
    {"no containers", [](SubmitItemView& i) { i.containers.clear(); },
     "job_request_items[4].pod_specs[0].containers", "at least one"},
    {"unnamed container", [](SubmitItemView& i) { i.containers[0].name.clear(); },
     "job_request_items[4].pod_specs[0].containers[0].name", "must be set"},
    {"pod spec too large", [](SubmitItemView& i) { i.pod_spec_bytes = 70000; },
     "job_request_items[4].pod_specs[0]", "70000 bytes; at most 65535"},
    {"preferred node affinity", [](SubmitItemView& i) { i.has_preferred_node_affinity = true; },
     "job_request_items[4].pod_specs[0].affinity.nodeAffinity."
     "preferredDuringSchedulingIgnoredDuringExecution",
     "not supported"},
    {"limit above request", [](SubmitItemView& i) { i.containers[0].limits["cpu"] = "2"; },
     "job_request_items[4].pod_specs[0].containers[0].resources.limits[cpu]",
     "limits must equal requests"},
    {"unknown resource",
     [](SubmitItemView& i) {
       i.containers[0].requests["example.com/fpga"] = "1";
       i.containers[0].limits["example.com/fpga"] = "1";
     },
     "job_request_items[4].pod_specs[0].containers[0].resources.requests[example.com/fpga]",
     "unknown resource"},
    {"port used twice",
     [](SubmitItemView& i) {
       i.containers.push_back(i.containers[0]);
       i.containers[1].name = "sidecar";
       i.containers[0].ports = {8080};
       i.containers[1].ports = {9090, 8080};
     },
     "job_request_items[4].pod_specs[0].containers[1].ports[1].containerPort",
     "8080 is already used by containers[0]"},
    {"bad quantity", [](SubmitItemView& i) { i.containers[0].requests["cpu"] = "two"; },
     "job_request_items[4].pod_specs[0].containers[0].resources.requests[cpu]", "\"two\""},
    {"negative quantity", [](SubmitItemView& i) { i.containers[0].limits["memory"] = "-1Gi"; },
     "job_request_items[4].pod_specs[0].containers[0].resources.limits[memory]", "-1Gi"},
    {"limit missing a requested resource",
     [](SubmitItemView& i) { i.containers[0].limits.erase("memory"); },
     "job_request_items[4].pod_specs[0].containers[0].resources.limits", "memory"},
    {"request missing a limited resource",
     [](SubmitItemView& i) { i.containers[0].limits["nvidia.com/gpu"] = "1"; },
     "job_request_items[4].pod_specs[0].containers[0].resources.requests", "nvidia.com/gpu"},
    {"no resources at all",
     [](SubmitItemView& i) {
       i.containers[0].requests.clear();
       i.containers[0].limits.clear();
     },
     "job_request_items[4].pod_specs[0].containers[0].resources", "required"},
    {"unknown priority class", [](SubmitItemView& i) { i.priority_class_name = "vip"; },
     "job_request_items[4].pod_specs[0].priorityClassName", "armada-default, armada-preemptible"},
    {"grace period too long", [](SubmitItemView& i) { i.termination_grace_seconds = 3600; },
     "job_request_items[4].pod_specs[0].terminationGracePeriodSeconds", "3600"},
    {"grace period below the minimum", [](SubmitItemView& i) { i.termination_grace_seconds = -5; },
     "job_request_items[4].pod_specs[0].terminationGracePeriodSeconds", "outside [1, 300]"},
    {"negative priority", [](SubmitItemView& i) { i.priority = -1; },
     "job_request_items[4].priority", "-1"},
    {"client id too long", [](SubmitItemView& i) { i.client_id = std::string(101, 'x'); },
     "job_request_items[4].client_id", "101"},
};

TEST_CASE("validation: each kind of bad item is rejected naming the item and field") {
  const InvalidCase& c = GENERATE(from_range(kInvalidCases));
  DYNAMIC_SECTION(c.name) {
    SubmitItemView item = ValidItem();
    c.mutate(item);
    auto result = ValidateSubmitItem(4, item, SubmitConfig{});
    REQUIRE_FALSE(result.ok());
    CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
    const std::string message(result.status().message());
    CHECK_THAT(message, Catch::StartsWith(c.path + ":"));
    CHECK_THAT(message, Catch::Contains(c.mention));
  }
}

TEST_CASE("validation: defaults are applied and requests summed over containers") {
  SubmitItemView item = ValidItem();
  ContainerView sidecar;
  sidecar.name = "sidecar";
  sidecar.limits = {{"cpu", "250m"}, {"memory", "512Mi"}};  // requests default to limits
  item.containers.push_back(sidecar);
  item.priority = 2.6;

  auto result = ValidateSubmitItem(0, item, SubmitConfig{});
  REQUIRE(result.ok());
  CHECK(result->namespace_name == "default");
  CHECK(result->priority_class_name == "armada-default");
  CHECK(result->termination_grace_seconds == 1);  // Armada: the minimum
  CHECK(result->priority == 3);
  CHECK(result->requests.Get("cpu") == 1250);
  CHECK(result->requests.ToString() == "cpu=1250m,memory=1536Mi");
}

TEST_CASE("validation: configured priority classes and namespace") {
  SubmitConfig config;
  config.allowed_priority_classes = {"gold"};
  config.default_priority_class = "gold";
  config.default_namespace = "research";
  SubmitItemView item = ValidItem();
  auto result = ValidateSubmitItem(0, item, config);
  REQUIRE(result.ok());
  CHECK(result->priority_class_name == "gold");
  CHECK(result->namespace_name == "research");
  item.priority_class_name = "armada-default";
  CHECK_FALSE(ValidateSubmitItem(0, item, config).ok());
}

TEST_CASE("validation: the request as a whole") {
  SubmitConfig config;
  CHECK(ValidateSubmitRequest("q", "set", 1, config).ok());
  CHECK_THAT(std::string(ValidateSubmitRequest("", "set", 1, config).message()),
             Catch::StartsWith("queue:"));
  CHECK_THAT(std::string(ValidateSubmitRequest("q", "", 1, config).message()),
             Catch::StartsWith("job_set_id:"));
  CHECK_THAT(std::string(ValidateSubmitRequest("q", "set", 0, config).message()),
             Catch::StartsWith("job_request_items:"));
  CHECK_THAT(std::string(ValidateSubmitRequest("q", std::string(1024, 's'), 1, config).message()),
             Catch::Contains("1024"));
}

TEST_CASE("validation: priorities convert as Armada's do") {
  CHECK(PriorityFromDouble(0) == 0);
  CHECK(PriorityFromDouble(1.4) == 1);
  CHECK(PriorityFromDouble(1.5) == 2);
  CHECK(PriorityFromDouble(1e20) == 4294967295u);
}

TEST_CASE("submit validation: minimum job resources") {
  SubmitConfig config;
  config.min_job_resources = {{"memory", "2Gi"}};
  auto result = ValidateSubmitItem(0, ValidItem(), config);
  REQUIRE_FALSE(result.ok());
  CHECK_THAT(std::string(result.status().message()), Catch::Contains("minimum 2Gi"));
}

SubmitItemView GangMember(const std::string& id, const std::string& cardinality,
                          const std::string& label = "") {
  SubmitItemView item = ValidItem();
  item.annotations[kGangIdAnnotation] = id;
  item.annotations[kGangCardinalityAnnotation] = cardinality;
  if (!label.empty()) item.annotations[kGangUniformityLabelAnnotation] = label;
  return item;
}

TEST_CASE("submit validation: gang declarations agree within a request") {
  CHECK(ValidateGangs({GangMember("g", "2"), GangMember("g", "2"), ValidItem()}).ok());
  CHECK(ValidateGangs({GangMember("g", "3")}).ok());  // the rest may come later

  auto message = [](const std::vector<SubmitItemView>& items) {
    absl::Status status = ValidateGangs(items);
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    return std::string(status.message());
  };
  CHECK_THAT(message({GangMember("g", "2"), GangMember("g", "3")}),
             Catch::Contains("job_request_items[1]") && Catch::Contains("cardinality 2"));
  CHECK_THAT(message({GangMember("g", "0")}), Catch::Contains("cardinality >= 1"));
  CHECK_THAT(message({GangMember("g", "two")}), Catch::Contains("\"two\""));
  CHECK_THAT(message({GangMember("g", "1"), GangMember("g", "1")}),
             Catch::Contains("holds more members"));
  CHECK_THAT(message({GangMember("g", "2", "zone"), GangMember("g", "2", "rack")}),
             Catch::Contains("uniformity label"));
  SubmitItemView no_id = ValidItem();
  no_id.annotations[kGangCardinalityAnnotation] = "2";
  CHECK_THAT(message({no_id}), Catch::Contains("armadaproject.io/gangId is not"));
}

}  // namespace
}  // namespace armada::model
