#include "lib/model/internal/pod_checks.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/common/utf8.h"

namespace armada::model::internal {
namespace {

absl::Status Invalid(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(path + ": " + what);
}

std::string Quoted(const std::string& text) { return common::QuoteForMessage(text, 100); }

// One requirement of a required node selector term.
absl::Status CheckRequirement(const std::string& rpath, const NodeSelectorRequirement& r) {
  if (std::string problem = LabelKeyProblem(r.key); !problem.empty()) {
    return Invalid(rpath + ".key", absl::StrCat(Quoted(r.key), ": ", problem));
  }
  std::string problem;
  if (r.op == "In" || r.op == "NotIn") {
    if (r.values.empty()) problem = "needs at least one value";
  } else if (r.op == "Exists" || r.op == "DoesNotExist") {
    if (!r.values.empty()) problem = "takes no values";
  } else if (r.op == "Gt" || r.op == "Lt") {
    int64_t n = 0;
    if (r.values.size() != 1 || !absl::SimpleAtoi(r.values[0], &n)) {
      problem = "needs exactly one integer value";
    }
  } else {
    return Invalid(
        rpath + ".operator",
        absl::StrCat(Quoted(r.op), " is not one of In, NotIn, Exists, DoesNotExist, Gt, Lt"));
  }
  if (!problem.empty()) return Invalid(rpath + ".values", absl::StrCat(r.op, " ", problem));
  for (size_t v = 0; v < r.values.size(); ++v) {
    if (std::string bad = LabelValueProblem(r.values[v]); !bad.empty()) {
      return Invalid(absl::StrCat(rpath, ".values[", v, "]"),
                     absl::StrCat(Quoted(r.values[v]), ": ", bad));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckAffinity(const std::string& pod, const SubmitItemView& item) {
  const std::string affinity = pod + ".affinity.nodeAffinity.";
  if (item.has_preferred_node_affinity) {
    return Invalid(affinity + "preferredDuringSchedulingIgnoredDuringExecution",
                   "preferred node affinity is not supported; use required node affinity");
  }
  for (size_t t = 0; t < item.required_node_affinity.size(); ++t) {
    const auto& expressions = item.required_node_affinity[t].match_expressions;
    for (size_t e = 0; e < expressions.size(); ++e) {
      const std::string rpath = absl::StrCat(
          affinity, "requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[", t,
          "].matchExpressions[", e, "]");
      if (absl::Status s = CheckRequirement(rpath, expressions[e]); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status CheckIngresses(const std::string& path, const SubmitItemView& item) {
  std::map<uint32_t, size_t> owner;
  for (size_t i = 0; i < item.ingress_ports.size(); ++i) {
    const std::string ipath = absl::StrCat(path, ".ingress[", i, "].ports");
    if (item.ingress_ports[i].empty()) return Invalid(ipath, "an ingress needs at least one port");
    for (uint32_t port : item.ingress_ports[i]) {
      auto [it, inserted] = owner.emplace(port, i);
      if (!inserted) {
        return Invalid(ipath, absl::StrCat("port ", port, " is already exposed by ingress[",
                                           it->second, "]; a port may have one ingress"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckTolerations(const std::string& pod, const SubmitItemView& item,
                              const SubmitConfig& config) {
  const auto& restricted = config.restricted_toleration_keys;
  for (size_t t = 0; t < item.tolerations.size(); ++t) {
    if (std::find(restricted.begin(), restricted.end(), item.tolerations[t].key) !=
        restricted.end()) {
      return Invalid(absl::StrCat(pod, ".tolerations[", t, "].key"),
                     absl::StrCat(Quoted(item.tolerations[t].key),
                                  " is a restricted toleration key; jobs may not set it"));
    }
  }
  return absl::OkStatus();
}

bool IsPriceBand(const std::string& band) {
  const std::string upper = absl::AsciiStrToUpper(band);
  return upper == "NONE" || (upper.size() == 1 && upper[0] >= 'A' && upper[0] <= 'H');
}

}  // namespace armada::model::internal
