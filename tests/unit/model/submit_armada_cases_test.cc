// Armada's submit defaulting and validation tests, restated case by case
// against ours. Each row names the Armada test (internal/server/submit/
// conversion/post_process_test.go or internal/server/submit/validation/
// submit_request_test.go) and keeps its case name. Armada calls each rule
// alone; ours run through ValidateSubmitItem / ValidateGangs /
// ValidateSubmitRequest, the path a submit takes, so where a row's input
// would be stopped by another of Armada's own rules first, the row notes
// how its input was adapted. Rows where we deliberately differ say so.
#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "lib/model/submit_defaults.h"
#include "lib/model/submit_validation.h"

namespace armada::model {
namespace {

using Resources = std::map<std::string, std::string>;

ContainerView Container(const std::string& name, Resources requests, Resources limits,
                        std::vector<int32_t> ports = {}) {
  ContainerView c;
  c.name = name;
  c.requests = std::move(requests);
  c.limits = std::move(limits);
  c.ports = std::move(ports);
  return c;
}

Toleration Key(const std::string& key) {
  Toleration t;
  t.key = key;
  return t;
}

const Resources kCpuMemory = {{"cpu", "1"}, {"memory", "1Gi"}};

// Armada's cases start from an empty pod spec; ours must also pass our own
// checks (one named container with resources).
SubmitItemView BaseItem() {
  SubmitItemView item;
  item.namespace_name = "my-namespace";
  item.pod_spec_count = 1;
  item.containers = {Container("main", kCpuMemory, kCpuMemory)};
  return item;
}

struct Case {
  std::string armada;  // the Armada test
  std::string name;    // its case name
  std::function<void(SubmitItemView&)> item;
  std::function<void(SubmitConfig&)> config;
  // Empty: accepted, and `check` holds of the result. Else the path the
  // error must start with.
  std::string error;
  std::function<void(const ValidatedItem&)> check;
};

void NoChange(SubmitItemView&) {}
void NoConfig(SubmitConfig&) {}

const std::string kPod = "job_request_items[0].pod_specs[0]";

// post_process_test.go: the defaults.
const std::vector<Case> kDefaultCases = {
    // TestDefaultGangNodeUniformity
    {"TestDefaultGangNodeUniformity", "no change", NoChange, NoConfig, "",
     [](const ValidatedItem& v) { CHECK(v.added_annotations.empty()); }},
    {"TestDefaultGangNodeUniformity", "No change for non-gang jobs", NoChange,
     [](SubmitConfig& c) { c.default_gang_node_uniformity_label = "foo"; }, "",
     [](const ValidatedItem& v) { CHECK(v.added_annotations.empty()); }},
    {"TestDefaultGangNodeUniformity", "No change for non-gang jobs with some gang annotations",
     [](SubmitItemView& i) {
       i.annotations = {{kGangIdAnnotation, "bar"}, {kGangCardinalityAnnotation, "1"}};
     },
     [](SubmitConfig& c) { c.default_gang_node_uniformity_label = "foo"; }, "",
     [](const ValidatedItem& v) { CHECK(v.added_annotations.empty()); }},
    {"TestDefaultGangNodeUniformity", "Empty default",
     [](SubmitItemView& i) {
       i.annotations = {{kGangIdAnnotation, "bar"}, {kGangCardinalityAnnotation, "2"}};
     },
     NoConfig, "",
     [](const ValidatedItem& v) {
       CHECK(v.added_annotations.at(kGangUniformityLabelAnnotation) == "");
     }},
    {"TestDefaultGangNodeUniformity", "Add when missing",
     [](SubmitItemView& i) {
       i.annotations = {{kGangIdAnnotation, "bar"}, {kGangCardinalityAnnotation, "2"}};
     },
     [](SubmitConfig& c) { c.default_gang_node_uniformity_label = "foo"; }, "",
     [](const ValidatedItem& v) {
       CHECK(v.added_annotations.at(kGangUniformityLabelAnnotation) == "foo");
     }},
    // TestDefaultGangFailFastFlag
    {"TestDefaultGangFailFastFlag", "No change for non-gang jobs", NoChange, NoConfig, "",
     [](const ValidatedItem& v) {
       CHECK_FALSE(v.added_annotations.contains(kFailFastAnnotation));
     }},
    {"TestDefaultGangFailFastFlag", "No change for non-gang jobs with some gang annotations",
     [](SubmitItemView& i) {
       i.annotations = {{kGangIdAnnotation, "bar"}, {kGangCardinalityAnnotation, "1"}};
     },
     NoConfig, "",
     [](const ValidatedItem& v) {
       CHECK_FALSE(v.added_annotations.contains(kFailFastAnnotation));
     }},
    // Armada's processor alone keeps "false"; its submit path refuses it first
    // (TestValidateGangs "set fail fast flag - false"), as ValidateGangs does
    // (kGangCases below). ValidateSubmitItem alone keeps it:
    {"TestDefaultGangFailFastFlag", "Don't mutate existing",
     [](SubmitItemView& i) {
       i.annotations = {{kGangIdAnnotation, "bar"},
                        {kGangCardinalityAnnotation, "2"},
                        {kFailFastAnnotation, "false"}};
     },
     NoConfig, "",
     [](const ValidatedItem& v) {
       CHECK_FALSE(v.added_annotations.contains(kFailFastAnnotation));
     }},
    {"TestDefaultGangFailFastFlag", "Add when missing",
     [](SubmitItemView& i) {
       i.annotations = {{kGangIdAnnotation, "bar"}, {kGangCardinalityAnnotation, "2"}};
     },
     NoConfig, "",
     [](const ValidatedItem& v) { CHECK(v.added_annotations.at(kFailFastAnnotation) == "true"); }},
    // TestDefaultActiveDeadlineSeconds
    {"TestDefaultActiveDeadlineSeconds", "DefaultActiveDeadlineSeconds", NoChange,
     [](SubmitConfig& c) { c.default_active_deadline_seconds = 1; }, "",
     [](const ValidatedItem& v) { CHECK(v.active_deadline_seconds == 1); }},
    {"TestDefaultActiveDeadlineSeconds", "DefaultActiveDeadlineSecondsByResource",
     [](SubmitItemView& i) {
       Resources r = {{"cpu", "10"}, {"memory", "1Gi"}, {"nvidia.com/gpu", "1"}};
       i.containers = {Container("main", r, r)};
     },
     [](SubmitConfig& c) {
       c.default_active_deadline_by_resource_seconds = {{"memory", 120}, {"nvidia.com/gpu", 60}};
     },
     "", [](const ValidatedItem& v) { CHECK(v.active_deadline_seconds == 120); }},
    {"TestDefaultActiveDeadlineSeconds",
     "DefaultActiveDeadlineSeconds + DefaultActiveDeadlineSecondsByResource",
     [](SubmitItemView& i) {
       Resources r = {{"cpu", "10"}, {"memory", "1Gi"}};
       i.containers = {Container("main", r, r)};
     },
     [](SubmitConfig& c) {
       c.default_active_deadline_seconds = 1;
       c.default_active_deadline_by_resource_seconds = {{"nvidia.com/gpu", 60}};
     },
     "", [](const ValidatedItem& v) { CHECK(v.active_deadline_seconds == 1); }},
    {"TestDefaultActiveDeadlineSeconds",
     "DefaultActiveDeadlineSecondsByResource trumps DefaultActiveDeadlineSeconds",
     [](SubmitItemView& i) {
       Resources r = {{"nvidia.com/gpu", "1"}};
       i.containers = {Container("main", r, r)};
     },
     [](SubmitConfig& c) {
       c.default_active_deadline_seconds = 60;
       c.default_active_deadline_by_resource_seconds = {{"nvidia.com/gpu", 1}};
     },
     "", [](const ValidatedItem& v) { CHECK(v.active_deadline_seconds == 1); }},
    {"TestDefaultActiveDeadlineSeconds",
     "DefaultActiveDeadlineSecondsByResource explicit zero resource",
     [](SubmitItemView& i) {
       Resources r = {{"cpu", "1"}, {"nvidia.com/gpu", "0"}};
       i.containers = {Container("main", r, r)};
     },
     [](SubmitConfig& c) {
       c.default_active_deadline_by_resource_seconds = {{"nvidia.com/gpu", 1}};
     },
     "", [](const ValidatedItem& v) { CHECK_FALSE(v.active_deadline_seconds.has_value()); }},
    // Not an Armada case: a pod's own deadline is never replaced.
    {"TestDefaultActiveDeadlineSeconds (ours)", "pod's own deadline kept",
     [](SubmitItemView& i) { i.active_deadline_seconds = 5; },
     [](SubmitConfig& c) { c.default_active_deadline_seconds = 1; }, "",
     [](const ValidatedItem& v) { CHECK_FALSE(v.active_deadline_seconds.has_value()); }},
    // TestDefaultTolerations
    {"TestDefaultTolerations", "DefaultJobTolerations",
     [](SubmitItemView& i) { i.tolerations = {Key("baz")}; },
     [](SubmitConfig& c) {
       c.default_job_tolerations = {Key("foo"), Key("bar")};
     },
     "",
     [](const ValidatedItem& v) {
       REQUIRE(v.added_tolerations.size() == 2);  // after the pod's own "baz"
       CHECK(v.added_tolerations[0].key == "foo");
       CHECK(v.added_tolerations[1].key == "bar");
     }},
    {"TestDefaultTolerations", "DefaultJobTolerationsByPriorityClass",
     [](SubmitItemView& i) {
       i.priority_class_name = "pc-1";
       i.tolerations = {Key("baz")};
     },
     [](SubmitConfig& c) {
       c.allowed_priority_classes = {"pc-1", "pc-2"};
       c.default_job_tolerations_by_priority_class = {{"pc-1", {Key("foo"), Key("bar")}},
                                                      {"pc-2", {Key("oof"), Key("rab")}}};
     },
     "",
     [](const ValidatedItem& v) {
       REQUIRE(v.added_tolerations.size() == 2);
       CHECK(v.added_tolerations[0].key == "foo");
       CHECK(v.added_tolerations[1].key == "bar");
     }},
    {"TestDefaultTolerations", "DefaultJobTolerationsByResourceRequest",
     [](SubmitItemView& i) {
       Resources r = {{"cpu", "10"}, {"nvidia.com/gpu", "1"}};
       i.containers = {Container("main", r, r)};
     },
     [](SubmitConfig& c) {
       c.default_job_tolerations_by_resource_request = {
           {"nvidia.com/gpu", {Key("foo"), Key("bar")}}};
     },
     "", [](const ValidatedItem& v) { CHECK(v.added_tolerations.size() == 2); }},
    {"TestDefaultTolerations", "DefaultJobTolerationsByResourceRequest explicit zero resource",
     [](SubmitItemView& i) {
       Resources r = {{"cpu", "10"}, {"nvidia.com/gpu", "0"}};
       i.containers = {Container("main", r, r)};
     },
     [](SubmitConfig& c) {
       c.default_job_tolerations_by_resource_request = {
           {"nvidia.com/gpu", {Key("foo"), Key("bar")}}};
     },
     "", [](const ValidatedItem& v) { CHECK(v.added_tolerations.empty()); }},
    // TestDefaultPriorityClass
    {"TestDefaultPriorityClass", "Default PriorityClassName When Not Specified", NoChange,
     [](SubmitConfig& c) {
       c.allowed_priority_classes = {"pc", "pc2"};
       c.default_priority_class = "pc";
     },
     "", [](const ValidatedItem& v) { CHECK(v.priority_class_name == "pc"); }},
    {"TestDefaultPriorityClass", "Don't Default PriorityClassName When Already Present",
     [](SubmitItemView& i) { i.priority_class_name = "pc2"; },
     [](SubmitConfig& c) {
       c.allowed_priority_classes = {"pc", "pc2"};
       c.default_priority_class = "pc";
     },
     "", [](const ValidatedItem& v) { CHECK(v.priority_class_name == "pc2"); }},
    // TestDefaultResource. Armada's containers there have no resources at all,
    // which its submit path refuses before defaulting (TestValidateResources);
    // here they ask for ephemeral-storage only, which the defaults leave alone.
    {"TestDefaultResource", "All Containers need defaults",
     [](SubmitItemView& i) {
       Resources r = {{"ephemeral-storage", "1Gi"}};
       i.containers = {Container("a", r, r), Container("b", r, r)};
       i.init_containers = {Container("init", r, r)};
     },
     [](SubmitConfig& c) {
       c.default_job_limits = {{"cpu", "10"}, {"memory", "1Gi"}};
     },
     "",
     [](const ValidatedItem& v) {
       const Resources expected = {{"cpu", "10"}, {"memory", "1Gi"}};
       CHECK(v.container_defaults == std::vector<Resources>{expected, expected});
       CHECK(v.init_container_defaults == std::vector<Resources>{expected});
       CHECK(v.requests.ToString() == "cpu=20,ephemeral-storage=2Gi,memory=2Gi");
     }},
    {"TestDefaultResource", "Main and init containers needs defaults",
     [](SubmitItemView& i) {
       Resources some = {{"ephemeral-storage", "1Gi"}};
       Resources full = {{"cpu", "20"}, {"memory", "2Gi"}};
       i.containers = {Container("a", some, some), Container("b", full, full)};
       i.init_containers = {Container("i1", some, some), Container("i2", full, full)};
     },
     [](SubmitConfig& c) {
       c.default_job_limits = {{"cpu", "10"}, {"memory", "1Gi"}};
     },
     "",
     [](const ValidatedItem& v) {
       const Resources expected = {{"cpu", "10"}, {"memory", "1Gi"}};
       CHECK(v.container_defaults == std::vector<Resources>{expected, {}});
       CHECK(v.init_container_defaults == std::vector<Resources>{expected, {}});
     }},
    // TestDefaultTerminationGracePeriod. Armada's row sets only the minimum
    // (1h), which its validation would then refuse 500s against; the bounds
    // here keep each row's input valid.
    {"TestDefaultTerminationGracePeriod", "Don't Default When Specified",
     [](SubmitItemView& i) { i.termination_grace_seconds = 500; },
     [](SubmitConfig& c) {
       c.min_termination_grace_seconds = 60;
       c.max_termination_grace_seconds = 7200;
     },
     "", [](const ValidatedItem& v) { CHECK(v.termination_grace_seconds == 500); }},
    {"TestDefaultTerminationGracePeriod", "Default When Missing", NoChange,
     [](SubmitConfig& c) {
       c.min_termination_grace_seconds = 3600;
       c.max_termination_grace_seconds = 7200;
     },
     "", [](const ValidatedItem& v) { CHECK(v.termination_grace_seconds == 3600); }},
    {"TestDefaultTerminationGracePeriod (ours)", "zero becomes the minimum",
     [](SubmitItemView& i) { i.termination_grace_seconds = 0; }, NoConfig, "",
     [](const ValidatedItem& v) { CHECK(v.termination_grace_seconds == 1); }},
    {"TestDefaultTerminationGracePeriod (ours)", "no minimum: missing stays missing", NoChange,
     [](SubmitConfig& c) { c.min_termination_grace_seconds = 0; }, "",
     [](const ValidatedItem& v) { CHECK_FALSE(v.termination_grace_seconds.has_value()); }},
    // TestAddGangIdLabel
    {"TestAddGangIdLabel", "Unchanged if no gang id set", NoChange,
     [](SubmitConfig& c) { c.add_gang_id_label = true; }, "",
     [](const ValidatedItem& v) { CHECK(v.added_labels.empty()); }},
    {"TestAddGangIdLabel", "Label added if gang id set",
     [](SubmitItemView& i) {
       i.annotations = {{kGangIdAnnotation, "foo"}, {kGangCardinalityAnnotation, "1"}};
     },
     [](SubmitConfig& c) { c.add_gang_id_label = true; }, "",
     [](const ValidatedItem& v) {
       CHECK(v.added_labels == Resources{{kGangIdAnnotation, "foo"}});
     }},
    {"TestAddGangIdLabel", "Doesn't modify existing labels",
     [](SubmitItemView& i) {
       i.annotations = {{kGangIdAnnotation, "foo"}, {kGangCardinalityAnnotation, "1"}};
       i.labels = {{"fish", "chips"}};
     },
     [](SubmitConfig& c) { c.add_gang_id_label = true; }, "",
     [](const ValidatedItem& v) {
       CHECK(v.added_labels == Resources{{kGangIdAnnotation, "foo"}});
     }},
    {"TestAddGangIdLabel", "Unchanged if disabled",
     [](SubmitItemView& i) {
       i.annotations = {{kGangIdAnnotation, "foo"}, {kGangCardinalityAnnotation, "1"}};
     },
     NoConfig, "", [](const ValidatedItem& v) { CHECK(v.added_labels.empty()); }},
};

void RunCase(const Case& c) {
  SubmitItemView item = BaseItem();
  c.item(item);
  SubmitConfig config;
  c.config(config);
  auto result = ValidateSubmitItem(0, item, config);
  if (c.error.empty()) {
    INFO((result.ok() ? "" : std::string(result.status().message())));
    REQUIRE(result.ok());
    if (c.check) c.check(*result);
  } else {
    REQUIRE_FALSE(result.ok());
    CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(result.status().message()), Catch::StartsWith(c.error + ":"));
  }
}

TEST_CASE("Armada's defaulting tests, restated") {
  const Case& c = GENERATE(from_range(kDefaultCases));
  DYNAMIC_SECTION(c.armada << ": " << c.name) { RunCase(c); }
}

struct TemplateCase {
  std::string name;  // TestTemplateProcessor's case
  std::string value;
  std::string expected;  // with job id "01j"
};

const std::vector<TemplateCase> kTemplateCases = {
    {"Test Template Annotations / Labels: escaped", "http://foo.com/{{JobId}}",
     "http://foo.com/JobId"},
    {"Test Template Annotations / Labels: templated", "http://foo.com/{JobId}",
     "http://foo.com/01j"},
    {"Test Template Annotations / Labels: plain", "http://foo.com", "http://foo.com"},
    {"Test Template Nothing", "http://bar.com", "http://bar.com"},
};

TEST_CASE("Armada's TestTemplateProcessor, restated") {
  const TemplateCase& c = GENERATE(from_range(kTemplateCases));
  DYNAMIC_SECTION(c.name) { CHECK(ExpandJobIdTemplate(c.value, "01j") == c.expected); }
}

}  // namespace
}  // namespace armada::model
