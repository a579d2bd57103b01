#pragma once

// Who calls an rpc and whether they may: every rpc of every service starts
// with one of these checks, before it reads or changes anything. Refusals
// are UNAUTHENTICATED (no or bad credentials) or PERMISSION_DENIED (naming
// the permission and the queue), and are logged with the method and peer.

#include <string>

#include <grpcpp/server_context.h>

#include "absl/status/statusor.h"
#include "api/submit.pb.h"
#include "lib/auth/authenticator.h"
#include "lib/auth/permissions.h"
#include "lib/store/database.h"
#include "lib/store/job_query.h"

namespace armada::server {

// The queue's grants as the policy reads them: its permissions, and its
// user and group owners with every verb (Armada's NewPermissionsFromOwners).
auth::QueueAccess QueueAccessOf(const api::Queue& queue);

class CallerAuth {
 public:
  CallerAuth(const auth::AuthenticatorChain& chain, const auth::PermissionPolicy& policy,
             store::Database& db)
      : chain_(chain), policy_(policy), db_(db) {}

  // The caller, from the "authorization" metadata and a verified client
  // certificate.
  absl::StatusOr<auth::Principal> Authenticate(const grpc::ServerContextBase& context) const;
  // The caller, who must hold `permission`.
  absl::StatusOr<auth::Principal> Require(const grpc::ServerContextBase& context,
                                          auth::Permission permission) const;
  // The caller, who must hold `any` or the queue's `verb`. A missing queue
  // is refused like any other to a caller without `any` (with `any`, the rpc
  // itself answers NOT_FOUND, as Armada does). An empty `queue` (jobs named by
  // id alone) needs `any`.
  absl::StatusOr<auth::Principal> RequireOnQueue(const grpc::ServerContextBase& context,
                                                 const std::string& queue, auth::Permission any,
                                                 auth::QueueVerb verb) const;
  // For a principal already authenticated (checks on several queues).
  absl::Status CheckOnQueue(const auth::Principal& principal, const std::string& queue,
                            auth::Permission any, auth::QueueVerb verb) const;

  // The stored job `job_id` if `principal` may watch its queue (the queue's
  // watch verb, or watch_all_events); NOT_FOUND otherwise, so that a caller
  // learns nothing of other queues' jobs. INVALID_ARGUMENT for an empty id.
  absl::StatusOr<store::JobView> VisibleJob(const auth::Principal& principal,
                                            const std::string& job_id) const;

  const auth::PermissionPolicy& policy() const { return policy_; }

 private:
  absl::Status Logged(const grpc::ServerContextBase& context, const absl::Status& refusal) const;

  const auth::AuthenticatorChain& chain_;
  const auth::PermissionPolicy& policy_;
  store::Database& db_;
};

}  // namespace armada::server
