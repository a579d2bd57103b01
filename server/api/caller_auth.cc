#include "server/api/caller_auth.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/common/status_macros.h"
#include "lib/net/server_credentials.h"
#include "lib/store/queue_store.h"
#include "spdlog/spdlog.h"

namespace armada::server {
namespace {

std::string Metadata(const grpc::ServerContextBase& context, const char* key) {
  const auto& metadata = context.client_metadata();
  auto found = metadata.find(key);
  if (found == metadata.end()) return "";
  return std::string(found->second.data(), found->second.size());
}

}  // namespace

auth::QueueAccess QueueAccessOf(const api::Queue& queue) {
  auth::QueueAccess access;
  access.queue = queue.name();
  for (const api::Queue::Permissions& permission : queue.permissions()) {
    auth::QueueAccess::Grant grant;
    for (const auto& subject : permission.subjects()) {
      // Armada's kinds are "User" and "Group"; anything else grants nothing.
      if (subject.kind() == "User") grant.users.push_back(subject.name());
      if (subject.kind() == "Group") grant.groups.push_back(subject.name());
    }
    grant.verbs.assign(permission.verbs().begin(), permission.verbs().end());
    access.grants.push_back(std::move(grant));
  }
  if (!queue.user_owners().empty() || !queue.group_owners().empty()) {
    auth::QueueAccess::Grant owners;
    owners.users.assign(queue.user_owners().begin(), queue.user_owners().end());
    owners.groups.assign(queue.group_owners().begin(), queue.group_owners().end());
    for (auto verb : {auth::QueueVerb::kSubmit, auth::QueueVerb::kCancel, auth::QueueVerb::kPreempt,
                      auth::QueueVerb::kReprioritize, auth::QueueVerb::kWatch}) {
      owners.verbs.emplace_back(std::string(auth::QueueVerbName(verb)));
    }
    access.grants.push_back(std::move(owners));
  }
  return access;
}

absl::StatusOr<auth::Principal> CallerAuth::Authenticate(
    const grpc::ServerContextBase& context) const {
  auth::Credentials credentials{Metadata(context, "authorization"),
                                net::VerifiedClientCertificateName(context)};
  absl::StatusOr<auth::Principal> principal = chain_.Authenticate(credentials);
  if (!principal.ok()) return Logged(context, principal.status());
  return principal;
}

absl::StatusOr<auth::Principal> CallerAuth::Require(const grpc::ServerContextBase& context,
                                                    auth::Permission permission) const {
  absl::StatusOr<auth::Principal> principal = Authenticate(context);
  if (!principal.ok()) return principal.status();
  if (absl::Status s = policy_.Require(*principal, permission); !s.ok()) return Logged(context, s);
  return principal;
}

absl::StatusOr<auth::Principal> CallerAuth::RequireOnQueue(const grpc::ServerContextBase& context,
                                                           const std::string& queue,
                                                           auth::Permission any,
                                                           auth::QueueVerb verb) const {
  absl::StatusOr<auth::Principal> principal = Authenticate(context);
  if (!principal.ok()) return principal.status();
  if (queue.empty()) {
    // Jobs named by id alone may be in any queue: only the global permission covers that.
    if (!policy_.Has(*principal, any)) {
      return Logged(context, absl::PermissionDeniedError(absl::StrCat(
                                 "user ", principal->name, " may not ",
                                 std::string(auth::QueueVerbName(verb)),
                                 " without naming the queue: that needs the global permission ",
                                 std::string(auth::PermissionName(any)))));
    }
    return principal;
  }
  if (absl::Status s = CheckOnQueue(*principal, queue, any, verb); !s.ok()) {
    return Logged(context, s);
  }
  return principal;
}

absl::Status CallerAuth::CheckOnQueue(const auth::Principal& principal, const std::string& queue,
                                      auth::Permission any, auth::QueueVerb verb) const {
  // The global permission covers every queue, existing or not: no lookup
  // (whether the queue exists is the rpc's own question, answered in its
  // transaction).
  if (policy_.Has(principal, any)) return absl::OkStatus();
  api::Queue definition;
  absl::Status status = db_.Run([&](pqxx::work& tx) -> absl::Status {
    auto record = store::GetQueue(tx, queue);
    if (!record.ok()) return record.status();
    if (!definition.ParseFromString(record->definition)) {
      return absl::DataLossError(absl::StrCat("queue ", queue, " is not readable"));
    }
    return absl::OkStatus();
  });
  if (absl::IsNotFound(status)) {
    // Refused as for any queue the caller holds no verb on: whether a queue
    // exists is not news for someone who may not use it.
    definition.set_name(queue);
  } else if (!status.ok()) {
    return status;
  }
  return policy_.RequireOnQueue(principal, QueueAccessOf(definition), any, verb);
}

absl::Status CallerAuth::Logged(const grpc::ServerContextBase& context,
                                const absl::Status& refusal) const {
  if (absl::IsUnauthenticated(refusal) || absl::IsPermissionDenied(refusal)) {
    spdlog::warn("refused a call from {}: {}", context.peer(), std::string(refusal.message()));
  }
  return refusal;
}

absl::StatusOr<store::JobView> CallerAuth::VisibleJob(const auth::Principal& principal,
                                                      const std::string& job_id) const {
  if (job_id.empty()) return absl::InvalidArgumentError("jobId: must not be empty");
  std::map<std::string, store::JobView> jobs;
  RETURN_IF_ERROR(db_.Run([&](pqxx::work& tx) {
    jobs = store::JobsById(tx, {job_id});
    return absl::OkStatus();
  }));
  auto it = jobs.find(job_id);
  if (it == jobs.end() || !CheckOnQueue(principal, it->second.queue,
                                        auth::Permission::kWatchAllEvents, auth::QueueVerb::kWatch)
                               .ok()) {
    return absl::NotFoundError(absl::StrCat("job ", job_id, " not found"));
  }
  return std::move(it->second);
}

}  // namespace armada::server
