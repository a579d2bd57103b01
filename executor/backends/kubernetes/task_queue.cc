#include "executor/backends/kubernetes/task_queue.h"

#include <utility>

#include "lib/common/thread_guard.h"

namespace armada::executor::kubernetes {

TaskQueue::TaskQueue() : thread_([this] { Run(); }) {}

TaskQueue::~TaskQueue() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

void TaskQueue::Post(std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  tasks_.push_back(std::move(task));
}

size_t TaskQueue::pending() const {
  absl::MutexLock lock(&mu_);
  return tasks_.size() + (running_task_ ? 1 : 0);
}

void TaskQueue::Run() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](TaskQueue* q)
               ABSL_NO_THREAD_SAFETY_ANALYSIS { return q->stop_ || !q->tasks_.empty(); },
          this));
      if (stop_) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
      running_task_ = true;
    }
    // A task that throws is logged and dropped; the queue goes on.
    common::RunLogged("kubernetes task queue", task);
    absl::MutexLock lock(&mu_);
    running_task_ = false;
  }
}

}  // namespace armada::executor::kubernetes
