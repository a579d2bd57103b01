#pragma once

// What an executor's lease request (the runs it holds) means for its runs,
// inside the caller's transaction, with the events:
//  * a preempted run it no longer holds has stopped: its job is requeued;
//  * a run whose job is being cancelled: stop it if held, otherwise the cancel
//    is complete (it never had the run, or it has gone);
//  * a run that had started and that it no longer holds is lost (it
//    restarted and its processes went with it);
//  * leased runs it does not hold yet are to be started, up to its limit;
//  * runs it holds that are no longer active, unknown, or leased to another
//    executor are to be stopped.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/time/time.h"
#include "lib/model/retry_policy.h"
#include "lib/store/job_store.h"

namespace armada::server {

struct LeaseRequestRuns {
  std::string executor;
  std::set<std::string> held;      // run ids on its nodes or not yet assigned to one
  bool at_lease_limit = false;     // wants nothing new
  uint32_t max_jobs_to_lease = 0;  // 0: no limit
};

struct LeaseAnswer {
  std::vector<std::string> to_cancel;  // run ids the executor must stop
  std::vector<store::LeasedRun> to_start;
};

LeaseAnswer SettleLeaseRequest(pqxx::work& tx, absl::Time now, const model::RetryPolicy& policy,
                               const LeaseRequestRuns& request);

}  // namespace armada::server
