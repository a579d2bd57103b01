// -----------------------------------------------------------------------------
// File: executor/backends/kubernetes/pod_state.h
// -----------------------------------------------------------------------------
//
// Reads Kubernetes objects: what state a pod is in (phase, exit code, failure cause, and
// whether it is stuck starting, reference §4.4-4.5), and a node as the executor reports it.
// Pure functions over the JSON; thread-safe.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "executor/backend.h"
#include "lib/model/resource_list.h"

namespace armada::executor::kubernetes {

// Why a pending pod is not starting.
enum class PodIssue {
  kNone,
  kUnschedulable,  // condition PodScheduled=False, reason Unschedulable
  kImagePull,      // a container waiting with ErrImagePull or ImagePullBackOff
  kInvalidImage,   // a container waiting with InvalidImageName: retrying cannot help
  kStuckStarting,  // a container waiting with any other reason (ContainerCreating, ...)
};

struct PodObservation {
  RunPhase phase = RunPhase::kPending;  // kPending, kRunning, kSucceeded or kFailed
  bool known_phase = true;              // false for phase Unknown or missing
  bool started = false;                 // some container has run (running or terminated)
  int exit_code = 0;                    // final phases: see ObservePod
  std::string reason{};                 // final phases: human readable
  FailureCause cause = FailureCause::kError;
  std::string node_name{};  // spec.nodeName, once scheduled
  PodIssue issue = PodIssue::kNone;
  std::string issue_message{};  // "<reason>: <message>" of the issue
  bool deleting = false;        // metadata.deletionTimestamp is set
};

// Maps a pod to a run state:
//   Pending -> kPending (with an issue, if any); Running -> kRunning;
//   Succeeded -> kSucceeded, exit code 0;
//   Failed -> kFailed with cause kEvicted (status.reason Evicted), kDeadlineExceeded
//     (DeadlineExceeded), kOom (a container terminated OOMKilled) or kError, the exit code
//     of the first container that failed (else the first terminated one), and a reason
//     such as "OOMKilled: exit code 137 (container main)" or "Evicted: <message>".
PodObservation ObservePod(const nlohmann::json& pod);

// The resources a pod requests: the sum of its containers' requests, or per resource the
// largest init container request if that is more, plus spec.overhead. Unparsable
// quantities are skipped.
model::ResourceList PodRequests(const nlohmann::json& pod);

// A node as the executor reports it: labels, taints, allocatable, and unschedulable when
// spec.unschedulable is set or the Ready condition is not True. `pool_label`: the node label
// naming its pool ("" or absent: the executor's pool). allocated_by_others is left empty.
BackendNode NodeFromJson(const nlohmann::json& node, const std::string& pool_label);

// True for pods in phase Succeeded or Failed.
bool IsTerminated(const nlohmann::json& pod);

}  // namespace armada::executor::kubernetes
