#include "lib/auth/principal.h"

#include <algorithm>

namespace armada::auth {

std::vector<std::string> Principal::SortedGroups() const {
  std::vector<std::string> sorted(groups.begin(), groups.end());
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

Principal MakePrincipal(std::string name, std::string auth_method,
                        const std::vector<std::string>& groups,
                        const std::vector<std::string>& scopes,
                        const std::vector<std::string>& claims) {
  Principal principal{std::move(name), std::move(auth_method), {}, {}, {}};
  principal.groups.insert(groups.begin(), groups.end());
  principal.groups.insert(kEveryoneGroup);
  for (const std::string& scope : scopes) {
    if (!scope.empty()) principal.scopes.insert(scope);
  }
  principal.claims.insert(claims.begin(), claims.end());
  return principal;
}

}  // namespace armada::auth
