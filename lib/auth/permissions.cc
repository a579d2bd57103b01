#include "lib/auth/permissions.h"

#include <algorithm>
#include <array>
#include <utility>

#include "absl/strings/str_cat.h"

namespace armada::auth {
namespace {

constexpr std::array<std::pair<Permission, std::string_view>, 14> kPermissionNames = {{
    {Permission::kSubmitAnyJobs, "submit_any_jobs"},
    {Permission::kCancelAnyJobs, "cancel_any_jobs"},
    {Permission::kPreemptAnyJobs, "preempt_any_jobs"},
    {Permission::kReprioritizeAnyJobs, "reprioritize_any_jobs"},
    {Permission::kWatchAllEvents, "watch_all_events"},
    {Permission::kCreateQueue, "create_queue"},
    {Permission::kDeleteQueue, "delete_queue"},
    {Permission::kCordonQueue, "cordon_queue"},
    {Permission::kCordonNodes, "cordon_nodes"},
    {Permission::kExecuteJobs, "execute_jobs"},
    {Permission::kUpdateExecutorSettings, "update_executor_settings"},
    {Permission::kCreateRetryPolicy, "create_retry_policy"},
    {Permission::kUpdateRetryPolicy, "update_retry_policy"},
    {Permission::kDeleteRetryPolicy, "delete_retry_policy"},
}};

constexpr std::array<std::pair<QueueVerb, std::string_view>, 5> kVerbNames = {{
    {QueueVerb::kSubmit, "submit"},
    {QueueVerb::kCancel, "cancel"},
    {QueueVerb::kPreempt, "preempt"},
    {QueueVerb::kReprioritize, "reprioritize"},
    {QueueVerb::kWatch, "watch"},
}};

// Name <-> value through one of the tables above.
template <typename Enum, size_t N>
std::string_view NameIn(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum value) {
  for (const auto& [known, name] : table) {
    if (known == value) return name;
  }
  return "unknown";
}

template <typename Enum, size_t N>
std::optional<Enum> ValueIn(const std::array<std::pair<Enum, std::string_view>, N>& table,
                            std::string_view name) {
  for (const auto& [value, known] : table) {
    if (known == name) return value;
  }
  return std::nullopt;
}

bool AnyOf(const std::vector<std::string>& names, const absl::flat_hash_set<std::string>& held) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& name) { return held.contains(name); });
}

bool Contains(const std::vector<std::string>& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

}  // namespace

std::string_view PermissionName(Permission permission) {
  return NameIn(kPermissionNames, permission);
}

std::optional<Permission> ParsePermission(std::string_view name) {
  return ValueIn(kPermissionNames, name);
}

const std::vector<Permission>& AllPermissions() {
  static const std::vector<Permission> all = [] {
    std::vector<Permission> list;
    for (const auto& entry : kPermissionNames) list.push_back(entry.first);
    return list;
  }();
  return all;
}

std::string_view QueueVerbName(QueueVerb verb) { return NameIn(kVerbNames, verb); }

std::optional<QueueVerb> ParseQueueVerb(std::string_view name) { return ValueIn(kVerbNames, name); }

PermissionPolicy PermissionPolicy::AllowEveryone() {
  PermissionMappings mappings;
  for (Permission permission : AllPermissions()) mappings.groups[permission] = {kEveryoneGroup};
  return PermissionPolicy(std::move(mappings));
}

bool PermissionPolicy::Has(const Principal& principal, Permission permission) const {
  auto held_through = [&](const std::map<Permission, std::vector<std::string>>& mapping,
                          const absl::flat_hash_set<std::string>& held) {
    auto found = mapping.find(permission);
    return found != mapping.end() && AnyOf(found->second, held);
  };
  return held_through(mappings_.groups, principal.groups) ||
         held_through(mappings_.scopes, principal.scopes) ||
         held_through(mappings_.claims, principal.claims);
}

bool PermissionPolicy::HasOnQueue(const Principal& principal, const QueueAccess& queue,
                                  QueueVerb verb) const {
  const std::string_view verb_name = QueueVerbName(verb);
  for (const QueueAccess::Grant& grant : queue.grants) {
    if (!Contains(grant.verbs, verb_name)) continue;
    if (Contains(grant.users, principal.name) || AnyOf(grant.groups, principal.groups)) {
      return true;
    }
  }
  return false;
}

absl::Status PermissionPolicy::Require(const Principal& principal, Permission permission) const {
  if (Has(principal, permission)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("user ", principal.name, " lacks permission ",
                                                  std::string(PermissionName(permission))));
}

absl::Status PermissionPolicy::RequireOnQueue(const Principal& principal, const QueueAccess& queue,
                                              Permission any, QueueVerb verb) const {
  if (Has(principal, any) || HasOnQueue(principal, queue, verb)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "user ", principal.name, " may not ", std::string(QueueVerbName(verb)), " on queue ",
      queue.queue, ": it needs the queue's ", std::string(QueueVerbName(verb)),
      " verb or the global permission ", std::string(PermissionName(any))));
}

}  // namespace armada::auth
