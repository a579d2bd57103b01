#pragma once

// Who is calling: the result of authentication, and what authorisation and
// the audit trail (job owner, event requestor) use.

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"

namespace armada::auth {

// Every principal is a member of this group (as in Armada), so a mapping to
// "everyone" grants a permission to all authenticated callers.
inline constexpr char kEveryoneGroup[] = "everyone";

struct Principal {
  std::string name;
  // The authenticator that vouched for it: "Anonymous", "Basic", "OIDC",
  // "ClientCertificate".
  std::string auth_method;
  absl::flat_hash_set<std::string> groups;  // includes kEveryoneGroup
  absl::flat_hash_set<std::string> scopes;  // OIDC "scope" claim, split on spaces
  absl::flat_hash_set<std::string> claims;  // names of the token's claims

  bool InGroup(const std::string& group) const { return groups.contains(group); }
  // Groups sorted, for messages and tests.
  std::vector<std::string> SortedGroups() const;
};

// A principal of `groups` plus kEveryoneGroup.
Principal MakePrincipal(std::string name, std::string auth_method,
                        const std::vector<std::string>& groups,
                        const std::vector<std::string>& scopes = {},
                        const std::vector<std::string>& claims = {});

}  // namespace armada::auth
