#include "lib/model/job_state.h"

#include <array>
#include <cstddef>

#include "absl/strings/str_cat.h"

namespace armada::model {
namespace {

template <typename State>
struct StateInfo {
  State state;
  std::string_view name;
  bool terminal;
};

template <typename State>
struct Transition {
  State from;
  State to;
};

using J = JobState;
using R = RunState;

// Indexed by the enum value (checked below).
constexpr std::array<StateInfo<JobState>, 9> kJobStates = {{
    {J::kQueued, "queued", false},
    {J::kLeased, "leased", false},
    {J::kPending, "pending", false},
    {J::kRunning, "running", false},
    {J::kSucceeded, "succeeded", true},
    {J::kFailed, "failed", true},
    {J::kCancelled, "cancelled", true},
    {J::kPreempted, "preempted", true},
    {J::kRejected, "rejected", true},
}};

constexpr std::array<StateInfo<RunState>, 9> kRunStates = {{
    {R::kLeased, "leased", false},
    {R::kPending, "pending", false},
    {R::kRunning, "running", false},
    {R::kSucceeded, "succeeded", true},
    {R::kFailed, "failed", true},
    {R::kCancelled, "cancelled", true},
    {R::kPreempted, "preempted", true},
    {R::kLeaseReturned, "lease_returned", true},
    {R::kLeaseExpired, "lease_expired", true},
}};

// Every legal job transition. "-> queued" is a requeue (lease returned, or retry after
// preemption); there is no way out of a terminal state.
constexpr Transition<JobState> kJobTransitions[] = {
    {J::kQueued, J::kLeased},     {J::kQueued, J::kCancelled},  {J::kQueued, J::kRejected},
    {J::kQueued, J::kFailed},     {J::kLeased, J::kPending},    {J::kLeased, J::kRunning},
    {J::kLeased, J::kSucceeded},  {J::kLeased, J::kFailed},     {J::kLeased, J::kQueued},
    {J::kLeased, J::kCancelled},  {J::kLeased, J::kPreempted},  {J::kPending, J::kRunning},
    {J::kPending, J::kSucceeded}, {J::kPending, J::kFailed},    {J::kPending, J::kQueued},
    {J::kPending, J::kCancelled}, {J::kPending, J::kPreempted}, {J::kRunning, J::kSucceeded},
    {J::kRunning, J::kFailed},    {J::kRunning, J::kQueued},    {J::kRunning, J::kCancelled},
    {J::kRunning, J::kPreempted},
};

// Every legal run transition.
constexpr Transition<RunState> kRunTransitions[] = {
    {R::kLeased, R::kPending},       {R::kLeased, R::kRunning},        {R::kLeased, R::kSucceeded},
    {R::kLeased, R::kFailed},        {R::kLeased, R::kCancelled},      {R::kLeased, R::kPreempted},
    {R::kLeased, R::kLeaseReturned}, {R::kLeased, R::kLeaseExpired},   {R::kPending, R::kRunning},
    {R::kPending, R::kSucceeded},    {R::kPending, R::kFailed},        {R::kPending, R::kCancelled},
    {R::kPending, R::kPreempted},    {R::kPending, R::kLeaseReturned}, {R::kRunning, R::kSucceeded},
    {R::kRunning, R::kFailed},       {R::kRunning, R::kCancelled},     {R::kRunning, R::kPreempted},
};

template <typename State, std::size_t N>
constexpr const StateInfo<State>* Info(const std::array<StateInfo<State>, N>& states, State s) {
  const auto index = static_cast<std::size_t>(s);
  return index < N ? &states[index] : nullptr;
}

// The tables agree: indexed by enum value, no self-transitions, and a state is terminal
// exactly when no transition leaves it.
template <typename State, std::size_t N, std::size_t M>
constexpr bool Consistent(const std::array<StateInfo<State>, N>& states,
                          const Transition<State> (&transitions)[M]) {
  for (std::size_t i = 0; i < N; ++i) {
    if (static_cast<std::size_t>(states[i].state) != i) return false;
    bool has_exit = false;
    for (const Transition<State>& t : transitions) {
      if (t.from == t.to) return false;
      has_exit = has_exit || t.from == states[i].state;
    }
    if (has_exit == states[i].terminal) return false;
  }
  return true;
}
static_assert(Consistent(kJobStates, kJobTransitions));
static_assert(Consistent(kRunStates, kRunTransitions));

template <typename State, std::size_t N>
std::string_view Name(const std::array<StateInfo<State>, N>& states, State s) {
  const StateInfo<State>* info = Info(states, s);
  return info == nullptr ? "unknown" : info->name;
}

template <typename State, std::size_t N>
absl::StatusOr<State> ParseState(const std::array<StateInfo<State>, N>& states,
                                 std::string_view kind, std::string_view name) {
  for (const StateInfo<State>& info : states) {
    if (info.name == name) return info.state;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown ", absl::string_view(kind.data(), kind.size()), " state \"",
                   absl::string_view(name.data(), name.size()), "\""));
}

template <typename State, std::size_t N, std::size_t M>
absl::Status CheckTransition(const std::array<StateInfo<State>, N>& states,
                             const Transition<State> (&transitions)[M], std::string_view kind,
                             State from, State to) {
  for (const Transition<State>& t : transitions) {
    if (t.from == from && t.to == to) return absl::OkStatus();
  }
  const std::string_view from_name = Name(states, from);
  const std::string_view to_name = Name(states, to);
  return absl::FailedPreconditionError(
      absl::StrCat(absl::string_view(kind.data(), kind.size()), " cannot go from ",
                   absl::string_view(from_name.data(), from_name.size()), " to ",
                   absl::string_view(to_name.data(), to_name.size())));
}

}  // namespace

std::string_view JobStateName(JobState state) { return Name(kJobStates, state); }

std::string_view RunStateName(RunState state) { return Name(kRunStates, state); }

absl::StatusOr<JobState> ParseJobState(std::string_view name) {
  return ParseState(kJobStates, "job", name);
}

absl::StatusOr<RunState> ParseRunState(std::string_view name) {
  return ParseState(kRunStates, "run", name);
}

bool IsTerminal(JobState state) {
  const StateInfo<JobState>* info = Info(kJobStates, state);
  return info != nullptr && info->terminal;
}

bool IsTerminal(RunState state) {
  const StateInfo<RunState>* info = Info(kRunStates, state);
  return info != nullptr && info->terminal;
}

bool IsActive(RunState state) {
  const StateInfo<RunState>* info = Info(kRunStates, state);
  return info != nullptr && !info->terminal;
}

absl::Status CheckJobTransition(JobState from, JobState to) {
  return CheckTransition(kJobStates, kJobTransitions, "job", from, to);
}

absl::Status CheckRunTransition(RunState from, RunState to) {
  return CheckTransition(kRunStates, kRunTransitions, "run", from, to);
}

}  // namespace armada::model
