// Armada's permission model: global permissions through groups, scopes and
// claims; queue verbs for users and groups; owners hold every verb.

#include <catch2/catch.hpp>

#include "lib/auth/permissions.h"

namespace armada::auth {
namespace {

TEST_CASE("every permission has Armada's name and parses back") {
  CHECK(AllPermissions().size() == 14);
  for (Permission permission : AllPermissions()) {
    CHECK(ParsePermission(PermissionName(permission)) == permission);
  }
  CHECK(PermissionName(Permission::kExecuteJobs) == "execute_jobs");
  CHECK_FALSE(ParsePermission("submit_all_jobs").has_value());
}

TEST_CASE("global permissions come from groups, scopes or claims") {
  PermissionMappings mappings;
  mappings.groups[Permission::kCreateQueue] = {"admins"};
  mappings.scopes[Permission::kSubmitAnyJobs] = {"armada.submit"};
  mappings.claims[Permission::kWatchAllEvents] = {"auditor"};
  PermissionPolicy policy(mappings);

  Principal admin = MakePrincipal("root", "Basic", {"admins"});
  Principal bot = MakePrincipal("bot", "OIDC", {}, {"armada.submit", "other"}, {"auditor"});
  CHECK(policy.Has(admin, Permission::kCreateQueue));
  CHECK_FALSE(policy.Has(admin, Permission::kSubmitAnyJobs));
  CHECK(policy.Has(bot, Permission::kSubmitAnyJobs));
  CHECK(policy.Has(bot, Permission::kWatchAllEvents));
  CHECK_FALSE(policy.Has(bot, Permission::kCreateQueue));

  absl::Status denied = policy.Require(bot, Permission::kCreateQueue);
  CHECK(absl::IsPermissionDenied(denied));
  CHECK(denied.message() == "user bot lacks permission create_queue");
}

TEST_CASE("queue verbs go to the named users and groups only") {
  PermissionPolicy policy({});
  QueueAccess queue{"team-a", {{{"carol"}, {"team-a"}, {"submit", "watch"}}}};
  Principal alice = MakePrincipal("alice", "Basic", {"team-a"});
  Principal carol = MakePrincipal("carol", "Basic", {});
  Principal bob = MakePrincipal("bob", "Basic", {"team-b"});
  // A group named like a user grants nothing to that user, and vice versa.
  Principal team_a_user = MakePrincipal("team-a", "Basic", {});

  CHECK(policy.HasOnQueue(alice, queue, QueueVerb::kSubmit));
  CHECK(policy.HasOnQueue(carol, queue, QueueVerb::kWatch));
  CHECK_FALSE(policy.HasOnQueue(alice, queue, QueueVerb::kCancel));
  CHECK_FALSE(policy.HasOnQueue(bob, queue, QueueVerb::kSubmit));
  CHECK_FALSE(policy.HasOnQueue(team_a_user, queue, QueueVerb::kSubmit));

  absl::Status denied =
      policy.RequireOnQueue(bob, queue, Permission::kSubmitAnyJobs, QueueVerb::kSubmit);
  CHECK(absl::IsPermissionDenied(denied));
  CHECK(denied.message() ==
        "user bob may not submit on queue team-a: it needs the queue's submit verb or the global "
        "permission submit_any_jobs");
}

TEST_CASE("the global permission covers every queue") {
  PermissionMappings mappings;
  mappings.groups[Permission::kCancelAnyJobs] = {"operators"};
  PermissionPolicy policy(mappings);
  Principal operator_ = MakePrincipal("op", "Basic", {"operators"});
  QueueAccess empty{"team-a", {}};
  CHECK(
      policy.RequireOnQueue(operator_, empty, Permission::kCancelAnyJobs, QueueVerb::kCancel).ok());
  CHECK_FALSE(
      policy.RequireOnQueue(operator_, empty, Permission::kSubmitAnyJobs, QueueVerb::kSubmit).ok());
}

TEST_CASE("everyone is a group every principal is in") {
  PermissionMappings mappings;
  mappings.groups[Permission::kSubmitAnyJobs] = {"everyone"};
  Principal anyone = MakePrincipal("x", "Basic", {});
  CHECK(PermissionPolicy(mappings).Has(anyone, Permission::kSubmitAnyJobs));
  CHECK(PermissionPolicy::AllowEveryone().Has(anyone, Permission::kExecuteJobs));
}

}  // namespace
}  // namespace armada::auth
