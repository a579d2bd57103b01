#include "tests/fakes/fake_kube_apiserver/fake_rbac.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace armada::fakes {
namespace {

bool Matches(const std::vector<std::string>& allowed, const std::string& value) {
  return std::any_of(allowed.begin(), allowed.end(),
                     [&](const std::string& a) { return a == "*" || a == value; });
}

absl::StatusOr<std::vector<std::string>> Strings(const nlohmann::json& rule, const char* field,
                                                 size_t index) {
  const std::string where = absl::StrCat("rules[", index, "].", field);
  if (!rule.contains(field)) return absl::InvalidArgumentError(where + " is missing");
  const nlohmann::json& value = rule.at(field);
  if (!value.is_array()) return absl::InvalidArgumentError(where + " is not a list");
  std::vector<std::string> out;
  for (const nlohmann::json& item : value) {
    if (!item.is_string()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": ", item.dump(), " is not a string"));
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<RbacRule>> ParseRbacRules(const nlohmann::json& rules) {
  if (!rules.is_array()) return absl::InvalidArgumentError("rules: not a list");
  std::vector<RbacRule> out;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (!rules[i].is_object()) {
      return absl::InvalidArgumentError(absl::StrCat("rules[", i, "]: not an object"));
    }
    RbacRule rule;
    for (auto [field, target] :
         {std::pair{"apiGroups", &rule.api_groups}, std::pair{"resources", &rule.resources},
          std::pair{"verbs", &rule.verbs}}) {
      absl::StatusOr<std::vector<std::string>> values = Strings(rules[i], field, i);
      if (!values.ok()) return values.status();
      *target = std::move(*values);
    }
    out.push_back(std::move(rule));
  }
  return out;
}

std::optional<RequestAttributes> AttributesOf(const std::string& method, const std::string& path,
                                              bool watch) {
  constexpr char kPrefix[] = "/api/v1/";
  if (path.rfind(kPrefix, 0) != 0) return std::nullopt;
  std::vector<std::string> parts =
      absl::StrSplit(path.substr(sizeof(kPrefix) - 1), '/', absl::SkipEmpty());
  RequestAttributes request;
  if (parts.size() >= 2 && parts[0] == "namespaces") {
    request.ns = parts[1];
    parts.erase(parts.begin(), parts.begin() + 2);
    if (parts.empty()) {  // the namespace object itself
      parts = {"namespaces", request.ns};
      request.ns.clear();
    }
  }
  if (parts.empty()) return std::nullopt;
  request.resource = parts[0];
  if (parts.size() >= 2) request.name = parts[1];
  if (parts.size() >= 3) request.resource += "/" + parts[2];
  const bool collection = request.name.empty();
  if (method == "GET" || method == "HEAD") {
    request.verb = !collection ? "get" : (watch ? "watch" : "list");
  } else if (method == "POST") {
    request.verb = "create";
  } else if (method == "PUT") {
    request.verb = "update";
  } else if (method == "PATCH") {
    request.verb = "patch";
  } else if (method == "DELETE") {
    request.verb = collection ? "deletecollection" : "delete";
  } else {
    request.verb = absl::AsciiStrToLower(method);
  }
  return request;
}

bool RbacAllows(const std::vector<RbacRule>& rules, const RequestAttributes& request) {
  return std::any_of(rules.begin(), rules.end(), [&](const RbacRule& rule) {
    return Matches(rule.api_groups, "") && Matches(rule.resources, request.resource) &&
           Matches(rule.verbs, request.verb);
  });
}

std::string ForbiddenMessage(const RequestAttributes& request, const std::string& user) {
  const std::string base = request.resource.substr(0, request.resource.find('/'));
  std::string message = request.name.empty()
                            ? absl::StrCat(base, " is forbidden")
                            : absl::StrCat(base, " \"", request.name, "\" is forbidden");
  absl::StrAppend(&message, ": User \"", user, "\" cannot ", request.verb, " resource \"",
                  request.resource, "\" in API group \"\"");
  absl::StrAppend(&message, request.ns.empty()
                                ? std::string(" at the cluster scope")
                                : absl::StrCat(" in the namespace \"", request.ns, "\""));
  return message;
}

}  // namespace armada::fakes
