#pragma once

// The executor's loop: each period it collects run updates from the backend,
// reports them (keeping every event until the server acknowledges it), then
// makes one lease exchange: it reports its node and runs, stops the runs the
// server cancelled and starts the runs it was leased.

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "executor/backend.h"
#include "executor/executor_config.h"
#include "executorapi/executorapi.grpc.pb.h"

namespace armada::executor {

class ExecutorAgent {
 public:
  ExecutorAgent(const ExecutorConfig& config, Backend& backend,
                std::shared_ptr<grpc::Channel> channel);

  // One period's work. A failed report skips the lease exchange, so the server
  // never hands out a run again because it missed that run's events.
  absl::Status RunOnce();

  // Calls RunOnce every lease period until `stop` is set.
  void Run(const std::atomic<bool>& stop);

 private:
  struct TrackedRun {
    std::string job_id;
    std::string container;
    api::JobState state = api::LEASED;
    bool finished = false;  // its final event is queued, maybe not yet acknowledged
  };

  void CollectUpdates();
  absl::Status ReportEvents();
  absl::Status LeaseExchange();
  void StartLease(const executorapi::JobRunLease& lease);
  executorapi::LeaseRequest BuildLeaseRequest() const;

  const ExecutorConfig config_;
  Backend& backend_;
  std::unique_ptr<executorapi::ExecutorApi::Stub> stub_;
  std::map<std::string, TrackedRun> runs_;  // until the final event is acknowledged
  std::vector<executorapi::RunEvent> unacknowledged_;
};

}  // namespace armada::executor
