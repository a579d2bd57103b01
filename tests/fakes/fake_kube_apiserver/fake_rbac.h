// -----------------------------------------------------------------------------
// File: tests/fakes/fake_kube_apiserver/fake_rbac.h
// -----------------------------------------------------------------------------
//
// The fake API server's authorizer: Kubernetes RBAC's rule matching for the core/v1 paths the
// fake serves, so a test can run the executor under exactly the ClusterRole a Helm chart
// renders and see a 403 Forbidden, with the API server's own message, for any call the role
// does not allow.
//
// A request's attributes are derived as the API server does: the verb from the method
// (GET one object: get; GET a collection: list, or watch with watch=1|true; POST: create;
// PUT: update; PATCH: patch; DELETE one: delete, a collection: deletecollection), the
// resource and subresource from the path (/api/v1/namespaces/{ns}/pods/{name}/log:
// "pods/log"). Paths that name no resource (/api, /version) are allowed, like discovery.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"

namespace armada::fakes {

// One entry of a Role's `rules` (only what core/v1 needs: no resourceNames, no URLs).
struct RbacRule {
  std::vector<std::string> api_groups;
  std::vector<std::string> resources;  // "pods", "pods/log", "*"
  std::vector<std::string> verbs;      // "get", "list", ..., "*"
};

struct RequestAttributes {
  std::string verb;
  std::string resource;  // with "/subresource" when there is one
  std::string name;      // empty for collections
  std::string ns;        // empty at cluster scope
};

// The rules of a JSON array of rule objects ({"apiGroups", "resources", "verbs"}); an error
// names the entry and field that is wrong.
absl::StatusOr<std::vector<RbacRule>> ParseRbacRules(const nlohmann::json& rules);

// The attributes of a request under /api/v1/; nullopt for paths that name no resource.
std::optional<RequestAttributes> AttributesOf(const std::string& method, const std::string& path,
                                              bool watch);

// Whether any rule allows the request (core group "" only).
bool RbacAllows(const std::vector<RbacRule>& rules, const RequestAttributes& request);

// The API server's message for a denied request, e.g.
//   pods "p" is forbidden: User "u" cannot delete resource "pods" in API group "" in the
//   namespace "default"
std::string ForbiddenMessage(const RequestAttributes& request, const std::string& user);

}  // namespace armada::fakes
