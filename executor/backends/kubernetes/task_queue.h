// -----------------------------------------------------------------------------
// File: executor/backends/kubernetes/task_queue.h
// -----------------------------------------------------------------------------
//
// `TaskQueue` runs tasks one at a time, in order, on its own thread, so that the backend's
// API calls (create pod, delete pod), which may wait on the rate limiter and retries, never
// block Start, Cancel or Poll.
#pragma once

#include <deque>
#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace armada::executor::kubernetes {

class TaskQueue {
 public:
  TaskQueue();
  // Finishes the task in progress, drops the others and joins the thread.
  ~TaskQueue();

  TaskQueue(const TaskQueue&) = delete;
  TaskQueue& operator=(const TaskQueue&) = delete;

  // Queues `task`. Thread-safe.
  void Post(std::function<void()> task);

  // Tasks queued or running. Thread-safe.
  size_t pending() const;

 private:
  void Run();

  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool running_task_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace armada::executor::kubernetes
