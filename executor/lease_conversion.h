#pragma once

// Turns the server's lease (executorapi.JobRunLease) into the backend's RunSpec.

#include "absl/status/statusor.h"
#include "executor/backend.h"
#include "executorapi/executorapi.pb.h"

namespace armada::executor {

// The RunSpec for `lease`: identity, the leased node, namespace, owner and groups, the
// job's labels, annotations, priority and priority class, its resource requests
// (scheduling_resource_requirements, else the sum of its containers' requests), the
// serialized pod spec and its first container's command + args, env, workingDir, image,
// termination grace and active deadline. Env vars with valueFrom are left out (logged).
// Errors: kInvalidArgument when the job has no pod spec or no container, or a request
// quantity cannot be parsed; names the job.
absl::StatusOr<RunSpec> RunSpecFromLease(const executorapi::JobRunLease& lease);

}  // namespace armada::executor
