// Armada's submit validation tests (internal/server/submit/validation/
// submit_request_test.go), restated case by case against ours; see
// submit_armada_cases_test.cc for the defaulting tests and the conventions.
// Each row keeps Armada's test and case names. Armada's containers there are
// often unnamed and without resources; ours must pass our other checks, so
// they get a name and resources unless the row is about them.
#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "lib/model/submit_validation.h"

namespace armada::model {
namespace {

using Resources = std::map<std::string, std::string>;

const Resources kOneCpu = {{"cpu", "1"}};
const Resources kTwoCpu = {{"cpu", "2"}};
const Resources kNegativeCpu = {{"cpu", "-1"}};

ContainerView Container(const std::string& name, Resources requests, Resources limits,
                        std::vector<int32_t> ports = {}) {
  ContainerView c;
  c.name = name;
  c.requests = std::move(requests);
  c.limits = std::move(limits);
  c.ports = std::move(ports);
  return c;
}

ContainerView WithPorts(const std::string& name, std::vector<int32_t> ports) {
  return Container(name, kOneCpu, kOneCpu, std::move(ports));
}

SubmitItemView BaseItem() {
  SubmitItemView item;
  item.namespace_name = "my-namespace";
  item.pod_spec_count = 1;
  item.containers = {WithPorts("main", {})};
  return item;
}

struct Case {
  std::string armada;  // the Armada test
  std::string name;    // its case name
  std::function<void(SubmitItemView&)> item;
  std::function<void(SubmitConfig&)> config;
  std::string error;  // empty: accepted; else the path the error starts with
};

void NoConfig(SubmitConfig&) {}

const std::string kItem = "job_request_items[0]";
const std::string kPod = kItem + ".pod_specs[0]";
const std::string kAffinity =
    kPod +
    ".affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]."
    "matchExpressions[0]";

std::function<void(SubmitItemView&)> Affinity(NodeSelectorRequirement r) {
  return [r](SubmitItemView& i) { i.required_node_affinity = {NodeSelectorTerm{{r}}}; };
}
std::function<void(SubmitItemView&)> Ingress(std::vector<std::vector<uint32_t>> ports) {
  return [ports](SubmitItemView& i) { i.ingress_ports = ports; };
}
std::function<void(SubmitItemView&)> Ports(std::vector<ContainerView> init,
                                           std::vector<ContainerView> main) {
  return [init, main](SubmitItemView& i) {
    i.init_containers = init;
    i.containers = main;
  };
}
std::function<void(SubmitItemView&)> Grace(int64_t seconds) {
  return [seconds](SubmitItemView& i) { i.termination_grace_seconds = seconds; };
}
void GraceBounds(SubmitConfig& c) {
  c.min_termination_grace_seconds = 30;
  c.max_termination_grace_seconds = 300;
}
std::function<void(SubmitItemView&)> Init(Resources requests, Resources limits) {
  return [requests, limits](SubmitItemView& i) {
    i.init_containers = {Container("init", requests, limits)};
  };
}
void AssertFractional(SubmitConfig& c) { c.assert_init_containers_fractional_cpu = true; }

const std::vector<Case> kCases = {
    // TestValidateHasPodSpec (pod_spec_count counts pod_spec and pod_specs)
    {"TestValidateHasPodSpec", "single podspec in podspec field", [](SubmitItemView&) {}, NoConfig,
     ""},
    {"TestValidateHasPodSpec", "single podspec in podspecs field", [](SubmitItemView&) {}, NoConfig,
     ""},
    {"TestValidateHasPodSpec", "multiple podspecs in podspecs field",
     [](SubmitItemView& i) { i.pod_spec_count = 2; }, NoConfig, kItem + ".pod_specs"},
    {"TestValidateHasPodSpec", "podspecs and podspec",
     [](SubmitItemView& i) { i.pod_spec_count = 2; }, NoConfig, kItem + ".pod_specs"},
    {"TestValidateHasPodSpec", "no podspec", [](SubmitItemView& i) { i.pod_spec_count = 0; },
     NoConfig, kItem + ".pod_specs"},
    // TestValidateAffinity
    {"TestValidateAffinity", "No affinity", [](SubmitItemView&) {}, NoConfig, ""},
    {"TestValidateAffinity", "valid affinity", Affinity({"bar", "In", {"bar"}}), NoConfig, ""},
    {"TestValidateAffinity", "invalid affinity",
     Affinity({"/keys_cant_start_with_a_slash", "In", {"bar"}}), NoConfig, kAffinity + ".key"},
    {"TestValidateAffinity", "PreferredDuringSchedulingIgnoredDuringExecution not allowed",
     [](SubmitItemView& i) { i.has_preferred_node_affinity = true; }, NoConfig,
     kPod + ".affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution"},
    // TestValidateIngresses
    {"TestValidateIngresses", "no ingress", [](SubmitItemView&) {}, NoConfig, ""},
    {"TestValidateIngresses", "valid ingress", Ingress({{5}}), NoConfig, ""},
    {"TestValidateIngresses", "multiple ingress", Ingress({{5}, {6}}), NoConfig, ""},
    {"TestValidateIngresses", "multiple ports", Ingress({{5, 6}}), NoConfig, ""},
    {"TestValidateIngresses", "no ports", Ingress({{}}), NoConfig, kItem + ".ingress[0].ports"},
    {"TestValidateIngresses", "duplicate ports", Ingress({{5, 6, 5}}), NoConfig,
     kItem + ".ingress[0].ports"},
    {"TestValidateIngresses", "duplicate ports on different ingresses", Ingress({{5}, {5}}),
     NoConfig, kItem + ".ingress[1].ports"},
    // TestValidateNamespace. Differs: Armada refuses an item without a
    // namespace; we give it submit.defaultNamespace (see the next test case).
    {"TestValidateNamespace", "good namespace", [](SubmitItemView&) {}, NoConfig, ""},
    {"TestValidateNamespace", "missing namespace (ours: defaulted)",
     [](SubmitItemView& i) { i.namespace_name.clear(); }, NoConfig, ""},
    // TestValidatePriceBand
    {"TestValidatePriceBand", "no price band", [](SubmitItemView&) {}, NoConfig, ""},
    {"TestValidatePriceBand", "valid price band - lowercase",
     [](SubmitItemView& i) { i.annotations = {{kPriceBandAnnotation, "a"}}; }, NoConfig, ""},
    {"TestValidatePriceBand", "valid price band - uppercase",
     [](SubmitItemView& i) { i.annotations = {{kPriceBandAnnotation, "A"}}; }, NoConfig, ""},
    {"TestValidatePriceBand", "invalid price band",
     [](SubmitItemView& i) { i.annotations = {{kPriceBandAnnotation, "z"}}; }, NoConfig,
     kItem + ".annotations[armadaproject.io/priceBand]"},
    // TestValidatePodSpecSize (the limit equal to the spec's size, then one less)
    {"TestValidatePodSpecSize", "valid podspec in podspec",
     [](SubmitItemView& i) { i.pod_spec_bytes = 100; },
     [](SubmitConfig& c) { c.max_pod_spec_bytes = 100; }, ""},
    {"TestValidatePodSpecSize", "valid podspec in podspecs",
     [](SubmitItemView& i) { i.pod_spec_bytes = 100; },
     [](SubmitConfig& c) { c.max_pod_spec_bytes = 100; }, ""},
    {"TestValidatePodSpecSize", "invalid podspec in podspec",
     [](SubmitItemView& i) { i.pod_spec_bytes = 100; },
     [](SubmitConfig& c) { c.max_pod_spec_bytes = 99; }, kPod},
    {"TestValidatePodSpecSize", "invalid podspec in podspecs",
     [](SubmitItemView& i) { i.pod_spec_bytes = 100; },
     [](SubmitConfig& c) { c.max_pod_spec_bytes = 99; }, kPod},
    // TestValidatePorts
    {"TestValidatePorts", "no ports", Ports({}, {WithPorts("a", {})}), NoConfig, ""},
    {"TestValidatePorts", "single port", Ports({}, {WithPorts("a", {80})}), NoConfig, ""},
    {"TestValidatePorts", "multiple ports", Ports({}, {WithPorts("a", {80, 8080})}), NoConfig, ""},
    {"TestValidatePorts", "multiple containers",
     Ports({}, {WithPorts("a", {80}), WithPorts("b", {8080})}), NoConfig, ""},
    {"TestValidatePorts", "duplicate port", Ports({}, {WithPorts("a", {80, 80})}), NoConfig,
     kPod + ".containers[0].ports[1].containerPort"},
    {"TestValidatePorts", "duplicate port over multiple containers",
     Ports({}, {WithPorts("a", {80}), WithPorts("b", {80})}), NoConfig,
     kPod + ".containers[1].ports[0].containerPort"},
    {"TestValidatePorts", "init container with unique port",
     Ports({WithPorts("i", {8080})}, {WithPorts("a", {80})}), NoConfig, ""},
    {"TestValidatePorts", "duplicate port between init container and container",
     Ports({WithPorts("i", {80})}, {WithPorts("a", {80})}), NoConfig,
     kPod + ".initContainers[0].ports[0].containerPort"},
    {"TestValidatePorts", "duplicate port across multiple init containers",
     Ports({WithPorts("i", {80}), WithPorts("j", {80})}, {WithPorts("a", {})}), NoConfig,
     kPod + ".initContainers[1].ports[0].containerPort"},
    {"TestValidatePorts", "init containers only with unique ports",
     Ports({WithPorts("i", {80}), WithPorts("j", {8080})}, {WithPorts("a", {})}), NoConfig, ""},
    // TestValidatePriorityClasses
    {"TestValidatePriorityClasses", "empty priority class", [](SubmitItemView&) {},
     [](SubmitConfig& c) {
       c.allowed_priority_classes = {"pc1"};
       c.default_priority_class = "pc1";
     },
     ""},
    {"TestValidatePriorityClasses", "valid priority class",
     [](SubmitItemView& i) { i.priority_class_name = "pc1"; },
     [](SubmitConfig& c) { c.allowed_priority_classes = {"pc1"}; }, ""},
    {"TestValidatePriorityClasses", "invalid priority class",
     [](SubmitItemView& i) { i.priority_class_name = "notValid"; },
     [](SubmitConfig& c) { c.allowed_priority_classes = {"pc1"}; }, kPod + ".priorityClassName"},
    // TestValidateClientId
    {"TestValidateClientId", "no client id", [](SubmitItemView&) {}, NoConfig, ""},
    {"TestValidateClientId", "client id of  100 chars is fine",
     [](SubmitItemView& i) { i.client_id = std::string(100, 'a'); }, NoConfig, ""},
    {"TestValidateClientId", "client id over 100 chars is forbidden",
     [](SubmitItemView& i) { i.client_id = std::string(101, 'a'); }, NoConfig,
     kItem + ".client_id"},
    // TestValidateTerminationGracePeriod (bounds 30s and 300s)
    {"TestValidateTerminationGracePeriod", "no period specified", [](SubmitItemView&) {},
     GraceBounds, ""},
    {"TestValidateTerminationGracePeriod", "zero period specified", Grace(0), GraceBounds, ""},
    {"TestValidateTerminationGracePeriod", "valid TerminationGracePeriod", Grace(60), GraceBounds,
     ""},
    {"TestValidateTerminationGracePeriod", "TerminationGracePeriod too low", Grace(10), GraceBounds,
     kPod + ".terminationGracePeriodSeconds"},
    {"TestValidateTerminationGracePeriod", "TerminationGracePeriod too high", Grace(700),
     GraceBounds, kPod + ".terminationGracePeriodSeconds"},
    // TestValidateInitContainerCpu
    {"TestValidateInitContainerCpu", "no init containers", [](SubmitItemView&) {}, AssertFractional,
     ""},
    // Differs: Armada's rule for the init container alone passes one without
    // resources, but its resource rule refuses it; so do we.
    {"TestValidateInitContainerCpu", "init container with no resource requests (refused: no "
     "resources)",
     Init({}, {}), AssertFractional, kPod + ".initContainers[0].resources"},
    {"TestValidateInitContainerCpu", "init container that doesn't specify cpu",
     Init({{"memory", "1Gi"}}, {{"memory", "1Gi"}}), AssertFractional, ""},
    {"TestValidateInitContainerCpu", "init container with fractional cpu",
     Init({{"cpu", "900m"}}, {{"cpu", "900m"}}), AssertFractional, ""},
    // Armada's rows with a limit above the request (1 vs 900m) would fail its
    // oversubscription rule first; oversubscription is allowed here.
    {"TestValidateInitContainerCpu", "check disabled", Init({{"cpu", "900m"}}, {{"cpu", "1"}}),
     [](SubmitConfig& c) { c.max_oversubscription = 2; }, ""},
    {"TestValidateInitContainerCpu", "limits with integer cpu",
     Init({{"cpu", "900m"}}, {{"cpu", "1"}}),
     [](SubmitConfig& c) {
       c.max_oversubscription = 2;
       c.assert_init_containers_fractional_cpu = true;
     },
     kPod + ".initContainers[0].resources.limits[cpu]"},
    // Refused in Armada's submit path too, by its resource rule (running
    // first): the limit is below the request.
    {"TestValidateInitContainerCpu", "requests with integer cpu",
     Init({{"cpu", "1"}}, {{"cpu", "900m"}}), AssertFractional,
     kPod + ".initContainers[0].resources.limits[cpu]"},
    {"TestValidateInitContainerCpu", "cpu specified as millis",
     Init({{"cpu", "1000m"}}, {{"cpu", "1000m"}}), AssertFractional,
     kPod + ".initContainers[0].resources.requests[cpu]"},
    // TestValidateRestrictedTolerations
    {"TestValidateRestrictedTolerations", "no tolerations", [](SubmitItemView&) {}, NoConfig, ""},
    {"TestValidateRestrictedTolerations", "denied toleration",
     [](SubmitItemView& i) { i.tolerations = {{"whale", "Equal", "true", "NoSchedule"}}; },
     [](SubmitConfig& c) { c.restricted_toleration_keys = {"whale"}; },
     kPod + ".tolerations[0].key"},
    {"TestValidateRestrictedTolerations", "allowed toleration",
     [](SubmitItemView& i) { i.tolerations = {{"whale", "Equal", "true", "NoSchedule"}}; },
     [](SubmitConfig& c) { c.restricted_toleration_keys = {"notWhale"}; }, ""},
};

void RunCase(const Case& c) {
  SubmitItemView item = BaseItem();
  c.item(item);
  SubmitConfig config;
  c.config(config);
  auto result = ValidateSubmitItem(0, item, config);
  if (c.error.empty()) {
    INFO((result.ok() ? "" : std::string(result.status().message())));
    CHECK(result.ok());
  } else {
    REQUIRE_FALSE(result.ok());
    CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(result.status().message()), Catch::StartsWith(c.error + ":"));
  }
}

TEST_CASE("Armada's item validation tests, restated") {
  const Case& c = GENERATE(from_range(kCases));
  DYNAMIC_SECTION(c.armada << ": " << c.name) { RunCase(c); }
}

// TestValidateResources, each case run with the containers as main
// containers, as init containers (beside one valid main container: ours
// needs one) and as both, as Armada runs it.
struct ResourceCase {
  std::string name;
  std::vector<ContainerView> containers;
  double max_oversubscription;  // Armada's map for cpu; 1 when unset
  bool accepted;
};

const std::vector<ResourceCase> kResourceCases = {
    // Differs: Armada refuses a side left out; we fill it from the other, as
    // Kubernetes fills requests from limits.
    {"Requests Missing (ours: filled from limits)", {Container("c", {}, kOneCpu)}, 1, true},
    {"Limits Missing (ours: filled from requests)", {Container("c", kOneCpu, {})}, 1, true},
    {"Limits Less Than Request", {Container("c", kTwoCpu, kOneCpu)}, 2, false},
    {"Limits And Requests specify different resources",
     {Container("c", kOneCpu, {{"cpu", "1"}, {"memory", "2Gi"}})},
     2,
     false},
    {"Requests and limits different with MaxResourceOversubscriptionByResourceRequest undefined",
     {Container("c", kOneCpu, kTwoCpu)},
     1,
     false},
    {"Requests and limits different, passes MaxResourceOversubscriptionByResourceRequest",
     {Container("c", kOneCpu, kTwoCpu)},
     2,
     true},
    {"Requests and limits different, fails MaxResourceOversubscriptionByResourceRequest",
     {Container("c", kOneCpu, kTwoCpu)},
     1.9,
     false},
    {"Negative resources request", {Container("c", kNegativeCpu, kOneCpu)}, 1, false},
    {"Negative resource limit", {Container("c", kOneCpu, kNegativeCpu)}, 1, false},
    {"Negative resources", {Container("c", kNegativeCpu, kNegativeCpu)}, 1, false},
    {"Request and limits the same", {Container("c", kOneCpu, kOneCpu)}, 1, true},
    {"Request and limits the same with two containers",
     {Container("c", kOneCpu, kOneCpu), Container("d", kTwoCpu, kTwoCpu)},
     1,
     true},
};

TEST_CASE("Armada's TestValidateResources, restated") {
  const ResourceCase& c = GENERATE(from_range(kResourceCases));
  for (const char* placement : {"main containers", "init containers", "combined containers"}) {
    DYNAMIC_SECTION(c.name << " - " << placement) {
      SubmitItemView item = BaseItem();
      const std::string where = placement;
      if (where != "init containers") item.containers = c.containers;
      if (where != "main containers") item.init_containers = c.containers;
      SubmitConfig config;
      config.max_oversubscription = c.max_oversubscription;
      auto result = ValidateSubmitItem(0, item, config);
      INFO((result.ok() ? "" : std::string(result.status().message())));
      CHECK(result.ok() == c.accepted);
    }
  }
}

// TestValidateGangs, TestValidateQueue, TestValidateHasJobSetId and
// TestValidateJobSetIdLength: the request-level rules.
SubmitItemView GangItem(const std::string& id, const std::string& cardinality) {
  SubmitItemView item = BaseItem();
  item.annotations[kGangIdAnnotation] = id;
  if (!cardinality.empty()) item.annotations[kGangCardinalityAnnotation] = cardinality;
  return item;
}
SubmitItemView With(SubmitItemView item, const std::string& key, const std::string& value) {
  item.annotations[key] = value;
  return item;
}
SubmitItemView WithClass(SubmitItemView item, const std::string& priority_class) {
  item.priority_class_name = priority_class;
  return item;
}

struct GangCase {
  std::string name;  // TestValidateGangs' case
  std::vector<SubmitItemView> items;
  bool accepted;
};

const std::vector<GangCase> kGangCases = {
    {"no gang jobs", {BaseItem(), BaseItem()}, true},
    {"complete gang job of cardinality 1 with no minimum cardinality provided",
     {GangItem("foo", "1")},
     true},
    {"empty gangId", {GangItem("", "1")}, false},
    {"set fail fast flag - true", {With(GangItem("foo", "2"), kFailFastAnnotation, "true")}, true},
    {"set fail fast flag - false",
     {With(GangItem("foo", "2"), kFailFastAnnotation, "false")},
     false},
    {"complete gang job of cardinality 3",
     {GangItem("foo", "3"), GangItem("foo", "3"), GangItem("foo", "3")},
     true},
    {"two complete gangs",
     {GangItem("bar", "2"), GangItem("foo", "3"), GangItem("foo", "3"), GangItem("foo", "3"),
      GangItem("bar", "2")},
     true},
    {"one complete and one incomplete gang are passed through",
     {GangItem("bar", "2"), GangItem("foo", "3"), GangItem("foo", "3"), GangItem("bar", "2")},
     true},
    {"missing cardinality", {GangItem("bar", "2"), GangItem("bar", "")}, false},
    {"invalid cardinality", {GangItem("bar", "not an int"), GangItem("not an int", "")}, false},
    {"zero cardinality", {GangItem("bar", "0")}, false},
    {"negative cardinality", {GangItem("bar", "-1")}, false},
    {"inconsistent cardinality",
     {GangItem("bar", "2"), GangItem("foo", "3"), GangItem("foo", "3"), GangItem("bar", "2"),
      GangItem("foo", "2")},
     false},
    {"inconsistent PriorityClassName",
     {WithClass(GangItem("bar", "2"), "baz"), WithClass(GangItem("bar", "2"), "zab")},
     false},
    {"inconsistent NodeUniformityLabel",
     {With(GangItem("bar", "2"), kGangUniformityLabelAnnotation, "foo"),
      With(GangItem("bar", "2"), kGangUniformityLabelAnnotation, "bar")},
     false},
};

TEST_CASE("Armada's TestValidateGangs, restated") {
  const GangCase& c = GENERATE(from_range(kGangCases));
  DYNAMIC_SECTION(c.name) {
    absl::Status status = ValidateGangs(c.items);
    INFO(std::string(status.message()));
    CHECK(status.ok() == c.accepted);
    if (!c.accepted) CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  }
}

struct RequestCase {
  std::string armada;  // the Armada test
  std::string name;    // its case name
  std::string queue;
  std::string job_set;
  std::string error;  // empty: accepted; else the path the error starts with
};

const std::vector<RequestCase> kRequestCases = {
    {"TestValidateQueue", "good queue", "my-queue", "set", ""},
    {"TestValidateQueue", "missing queue", "", "set", "queue"},
    {"TestValidateHasJobSetId", "no job set id", "q", "", "job_set_id"},
    {"TestValidateHasJobSetId", "has any job set id", "q", "job_set_id", ""},
    {"TestValidateJobSetIdLength", "job set id of 1023 chars valid", "q", std::string(1023, 'a'),
     ""},
    {"TestValidateJobSetIdLength", "job set id of 1024 chars invalid", "q", std::string(1024, 'a'),
     "job_set_id"},
};

TEST_CASE("Armada's request validation tests, restated") {
  const RequestCase& c = GENERATE(from_range(kRequestCases));
  DYNAMIC_SECTION(c.armada << ": " << c.name) {
    absl::Status status = ValidateSubmitRequest(c.queue, c.job_set, 1, SubmitConfig{});
    if (c.error.empty()) {
      CHECK(status.ok());
    } else {
      CHECK_THAT(std::string(status.message()), Catch::StartsWith(c.error + ":"));
    }
  }
}

}  // namespace
}  // namespace armada::model
