#pragma once

// Plays an executor against the fixture's ExecutorApi, and submits jobs, so
// that tests can drive jobs through their lifecycle one step at a time.

#include <map>
#include <string>
#include <vector>

#include "tests/integration/server_fixture.h"

namespace armada::testing {

// What one lease exchange returned.
struct Exchange {
  std::vector<executorapi::JobRunLease> leases;
  std::vector<std::string> cancelled;  // run ids the executor must stop
  bool ended = false;
};

// The executor a test plays: its id and its nodes, each of the same size.
struct TestExecutor {
  std::string id = "exec-1";
  std::vector<std::string> nodes = {"node-1"};
  std::string cpu = "4";
  std::string memory = "16Gi";
  std::map<std::string, std::string> labels;  // on every node
  bool at_lease_limit = false;                // wants no new leases
  std::string authorization;                  // the "authorization" metadata, if any
};

// One lease exchange; `runs` are the runs the executor holds (on its first node).
Exchange LeaseExchange(ServerFixture& server, const std::map<std::string, api::JobState>& runs,
                       const TestExecutor& executor = {});

// Reports run events as `executor_id`; REQUIREs success.
void Report(ServerFixture& server, const std::vector<executorapi::RunEvent>& events,
            const std::string& executor_id = "exec-1");
// The same, with `authorization` metadata; returns the call's status.
grpc::Status TryReport(ServerFixture& server, const std::vector<executorapi::RunEvent>& events,
                       const std::string& executor_id, const std::string& authorization);

// A run event for the lease, to fill in (pending, running, ...).
executorapi::RunEvent RunEvent(const executorapi::JobRunLease& lease);

// The run event for the lease saying it is running / it succeeded.
executorapi::RunEvent Running(const executorapi::JobRunLease& lease);
executorapi::RunEvent Succeeded(const executorapi::JobRunLease& lease);

// Submits `count` jobs of `cpu` cpus to queue "q", job set "s"; their ids.
std::vector<std::string> SubmitJobs(ServerFixture& server, int count, const std::string& cpu,
                                    const std::string& queue = "q",
                                    const std::string& job_set = "s");

// Submits one job, lets executor "exec-1" report its node, schedules, and
// returns the lease the executor then receives (with the job's id).
executorapi::JobRunLease StartOneJob(ServerFixture& server);

// The job's state as the jobs table holds it.
std::string StoredJobState(ServerFixture& server, const std::string& job_id);

}  // namespace armada::testing
