#pragma once

// The plain data the scheduler works on: what it knows of queues, queued jobs
// and nodes. Built by the server from PostgreSQL and executor reports; no I/O.

#include <cstdint>
#include <map>
#include <string>

#include "lib/model/resource_list.h"

namespace armada::model {

struct QueueInfo {
  std::string name;
  double priority_factor = 1.0;  // weight is 1 / priority_factor
  bool cordoned = false;
};

// A job waiting to be scheduled.
struct QueuedJob {
  std::string id;
  std::string queue;
  std::string job_set;
  uint32_t priority = 0;   // lower is scheduled earlier within its queue
  int64_t submit_seq = 0;  // submission order, the tie breaker after priority
  ResourceList requests;
  std::map<std::string, std::string> node_selector;
};

// A node an executor reported, with what is already allocated on it.
struct NodeInfo {
  std::string name;
  std::string executor;
  std::string pool;
  std::map<std::string, std::string> labels;
  ResourceList allocatable;
  ResourceList allocated;  // active runs plus pods the scheduler does not own
  bool unschedulable = false;
};

}  // namespace armada::model
