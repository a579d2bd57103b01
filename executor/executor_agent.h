#pragma once

// The executor's loop. Every lease period it polls the backend for run updates;
// when the server is due (every period while it answers, with a capped
// exponential back-off while it does not) it reports the queued events (kept
// until the server acknowledges them) and then makes one lease exchange: it
// reports its nodes with their runs, stops the runs the server cancelled and
// starts the runs it was leased. Running jobs go on while the server is away.
//
// At start it recovers the runs the backend already has (an earlier executor's)
// and adopts them before it talks to the server, so that the server never sees
// a heartbeat without them. In node mode it reports, adopts and starts runs
// only on its own node.
//
// Not thread-safe: one thread calls RunOnce / Run.

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "executor/backend.h"
#include "executor/executor_config.h"
#include "executor/run_tracker.h"
#include "executorapi/executorapi.grpc.pb.h"

namespace armada::executor {

class ExecutorAgent {
 public:
  // `backend` must outlive the agent.
  ExecutorAgent(const ExecutorConfig& config, Backend& backend,
                std::shared_ptr<grpc::Channel> channel);

  // Recovers the backend's runs if not done yet (kUnavailable until the backend can list
  // them) and collects their updates. Never talks to the server.
  absl::Status PollBackend();

  // Reports every queued event, then makes one lease exchange. A failed report skips the
  // exchange, so the server never hands out a run again because it missed that run's
  // events. kFailedPrecondition before the backend's runs are recovered.
  absl::Status TalkToServer();

  // PollBackend, then TalkToServer.
  absl::Status RunOnce();

  // Until `stop` is set: PollBackend every lease period, TalkToServer when due.
  void Run(const std::atomic<bool>& stop);

 private:
  void CollectUpdates();
  void StopUnknownRuns();
  // Reports every queued event in batches. A batch the server refuses with
  // kInvalidArgument is resent one event at a time and only the refused
  // events are dropped (logged with job and run), so one bad event never
  // blocks the ones after it (a refused event is first resent without its
  // reason, so that its phase can still arrive).
  absl::Status ReportEvents();
  absl::Status ReportOneByOne(size_t count);
  // Sends the oldest `count` queued events in one ReportEvents call;
  // `bare`: without their reasons.
  grpc::Status SendEvents(size_t count, bool bare = false);
  // Drops the oldest `count` queued events; forgets the runs they ended.
  void Acknowledge(size_t count);
  absl::Status LeaseExchange();
  void StartLease(const executorapi::JobRunLease& lease);
  absl::StatusOr<executorapi::LeaseRequest> BuildLeaseRequest() const;
  bool OwnsNode(const std::string& node) const;

  const ExecutorConfig config_;
  Backend& backend_;
  std::unique_ptr<executorapi::ExecutorApi::Stub> stub_;
  RunTracker tracker_;
  bool recovered_ = false;
  // Node mode: runs the backend recovered on other nodes; never adopted nor stopped.
  std::set<std::string> foreign_runs_;
};

}  // namespace armada::executor
