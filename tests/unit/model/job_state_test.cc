#include "lib/model/job_state.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/status/status.h"

namespace armada::model {
namespace {

using J = JobState;
using R = RunState;

const std::vector<JobState> kAllJobStates = {J::kQueued,    J::kLeased,    J::kPending,
                                             J::kRunning,   J::kSucceeded, J::kFailed,
                                             J::kCancelled, J::kPreempted, J::kRejected};
const std::vector<RunState> kAllRunStates = {R::kLeased,    R::kPending,       R::kRunning,
                                             R::kSucceeded, R::kFailed,        R::kCancelled,
                                             R::kPreempted, R::kLeaseReturned, R::kLeaseExpired};

template <typename State>
struct NameCase {
  std::string name;
  State state;
  bool terminal;
};

const std::vector<NameCase<JobState>> kJobNameCases = {
    {"queued", J::kQueued, false},      {"leased", J::kLeased, false},
    {"pending", J::kPending, false},    {"running", J::kRunning, false},
    {"succeeded", J::kSucceeded, true}, {"failed", J::kFailed, true},
    {"cancelled", J::kCancelled, true}, {"preempted", J::kPreempted, true},
    {"rejected", J::kRejected, true},
};

const std::vector<NameCase<RunState>> kRunNameCases = {
    {"leased", R::kLeased, false},
    {"pending", R::kPending, false},
    {"running", R::kRunning, false},
    {"succeeded", R::kSucceeded, true},
    {"failed", R::kFailed, true},
    {"cancelled", R::kCancelled, true},
    {"preempted", R::kPreempted, true},
    {"lease_returned", R::kLeaseReturned, true},
    {"lease_expired", R::kLeaseExpired, true},
};

TEST_CASE("Job state names round trip and classify terminal states") {
  const NameCase<JobState>& c = GENERATE(from_range(kJobNameCases));
  DYNAMIC_SECTION(c.name) {
    CHECK(JobStateName(c.state) == c.name);
    const absl::StatusOr<JobState> parsed = ParseJobState(c.name);
    REQUIRE(parsed.ok());
    CHECK(*parsed == c.state);
    CHECK(IsTerminal(c.state) == c.terminal);
  }
}

TEST_CASE("Run state names round trip and classify terminal and active states") {
  const NameCase<RunState>& c = GENERATE(from_range(kRunNameCases));
  DYNAMIC_SECTION(c.name) {
    CHECK(RunStateName(c.state) == c.name);
    const absl::StatusOr<RunState> parsed = ParseRunState(c.name);
    REQUIRE(parsed.ok());
    CHECK(*parsed == c.state);
    CHECK(IsTerminal(c.state) == c.terminal);
    CHECK(IsActive(c.state) == !c.terminal);
  }
}

struct BadNameCase {
  std::string name;
  std::string input;
};

const std::vector<BadNameCase> kBadNameCases = {
    {"empty", ""},
    {"upper case", "QUEUED"},
    {"hyphen", "lease-returned"},
    {"enum spelling", "kRunning"},
    {"trailing space", "running "},
};

TEST_CASE("ParseJobState and ParseRunState reject unknown names") {
  const BadNameCase& c = GENERATE(from_range(kBadNameCases));
  DYNAMIC_SECTION(c.name) {
    const absl::StatusOr<JobState> job = ParseJobState(c.input);
    REQUIRE_FALSE(job.ok());
    CHECK(job.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(job.status().message()),
               Catch::Contains("unknown job state \"" + c.input + "\""));
    const absl::StatusOr<RunState> run = ParseRunState(c.input);
    REQUIRE_FALSE(run.ok());
    CHECK(run.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(run.status().message()),
               Catch::Contains("unknown run state \"" + c.input + "\""));
  }
}

TEST_CASE("Values outside the enums are unknown, not terminal and not active") {
  CHECK(JobStateName(static_cast<JobState>(99)) == "unknown");
  CHECK(RunStateName(static_cast<RunState>(-1)) == "unknown");
  CHECK_FALSE(IsTerminal(static_cast<JobState>(99)));
  CHECK_FALSE(IsTerminal(static_cast<RunState>(99)));
  CHECK_FALSE(IsActive(static_cast<RunState>(99)));
  CHECK(CheckJobTransition(J::kQueued, static_cast<JobState>(99)).message() ==
        "job cannot go from queued to unknown");
}

// The legal transitions, written out independently of job_state.cc.
const std::vector<std::pair<JobState, JobState>> kLegalJobTransitions = {
    {J::kQueued, J::kLeased},     {J::kQueued, J::kCancelled},  {J::kQueued, J::kRejected},
    {J::kQueued, J::kFailed},     {J::kLeased, J::kPending},    {J::kLeased, J::kRunning},
    {J::kLeased, J::kSucceeded},  {J::kLeased, J::kFailed},     {J::kLeased, J::kQueued},
    {J::kLeased, J::kCancelled},  {J::kLeased, J::kPreempted},  {J::kPending, J::kRunning},
    {J::kPending, J::kSucceeded}, {J::kPending, J::kFailed},    {J::kPending, J::kQueued},
    {J::kPending, J::kCancelled}, {J::kPending, J::kPreempted}, {J::kRunning, J::kSucceeded},
    {J::kRunning, J::kFailed},    {J::kRunning, J::kQueued},    {J::kRunning, J::kCancelled},
    {J::kRunning, J::kPreempted},
};

const std::vector<std::pair<RunState, RunState>> kLegalRunTransitions = {
    {R::kLeased, R::kPending},       {R::kLeased, R::kRunning},        {R::kLeased, R::kSucceeded},
    {R::kLeased, R::kFailed},        {R::kLeased, R::kCancelled},      {R::kLeased, R::kPreempted},
    {R::kLeased, R::kLeaseReturned}, {R::kLeased, R::kLeaseExpired},   {R::kPending, R::kRunning},
    {R::kPending, R::kSucceeded},    {R::kPending, R::kFailed},        {R::kPending, R::kCancelled},
    {R::kPending, R::kPreempted},    {R::kPending, R::kLeaseReturned}, {R::kRunning, R::kSucceeded},
    {R::kRunning, R::kFailed},       {R::kRunning, R::kCancelled},     {R::kRunning, R::kPreempted},
};

template <typename State>
struct TransitionCase {
  std::string name;
  State from;
  State to;
  bool legal;
};

// Every (from, to) pair, legal iff it is in `legal`.
template <typename State, typename NameFn>
std::vector<TransitionCase<State>> AllPairs(const std::vector<State>& states,
                                            const std::vector<std::pair<State, State>>& legal,
                                            NameFn name) {
  std::vector<TransitionCase<State>> cases;
  for (const State from : states) {
    for (const State to : states) {
      const bool is_legal =
          std::find(legal.begin(), legal.end(), std::make_pair(from, to)) != legal.end();
      cases.push_back(
          {std::string(name(from)) + " -> " + std::string(name(to)), from, to, is_legal});
    }
  }
  return cases;
}

const std::vector<TransitionCase<JobState>> kJobTransitionCases =
    AllPairs(kAllJobStates, kLegalJobTransitions, JobStateName);
const std::vector<TransitionCase<RunState>> kRunTransitionCases =
    AllPairs(kAllRunStates, kLegalRunTransitions, RunStateName);

TEST_CASE("CheckJobTransition accepts exactly the legal transitions") {
  REQUIRE(kJobTransitionCases.size() == 81);
  const TransitionCase<JobState>& c = GENERATE(from_range(kJobTransitionCases));
  DYNAMIC_SECTION(c.name << (c.legal ? " (legal)" : " (illegal)")) {
    const absl::Status status = CheckJobTransition(c.from, c.to);
    if (c.legal) {
      CHECK(status.ok());
    } else {
      CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
      CHECK(std::string(status.message()) == "job cannot go from " +
                                                 std::string(JobStateName(c.from)) + " to " +
                                                 std::string(JobStateName(c.to)));
    }
  }
}

TEST_CASE("CheckRunTransition accepts exactly the legal transitions") {
  REQUIRE(kRunTransitionCases.size() == 81);
  const TransitionCase<RunState>& c = GENERATE(from_range(kRunTransitionCases));
  DYNAMIC_SECTION(c.name << (c.legal ? " (legal)" : " (illegal)")) {
    const absl::Status status = CheckRunTransition(c.from, c.to);
    if (c.legal) {
      CHECK(status.ok());
    } else {
      CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
      CHECK(std::string(status.message()) == "run cannot go from " +
                                                 std::string(RunStateName(c.from)) + " to " +
                                                 std::string(RunStateName(c.to)));
    }
  }
}

// Named illegal transitions, so a table change that allows one of them fails loudly here too.
const std::vector<TransitionCase<JobState>> kIllegalJobCases = {
    {"succeeded to running", J::kSucceeded, J::kRunning, false},
    {"failed to queued", J::kFailed, J::kQueued, false},
    {"cancelled to queued", J::kCancelled, J::kQueued, false},
    {"preempted to queued", J::kPreempted, J::kQueued, false},
    {"rejected to queued", J::kRejected, J::kQueued, false},
    {"running back to pending", J::kRunning, J::kPending, false},
    {"running back to leased", J::kRunning, J::kLeased, false},
    {"pending back to leased", J::kPending, J::kLeased, false},
    {"queued skips to running", J::kQueued, J::kRunning, false},
    {"queued skips to succeeded", J::kQueued, J::kSucceeded, false},
    {"queued to preempted", J::kQueued, J::kPreempted, false},
    {"leased to rejected", J::kLeased, J::kRejected, false},
    {"queued to queued", J::kQueued, J::kQueued, false},
    {"running to running", J::kRunning, J::kRunning, false},
};

TEST_CASE("CheckJobTransition rejects representative illegal transitions") {
  const TransitionCase<JobState>& c = GENERATE(from_range(kIllegalJobCases));
  DYNAMIC_SECTION(c.name) {
    const absl::Status status = CheckJobTransition(c.from, c.to);
    CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
  }
}

TEST_CASE("CheckJobTransition message names both states") {
  CHECK(CheckJobTransition(J::kSucceeded, J::kRunning).message() ==
        "job cannot go from succeeded to running");
  CHECK(CheckRunTransition(R::kLeaseExpired, R::kRunning).message() ==
        "run cannot go from lease_expired to running");
}

const std::vector<TransitionCase<RunState>> kIllegalRunCases = {
    {"succeeded to running", R::kSucceeded, R::kRunning, false},
    {"lease_returned to leased", R::kLeaseReturned, R::kLeased, false},
    {"lease_expired to running", R::kLeaseExpired, R::kRunning, false},
    {"preempted to running", R::kPreempted, R::kRunning, false},
    {"running back to pending", R::kRunning, R::kPending, false},
    {"running to lease_returned", R::kRunning, R::kLeaseReturned, false},
    {"running to lease_expired", R::kRunning, R::kLeaseExpired, false},
    {"pending to lease_expired", R::kPending, R::kLeaseExpired, false},
    {"pending back to leased", R::kPending, R::kLeased, false},
    {"leased to leased", R::kLeased, R::kLeased, false},
};

TEST_CASE("CheckRunTransition rejects representative illegal transitions") {
  const TransitionCase<RunState>& c = GENERATE(from_range(kIllegalRunCases));
  DYNAMIC_SECTION(c.name) {
    const absl::Status status = CheckRunTransition(c.from, c.to);
    CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
  }
}

TEST_CASE("Terminal states have no way out") {
  for (const JobState from : kAllJobStates) {
    if (!IsTerminal(from)) continue;
    for (const JobState to : kAllJobStates) {
      INFO(JobStateName(from) << " -> " << JobStateName(to));
      CHECK_FALSE(CheckJobTransition(from, to).ok());
    }
  }
  for (const RunState from : kAllRunStates) {
    if (!IsTerminal(from)) continue;
    for (const RunState to : kAllRunStates) {
      INFO(RunStateName(from) << " -> " << RunStateName(to));
      CHECK_FALSE(CheckRunTransition(from, to).ok());
    }
  }
}

}  // namespace
}  // namespace armada::model
