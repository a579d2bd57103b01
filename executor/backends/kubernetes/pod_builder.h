// -----------------------------------------------------------------------------
// File: executor/backends/kubernetes/pod_builder.h
// -----------------------------------------------------------------------------
//
// Builds the pod for one leased run, as Armada's executor does (reference §4.3):
//   metadata.name        armada-<jobId>-0, in the job's namespace (else the default one)
//   metadata.labels      the job's labels + armada_job_id, armada_job_run_id, armada_queue_id,
//                        armada_pod_number "0", armada_pod_count "1"
//   metadata.annotations the job's annotations + armada_jobset_id, armada_owner
//   spec                 the job's pod spec with restartPolicy Never, nodeSelector
//                        {<node id label>: <leased node>}, priorityClassName and
//                        schedulerName defaulted, and the ARMADA_* variables (ArmadaEnv) in
//                        every container and init container, replacing same-named ones.
// A RunSpec without a pod spec gets one container from its process fields.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "executor/backend.h"

namespace armada::executor::kubernetes {

inline constexpr char kJobIdLabel[] = "armada_job_id";
inline constexpr char kRunIdLabel[] = "armada_job_run_id";
inline constexpr char kQueueLabel[] = "armada_queue_id";
inline constexpr char kPodNumberLabel[] = "armada_pod_number";
inline constexpr char kPodCountLabel[] = "armada_pod_count";
inline constexpr char kJobSetAnnotation[] = "armada_jobset_id";
inline constexpr char kOwnerAnnotation[] = "armada_owner";
// Set on a pod once the server acknowledged its run's end (Backend::Forget).
inline constexpr char kForgottenAnnotation[] = "armadaproject.io/executor-forgotten";

struct PodOptions {
  std::string default_namespace = "default";             // for a job without a namespace
  std::string node_id_label = "kubernetes.io/hostname";  // node selection by the leased node
  std::string scheduler_name{};  // podDefaults.schedulerName; "" = the cluster's default
};

// "armada-<job_id>-0".
std::string PodName(const std::string& job_id);

// The namespace the run's pod lives in.
std::string PodNamespace(const RunSpec& spec, const PodOptions& options);

// The pod to create. Errors: kInvalidArgument when spec.pod_spec cannot be parsed or has no
// containers, or the spec has neither a pod spec nor a command.
absl::StatusOr<nlohmann::json> BuildPod(const RunSpec& spec, const PodOptions& options);

}  // namespace armada::executor::kubernetes
