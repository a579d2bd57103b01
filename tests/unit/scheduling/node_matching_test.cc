#include "lib/scheduling/node_matching.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

namespace armada::scheduling {
namespace {

struct TolerationCase {
  std::string name;
  model::Toleration toleration;
  model::Taint taint;
  bool tolerates;
};

const std::vector<TolerationCase> kTolerationCases = {
    {"equal, same value",
     {"gpu", "Equal", "true", "NoSchedule"},
     {"gpu", "true", "NoSchedule"},
     true},
    {"equal, other value",
     {"gpu", "Equal", "false", "NoSchedule"},
     {"gpu", "true", "NoSchedule"},
     false},
    {"empty operator means Equal", {"gpu", "", "true", ""}, {"gpu", "true", "NoSchedule"}, true},
    {"exists, any value", {"gpu", "Exists", "", "NoSchedule"}, {"gpu", "x", "NoSchedule"}, true},
    {"other key", {"tpu", "Exists", "", ""}, {"gpu", "true", "NoSchedule"}, false},
    {"other effect", {"gpu", "Exists", "", "NoExecute"}, {"gpu", "true", "NoSchedule"}, false},
    {"empty effect matches all", {"gpu", "Exists", "", ""}, {"gpu", "true", "NoExecute"}, true},
    {"empty key with exists matches all", {"", "Exists", "", ""}, {"any", "v", "NoSchedule"}, true},
    {"empty key with equal matches nothing", {"", "Equal", "", ""}, {"", "", "NoSchedule"}, false},
    {"unknown operator", {"gpu", "Like", "true", ""}, {"gpu", "true", "NoSchedule"}, false},
};

TEST_CASE("node matching: toleration against taint") {
  auto c = GENERATE(from_range(kTolerationCases));
  DYNAMIC_SECTION(c.name) { CHECK(Tolerates(c.toleration, c.taint) == c.tolerates); }
}

TEST_CASE("node matching: only NoSchedule and NoExecute taints need a toleration") {
  std::vector<model::Taint> taints = {{"a", "1", "PreferNoSchedule"}};
  CHECK(ToleratesTaints({}, taints));
  taints.push_back({"b", "1", "NoExecute"});
  CHECK_FALSE(ToleratesTaints({}, taints));
  CHECK(ToleratesTaints({{"b", "Equal", "1", "NoExecute"}}, taints));
  taints.push_back({"c", "1", "NoSchedule"});
  CHECK_FALSE(ToleratesTaints({{"b", "Equal", "1", "NoExecute"}}, taints));
  CHECK(ToleratesTaints({{"", "Exists", "", ""}}, taints));
}

struct RequirementCase {
  std::string name;
  model::NodeSelectorRequirement req;
  bool matches;  // against kLabels
};

const std::map<std::string, std::string> kLabels = {{"zone", "a"}, {"cores", "64"}};

const std::vector<RequirementCase> kRequirementCases = {
    {"In, listed", {"zone", "In", {"b", "a"}}, true},
    {"In, not listed", {"zone", "In", {"b"}}, false},
    {"In, label absent", {"rack", "In", {"a"}}, false},
    {"NotIn, listed", {"zone", "NotIn", {"a"}}, false},
    {"NotIn, not listed", {"zone", "NotIn", {"b"}}, true},
    {"NotIn, label absent", {"rack", "NotIn", {"a"}}, true},
    {"Exists, present", {"zone", "Exists", {}}, true},
    {"Exists, absent", {"rack", "Exists", {}}, false},
    {"DoesNotExist, absent", {"rack", "DoesNotExist", {}}, true},
    {"DoesNotExist, present", {"zone", "DoesNotExist", {}}, false},
    {"Gt, greater", {"cores", "Gt", {"32"}}, true},
    {"Gt, equal", {"cores", "Gt", {"64"}}, false},
    {"Lt, less", {"cores", "Lt", {"65"}}, true},
    {"Lt, greater", {"cores", "Lt", {"8"}}, false},
    {"Gt, label not an integer", {"zone", "Gt", {"1"}}, false},
    {"Gt, value not an integer", {"cores", "Gt", {"x"}}, false},
    {"Gt, two values", {"cores", "Gt", {"1", "2"}}, false},
    {"Gt, label absent", {"rack", "Gt", {"1"}}, false},
    {"unknown operator", {"zone", "Equals", {"a"}}, false},
};

TEST_CASE("node matching: node selector requirement operators") {
  auto c = GENERATE(from_range(kRequirementCases));
  DYNAMIC_SECTION(c.name) { CHECK(MatchesRequirement(c.req, kLabels) == c.matches); }
}

TEST_CASE("node matching: affinity terms are ORed, requirements ANDed") {
  model::NodeSelectorRequirement zone_a{"zone", "In", {"a"}};
  model::NodeSelectorRequirement zone_b{"zone", "In", {"b"}};
  model::NodeSelectorRequirement big{"cores", "Gt", {"32"}};
  CHECK(MatchesNodeAffinity({}, kLabels));
  CHECK(MatchesNodeAffinity({{{zone_a, big}}}, kLabels));
  CHECK_FALSE(MatchesNodeAffinity({{{zone_b, big}}}, kLabels));
  CHECK(MatchesNodeAffinity({{{zone_b}}, {{zone_a}}}, kLabels));
  CHECK_FALSE(MatchesNodeAffinity({{{}}}, kLabels));  // an empty term matches nothing
}

TEST_CASE("node matching: static mismatch reasons") {
  model::NodeInfo node;
  node.labels = kLabels;
  node.taints = {{"gpu", "true", "NoSchedule"}};
  model::QueuedJob job;
  CHECK(StaticMismatch(job, node) == "untolerated taint gpu=true:NoSchedule");
  job.tolerations = {{"gpu", "Exists", "", ""}};
  CHECK_FALSE(StaticMismatch(job, node).has_value());
  job.node_selector = {{"zone", "b"}};
  CHECK(StaticMismatch(job, node) == "node selector zone=b");
  job.node_selector = {{"zone", "a"}};
  job.node_affinity = {{{{"cores", "Lt", {"8"}}}}};
  CHECK(StaticMismatch(job, node) == "node affinity");
  job.node_affinity.clear();
  node.unschedulable = true;
  CHECK(StaticMismatch(job, node) == "node is unschedulable");
}

}  // namespace
}  // namespace armada::scheduling
