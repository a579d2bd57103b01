#pragma once

// Armada's permissions: global ones granted through groups, OIDC scopes or
// claims (its permissionGroupMapping, ...ScopeMapping, ...ClaimMapping), and
// per-queue verbs granted by the queue itself to users and groups
// (Queue.permissions; user_owners and group_owners hold every verb).

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "lib/auth/principal.h"

namespace armada::auth {

enum class Permission {
  kSubmitAnyJobs,
  kCancelAnyJobs,
  kPreemptAnyJobs,
  kReprioritizeAnyJobs,
  kWatchAllEvents,
  kCreateQueue,
  kDeleteQueue,
  kCordonQueue,
  kCordonNodes,
  kExecuteJobs,
  kUpdateExecutorSettings,
  kCreateRetryPolicy,
  kUpdateRetryPolicy,
  kDeleteRetryPolicy,
};

// "submit_any_jobs", ...
std::string_view PermissionName(Permission permission);
std::optional<Permission> ParsePermission(std::string_view name);
const std::vector<Permission>& AllPermissions();

enum class QueueVerb { kSubmit, kCancel, kPreempt, kReprioritize, kWatch };
std::string_view QueueVerbName(QueueVerb verb);
std::optional<QueueVerb> ParseQueueVerb(std::string_view name);

// Who may do what on one queue, from its stored definition.
struct QueueAccess {
  struct Grant {
    std::vector<std::string> users;
    std::vector<std::string> groups;
    std::vector<std::string> verbs;  // as stored; unknown verbs grant nothing
  };
  std::string queue;
  std::vector<Grant> grants;  // owners are one grant of every verb
};

// Permission -> the groups (scopes, claims) that hold it.
struct PermissionMappings {
  std::map<Permission, std::vector<std::string>> groups;
  std::map<Permission, std::vector<std::string>> scopes;
  std::map<Permission, std::vector<std::string>> claims;
};

class PermissionPolicy {
 public:
  explicit PermissionPolicy(PermissionMappings mappings) : mappings_(std::move(mappings)) {}
  // Every permission for everyone: the policy when auth is not configured.
  static PermissionPolicy AllowEveryone();

  bool Has(const Principal& principal, Permission permission) const;
  bool HasOnQueue(const Principal& principal, const QueueAccess& queue, QueueVerb verb) const;

  // kPermissionDenied: "user bob lacks permission create_queue".
  absl::Status Require(const Principal& principal, Permission permission) const;
  // OK with `any` or `verb` on the queue; else kPermissionDenied naming both:
  // "user bob may not submit on queue team-a: it needs the queue's submit
  // verb or the global permission submit_any_jobs".
  absl::Status RequireOnQueue(const Principal& principal, const QueueAccess& queue, Permission any,
                              QueueVerb verb) const;

 private:
  PermissionMappings mappings_;
};

}  // namespace armada::auth
