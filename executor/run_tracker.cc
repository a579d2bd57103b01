#include "executor/run_tracker.h"

#include <cassert>

namespace armada::executor {
namespace {

using State = RunTracker::State;

State StateOf(RunPhase phase) {
  switch (phase) {
    case RunPhase::kPending:
      return State::kPending;
    case RunPhase::kRunning:
      return State::kRunning;
    case RunPhase::kSucceeded:
      return State::kSucceeded;
    case RunPhase::kReturned:
      return State::kReturned;
    case RunPhase::kFailed:
    default:
      return State::kFailed;
  }
}

RunPhase PhaseOf(State state) {
  switch (state) {
    case State::kRunning:
      return RunPhase::kRunning;
    case State::kSucceeded:
      return RunPhase::kSucceeded;
    case State::kFailed:
      return RunPhase::kFailed;
    case State::kReturned:
      return RunPhase::kReturned;
    default:
      return RunPhase::kPending;
  }
}

}  // namespace

const char* RunTracker::StateName(State state) {
  switch (state) {
    case State::kLeased:
      return "leased";
    case State::kSubmitted:
      return "submitted";
    case State::kPending:
      return "pending";
    case State::kRunning:
      return "running";
    case State::kSucceeded:
      return "succeeded";
    case State::kFailed:
      return "failed";
    case State::kReturned:
      return "returned";
    default:
      return "unknown";
  }
}

bool RunTracker::IsFinalState(State state) {
  return state == State::kSucceeded || state == State::kFailed || state == State::kReturned;
}

size_t RunTracker::Adopt(const std::vector<ExistingRun>& existing) {
  size_t adopted = 0;
  for (const ExistingRun& e : existing) {
    if (runs_.count(e.run_id) > 0) continue;
    Run& run = runs_[e.run_id];
    run.run_id = e.run_id;
    run.job_id = e.job_id;
    run.node_name = e.node_name;
    run.state = State::kSubmitted;
    RunUpdate update = e.last;
    update.run_id = e.run_id;
    Advance(run, StateOf(update.phase), update);
    ++adopted;
  }
  return adopted;
}

bool RunTracker::Lease(const std::string& run_id, const std::string& job_id,
                       const std::string& node_name, const std::string& container_name) {
  if (runs_.count(run_id) > 0) return false;
  runs_[run_id] = Run{
      .run_id = run_id, .job_id = job_id, .node_name = node_name, .container_name = container_name};
  return true;
}

void RunTracker::Submitted(const std::string& run_id) {
  const auto it = runs_.find(run_id);
  if (it != runs_.end() && it->second.state == State::kLeased) it->second.state = State::kSubmitted;
}

void RunTracker::StartFailed(const std::string& run_id, const std::string& reason, bool retryable,
                             absl::Time time) {
  const auto it = runs_.find(run_id);
  if (it == runs_.end() || IsFinalState(it->second.state)) return;
  Run& run = it->second;
  RunUpdate update{.run_id = run_id,
                   .phase = retryable ? RunPhase::kReturned : RunPhase::kFailed,
                   .reason = reason,
                   .time = time};
  run.state = StateOf(update.phase);
  Queue(run, std::move(update));
}

void RunTracker::Update(const RunUpdate& update) {
  const auto it = runs_.find(update.run_id);
  if (it == runs_.end()) return;
  Run& run = it->second;
  if (!update.node_name.empty()) run.node_name = update.node_name;
  Advance(run, StateOf(update.phase), update);
}

void RunTracker::Advance(Run& run, State state, const RunUpdate& update) {
  if (IsFinalState(run.state) || run.state >= state) return;
  // A run that is running or succeeded was pending first; one that succeeded ran. Failed
  // and returned runs may never have run, so nothing is filled in for them but kPending.
  if (state != State::kReturned && run.state < State::kPending && state > State::kPending) {
    RunUpdate pending{.run_id = run.run_id, .phase = RunPhase::kPending, .time = update.time};
    pending.node_name = update.node_name;
    run.state = State::kPending;
    Queue(run, std::move(pending));
  }
  if (state == State::kSucceeded && run.state < State::kRunning) {
    RunUpdate running{.run_id = run.run_id, .phase = RunPhase::kRunning, .time = update.time};
    running.node_name = update.node_name;
    run.state = State::kRunning;
    Queue(run, std::move(running));
  }
  RunUpdate copy = update;
  copy.phase = PhaseOf(state);
  // It failed while the server was stopping it: that is how the cancel ends.
  if (state == State::kFailed && run.cancel_requested) copy.cancelled = true;
  run.state = state;
  Queue(run, std::move(copy));
}

void RunTracker::Queue(const Run& run, RunUpdate update) {
  ReportEvent event{.run_id = run.run_id,
                    .job_id = run.job_id,
                    .node_name = update.node_name.empty() ? run.node_name : update.node_name,
                    .container_name = run.container_name,
                    .update = std::move(update)};
  events_.push_back(std::move(event));
}

std::vector<std::string> RunTracker::RequestCancel(const std::vector<std::string>& run_ids) {
  std::vector<std::string> to_cancel;
  for (const std::string& id : run_ids) {
    const auto it = runs_.find(id);
    if (it == runs_.end() || IsFinalState(it->second.state) || it->second.cancel_requested) {
      continue;
    }
    it->second.cancel_requested = true;
    to_cancel.push_back(id);
  }
  return to_cancel;
}

std::vector<std::string> RunTracker::Acknowledge(size_t count) {
  assert(count <= events_.size());
  std::vector<std::string> done;
  for (size_t i = 0; i < count && !events_.empty(); ++i) {
    const ReportEvent& event = events_.front();
    if (IsFinal(event.update.phase)) {
      runs_.erase(event.run_id);
      done.push_back(event.run_id);
    }
    events_.pop_front();
  }
  return done;
}

size_t RunTracker::NotStartedCount() const {
  size_t count = 0;
  for (const auto& [id, run] : runs_) {
    if (run.state == State::kLeased || run.state == State::kSubmitted) ++count;
  }
  return count;
}

}  // namespace armada::executor
