// -----------------------------------------------------------------------------
// File: tests/fakes/fake_kube_apiserver/fake_kubelet.h
// -----------------------------------------------------------------------------
//
// Pod statuses and nodes as a kubelet and a cluster would report them, for driving the fake
// API server (FakeKubeStore::SetPodStatus, UpsertNode), and the log a container "prints"
// (FakeKubeStore records it as SetPodStatus starts and ends containers). Pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/time/time.h"

namespace armada::fakes {

// A Ready node with `allocatable` (e.g. {{"cpu","8"},{"memory","32Gi"},{"pods","110"}}), the
// kubernetes.io/hostname label plus `labels`, and `taints` as {key, value, effect}.
nlohmann::json MakeNode(const std::string& name,
                        const std::map<std::string, std::string>& allocatable,
                        const std::map<std::string, std::string>& labels = {},
                        const std::vector<std::vector<std::string>>& taints = {},
                        bool unschedulable = false);

// Pending, not scheduled: condition PodScheduled=False, reason Unschedulable.
nlohmann::json UnschedulableStatus(const std::string& message = "0/3 nodes are available");
// Pending and scheduled, the container waiting with `reason` (ContainerCreating,
// ImagePullBackOff, ErrImagePull, InvalidImageName, ...).
nlohmann::json WaitingStatus(const std::string& reason, const std::string& message = "");
// Running, the container started.
nlohmann::json RunningStatus();
// Succeeded, the container terminated with exit code 0.
nlohmann::json SucceededStatus();
// Failed, the container terminated with `exit_code` and `reason` ("Error", "OOMKilled").
nlohmann::json FailedStatus(int exit_code, const std::string& reason = "Error",
                            const std::string& message = "");
// Failed at pod level with `reason` (Evicted, DeadlineExceeded) and no terminated container.
nlohmann::json PodFailedStatus(const std::string& reason, const std::string& message);

// The log lines `container` (a pod spec container) prints when it starts. A shell echo prints
// its words: command+args ["echo", "a", "b"] -> "a b"; ["sh", "-c", "echo hello; echo 'x  y'"]
// (sh or bash, any path; commands split at ';', '&&', '||' and newlines, others print nothing)
// -> "hello", "x  y". Anything else: "fake kubelet: container <name> started".
std::vector<std::string> ContainerStartLog(const nlohmann::json& container);
// The lines it adds when it terminates with `exit_code`: for a container that is no echo,
// "fake kubelet: container <name> exited with code <exit_code>"; an echo adds nothing.
std::vector<std::string> ContainerExitLog(const nlohmann::json& container, int exit_code);
// `t` as a kubelet stamps log lines: RFC 3339 in UTC with nine fraction digits,
// "2026-12-03T07:40:00.123456789Z".
std::string LogTimestamp(absl::Time t);

}  // namespace armada::fakes
