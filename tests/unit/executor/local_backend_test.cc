#include "executor/backends/local/local_backend.h"

#include <signal.h>
#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "catch2/catch.hpp"

#include "executor/backend.h"

namespace Catch {
template <>
struct StringMaker<armada::executor::RunPhase> {
  static std::string convert(armada::executor::RunPhase phase) {
    return armada::executor::RunPhaseName(phase);
  }
};
}  // namespace Catch

namespace armada::executor {
namespace {

namespace fs = std::filesystem;

// These tests run real processes, so unlike the rest of the suite they wait with real
// sleeps. The timeouts only bound hangs; no test asserts how fast something happens.
constexpr absl::Duration kTimeout = absl::Seconds(10);
constexpr absl::Duration kPollInterval = absl::Milliseconds(10);

// A fresh directory under /tmp, removed with its contents at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string path_template = "/tmp/local_backend_test.XXXXXX";
    REQUIRE(::mkdtemp(path_template.data()) != nullptr);
    path_ = path_template;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& Path() const { return path_; }

 private:
  std::string path_;
};

RunSpec Spec(const std::string& run_id, std::vector<std::string> command) {
  RunSpec spec;
  spec.run_id = run_id;
  spec.job_id = "job-" + run_id;
  spec.queue = "queue-a";
  spec.job_set = "set-1";
  spec.command = std::move(command);
  return spec;
}

RunSpec Shell(const std::string& run_id, const std::string& script) {
  return Spec(run_id, {"sh", "-c", script});
}

// Polls every 10 ms until `run_id` reports a final phase; returns that run's updates in
// order (other runs' updates are dropped). Fails the test after `timeout`.
std::vector<RunUpdate> WaitForFinal(Backend& backend, const std::string& run_id,
                                    absl::Duration timeout = kTimeout) {
  std::vector<RunUpdate> updates;
  const absl::Time give_up = absl::Now() + timeout;
  while (true) {
    for (RunUpdate& update : backend.Poll()) {
      if (update.run_id != run_id) continue;
      updates.push_back(std::move(update));
      if (IsFinal(updates.back().phase)) return updates;
    }
    if (absl::Now() > give_up) FAIL("run " << run_id << " did not finish within " << timeout);
    absl::SleepFor(kPollInterval);
  }
}

std::vector<RunPhase> Phases(const std::vector<RunUpdate>& updates) {
  std::vector<RunPhase> phases;
  for (const RunUpdate& update : updates) phases.push_back(update.phase);
  return phases;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// Waits (bounded by kTimeout) until the file at `path` contains `text`; returns its contents.
std::string WaitForFileContaining(const std::string& path, const std::string& text) {
  const absl::Time give_up = absl::Now() + kTimeout;
  while (true) {
    std::string contents = ReadFile(path);
    if (contents.find(text) != std::string::npos) return contents;
    if (absl::Now() > give_up) FAIL(path << " never contained \"" << text << "\"");
    absl::SleepFor(kPollInterval);
  }
}

// True once `pid` is gone or a zombie (dead, waiting for whoever reaps it).
bool IsDead(pid_t pid) {
  const std::string stat = ReadFile(absl::StrCat("/proc/", pid, "/stat"));
  const size_t paren = stat.rfind(')');
  return paren == std::string::npos || stat.substr(paren + 2, 1) == "Z" ||
         stat.substr(paren + 2, 1) == "X";
}

void WaitUntilDead(pid_t pid) {
  const absl::Time give_up = absl::Now() + kTimeout;
  while (!IsDead(pid)) {
    if (absl::Now() > give_up) FAIL("process " << pid << " still alive");
    absl::SleepFor(kPollInterval);
  }
}

struct Case {
  std::string name;
  std::vector<std::string> command;
  std::string working_dir;
  bool starts;  // whether the program gets to run (kRunning is reported)
  RunPhase phase;
  int exit_code;
  std::string reason;
};

const std::vector<Case> kEndings = {
    {"exit 0 succeeds", {"sh", "-c", "exit 0"}, "", true, RunPhase::kSucceeded, 0, "exit code 0"},
    {"exit 3 fails", {"sh", "-c", "exit 3"}, "", true, RunPhase::kFailed, 3, "exit code 3"},
    {"a program exiting 127 itself started",
     {"sh", "-c", "exit 127"},
     "",
     true,
     RunPhase::kFailed,
     127,
     "exit code 127"},
    {"a signal fails with 128+N",
     {"sh", "-c", "kill -9 $$"},
     "",
     true,
     RunPhase::kFailed,
     137,
     "killed by signal 9 (SIGKILL)"},
    {"a missing program path fails to start",
     {"/nonexistent/program", "arg"},
     "",
     false,
     RunPhase::kFailed,
     127,
     "failed to start: No such file or directory"},
    {"a program not on PATH fails to start",
     {"armada-no-such-program"},
     "",
     false,
     RunPhase::kFailed,
     127,
     "failed to start: No such file or directory"},
    {"a missing working dir fails to start",
     {"sh", "-c", "exit 0"},
     "/nonexistent/dir",
     false,
     RunPhase::kFailed,
     127,
     "failed to start: working dir /nonexistent/dir: No such file or directory"},
};

TEST_CASE("LocalBackend reports how each run ended", "[local_backend]") {
  const Case c = GENERATE(from_range(kEndings));
  DYNAMIC_SECTION(c.name) {
    TempDir root;
    LocalBackend backend({.work_root = root.Path()});
    RunSpec spec = Spec("run-1", c.command);
    spec.working_dir = c.working_dir;
    REQUIRE(backend.Start(spec).ok());

    const std::vector<RunUpdate> updates = WaitForFinal(backend, "run-1");

    const std::vector<RunPhase> expected_phases =
        c.starts ? std::vector<RunPhase>{RunPhase::kPending, RunPhase::kRunning, c.phase}
                 : std::vector<RunPhase>{RunPhase::kPending, c.phase};
    CHECK(Phases(updates) == expected_phases);
    CHECK(updates.back().exit_code == c.exit_code);
    CHECK(updates.back().reason == c.reason);
    CHECK(backend.ActiveRunIds().empty());
  }
}

TEST_CASE("LocalBackend writes stdout and stderr to the run directory", "[local_backend]") {
  TempDir root;
  LocalBackend backend({.work_root = root.Path()});
  REQUIRE(backend.Start(Shell("run-1", "echo hello; echo err >&2; exit 0")).ok());

  const std::vector<RunUpdate> updates = WaitForFinal(backend, "run-1");

  CHECK(Phases(updates) ==
        std::vector<RunPhase>{RunPhase::kPending, RunPhase::kRunning, RunPhase::kSucceeded});
  CHECK(ReadFile(root.Path() + "/run-1/stdout.log") == "hello\n");
  CHECK(ReadFile(root.Path() + "/run-1/stderr.log") == "err\n");
}

std::vector<std::string> Texts(const std::vector<LogLine>& lines) {
  std::vector<std::string> texts;
  for (const LogLine& line : lines) texts.push_back(line.line);
  return texts;
}

TEST_CASE("LocalBackend serves a run's logs by run id and by job id", "[local_backend]") {
  TempDir root;
  LocalBackend backend({.work_root = root.Path()});
  REQUIRE(backend.Start(Shell("run-1", "echo one; echo two; echo oops >&2; printf tail")).ok());
  WaitForFinal(backend, "run-1");

  const std::vector<std::string> all = {"one", "two", "tail", "oops"};
  absl::StatusOr<std::vector<LogLine>> by_run = backend.Logs({.run_id = "run-1"});
  REQUIRE(by_run.ok());
  CHECK(Texts(*by_run) == all);
  CHECK(by_run->front().timestamp.empty());
  absl::StatusOr<std::vector<LogLine>> by_job = backend.Logs({.job_id = "job-run-1"});
  REQUIRE(by_job.ok());
  CHECK(Texts(*by_job) == all);

  SECTION("tail_lines keeps the last lines") {
    absl::StatusOr<std::vector<LogLine>> tail = backend.Logs({.run_id = "run-1", .tail_lines = 2});
    REQUIRE(tail.ok());
    CHECK(Texts(*tail) == std::vector<std::string>{"tail", "oops"});
  }
  SECTION("limit_bytes drops the lines past the limit, never half a line") {
    absl::StatusOr<std::vector<LogLine>> head =
        backend.Logs({.run_id = "run-1", .limit_bytes = 9});  // "one\ntwo\nt"
    REQUIRE(head.ok());
    CHECK(Texts(*head) == std::vector<std::string>{"one", "two"});
  }
  SECTION("the logs outlive Forget until the retention") {
    backend.Forget("run-1");
    absl::StatusOr<std::vector<LogLine>> after = backend.Logs({.run_id = "run-1"});
    REQUIRE(after.ok());
    CHECK(Texts(*after) == all);
  }
  SECTION("unknown runs and jobs are kNotFound; paths are not run ids") {
    CHECK(absl::IsNotFound(backend.Logs({.run_id = "run-2"}).status()));
    CHECK(absl::IsNotFound(backend.Logs({.job_id = "job-run-2"}).status()));
    CHECK(absl::IsInvalidArgument(backend.Logs({.run_id = "../run-1"}).status()));
    CHECK(absl::IsInvalidArgument(backend.Logs({.run_id = ".."}).status()));
  }
}

TEST_CASE("LocalBackend gives the job its environment", "[local_backend]") {
  TempDir root;
  REQUIRE(::setenv("ARMADA_LOCAL_BACKEND_TEST_LEAK", "leaked", 1) == 0);
  LocalBackend backend({.work_root = root.Path()});
  RunSpec spec = Shell("run-1",
                       "echo FOO=$FOO; echo JOB=$ARMADA_JOB_ID; echo RUN=$ARMADA_RUN_ID; "
                       "echo QUEUE=$ARMADA_QUEUE; echo JOBSET=$ARMADA_JOB_SET_ID; echo HOME=$HOME; "
                       "echo LEAK=$ARMADA_LOCAL_BACKEND_TEST_LEAK; echo STDIN=$(cat)");
  spec.env = {{"FOO", "first"}, {"ARMADA_JOB_ID", "spoofed"}, {"FOO", "second"}};
  REQUIRE(backend.Start(spec).ok());

  CHECK(WaitForFinal(backend, "run-1").back().phase == RunPhase::kSucceeded);

  CHECK(ReadFile(root.Path() + "/run-1/stdout.log") ==
        absl::StrCat("FOO=second\nJOB=job-run-1\nRUN=run-1\nQUEUE=queue-a\nJOBSET=set-1\nHOME=",
                     root.Path(), "/run-1\nLEAK=\nSTDIN=\n"));
  ::unsetenv("ARMADA_LOCAL_BACKEND_TEST_LEAK");
}

TEST_CASE("LocalBackend runs the job in its working directory", "[local_backend]") {
  TempDir root;
  LocalBackend backend({.work_root = root.Path()});

  SECTION("the container's workingDir when set") {
    const std::string dir = root.Path() + "/elsewhere";
    REQUIRE(fs::create_directory(dir));
    RunSpec spec = Spec("run-1", {"pwd", "-P"});
    spec.working_dir = dir;
    REQUIRE(backend.Start(spec).ok());
    CHECK(WaitForFinal(backend, "run-1").back().phase == RunPhase::kSucceeded);
    CHECK(ReadFile(root.Path() + "/run-1/stdout.log") == fs::canonical(dir).string() + "\n");
  }
  SECTION("the run directory otherwise") {
    REQUIRE(backend.Start(Spec("run-1", {"pwd", "-P"})).ok());
    CHECK(WaitForFinal(backend, "run-1").back().phase == RunPhase::kSucceeded);
    CHECK(ReadFile(root.Path() + "/run-1/stdout.log") ==
          fs::canonical(root.Path() + "/run-1").string() + "\n");
  }
}

TEST_CASE("LocalBackend stops runs", "[local_backend]") {
  TempDir root;
  LocalBackend backend({.work_root = root.Path()});

  SECTION("Cancel terminates the process group") {
    REQUIRE(backend.Start(Spec("run-1", {"sleep", "30"})).ok());
    CHECK(backend.ActiveRunIds() == std::vector<std::string>{"run-1"});
    backend.Cancel("run-1");
    backend.Cancel("run-1");    // idempotent
    backend.Cancel("unknown");  // no-op

    const std::vector<RunUpdate> updates = WaitForFinal(backend, "run-1");

    CHECK(updates.back().phase == RunPhase::kFailed);
    CHECK(updates.back().reason == "cancelled");
    CHECK(updates.back().exit_code == 128 + SIGTERM);
    CHECK(backend.ActiveRunIds().empty());
    backend.Cancel("run-1");  // finished: no-op, no further update
    CHECK(backend.Poll().empty());
  }
  SECTION("a process ignoring SIGTERM gets SIGKILL after the grace period") {
    RunSpec spec = Shell("run-1", "trap '' TERM; echo ready; while :; do sleep 0.1; done");
    spec.termination_grace_seconds = 1;
    REQUIRE(backend.Start(spec).ok());
    WaitForFileContaining(root.Path() + "/run-1/stdout.log", "ready");
    backend.Cancel("run-1");

    const std::vector<RunUpdate> updates = WaitForFinal(backend, "run-1");

    CHECK(updates.back().phase == RunPhase::kFailed);
    CHECK(updates.back().reason == "cancelled");
    CHECK(updates.back().exit_code == 128 + SIGKILL);
  }
  SECTION("the active deadline terminates the run") {
    RunSpec spec = Spec("run-1", {"sleep", "30"});
    spec.active_deadline_seconds = 1;
    REQUIRE(backend.Start(spec).ok());

    const std::vector<RunUpdate> updates = WaitForFinal(backend, "run-1");

    CHECK(updates.back().phase == RunPhase::kFailed);
    CHECK(updates.back().reason == "active deadline 1s exceeded");
    CHECK(updates.back().exit_code == 128 + SIGTERM);
  }
  SECTION("processes left in the group are killed when the main process exits") {
    REQUIRE(backend.Start(Shell("run-1", "sleep 30 & echo $!")).ok());

    CHECK(WaitForFinal(backend, "run-1").back().phase == RunPhase::kSucceeded);

    const pid_t sleeper = std::stoi(ReadFile(root.Path() + "/run-1/stdout.log"));
    WaitUntilDead(sleeper);
  }
}

TEST_CASE("LocalBackend kills and reaps live processes when destroyed", "[local_backend]") {
  TempDir root;
  pid_t pid = 0;
  {
    LocalBackend backend({.work_root = root.Path()});
    REQUIRE(backend.Start(Shell("run-1", "echo $$; exec sleep 30")).ok());
    const std::string out = WaitForFileContaining(root.Path() + "/run-1/stdout.log", "\n");
    pid = std::stoi(out);
  }
  // Reaped, not a zombie: the pid is gone.
  CHECK(::kill(pid, 0) == -1);
  CHECK(errno == ESRCH);
}

TEST_CASE("LocalBackend rejects bad specs", "[local_backend]") {
  TempDir root;
  LocalBackend backend({.work_root = root.Path()});

  SECTION("a run id already known") {
    REQUIRE(backend.Start(Spec("run-1", {"sleep", "30"})).ok());
    CHECK(backend.Start(Spec("run-1", {"true"})).code() == absl::StatusCode::kAlreadyExists);
    backend.Cancel("run-1");
    WaitForFinal(backend, "run-1");
    CHECK(backend.Start(Spec("run-1", {"true"})).code() == absl::StatusCode::kAlreadyExists);
  }
  SECTION("an empty command") {
    CHECK(backend.Start(Spec("run-1", {})).code() == absl::StatusCode::kInvalidArgument);
    CHECK(backend.Start(Spec("run-1", {""})).code() == absl::StatusCode::kInvalidArgument);
  }
  SECTION("a run id that is not a plain directory name") {
    for (const std::string id : {"", ".", "..", "../escape", "a/b"}) {
      INFO("run_id=" << id);
      CHECK(backend.Start(Spec(id, {"true"})).code() == absl::StatusCode::kInvalidArgument);
    }
  }
  SECTION("an env name containing '='") {
    RunSpec spec = Spec("run-1", {"true"});
    spec.env = {{"A=B", "c"}};
    CHECK(backend.Start(spec).code() == absl::StatusCode::kInvalidArgument);
  }
  SECTION("a negative grace period") {
    RunSpec spec = Spec("run-1", {"true"});
    spec.termination_grace_seconds = -1;
    CHECK(backend.Start(spec).code() == absl::StatusCode::kInvalidArgument);
  }
  // Rejected runs leave nothing behind.
  CHECK(backend.Poll().empty());
}

TEST_CASE("LocalBackend removes finished runs after the log retention", "[local_backend]") {
  TempDir root;

  SECTION("zero retention removes the directory once the run ends") {
    LocalBackend backend({.work_root = root.Path(), .log_retention = absl::ZeroDuration()});
    REQUIRE(backend.Start(Spec("run-1", {"true"})).ok());
    CHECK(WaitForFinal(backend, "run-1").back().phase == RunPhase::kSucceeded);
    CHECK_FALSE(fs::exists(root.Path() + "/run-1"));
    // The id is forgotten with its directory.
    CHECK(backend.Start(Spec("run-1", {"true"})).ok());
    WaitForFinal(backend, "run-1");
  }
  SECTION("the default retention keeps it") {
    LocalBackend backend({.work_root = root.Path()});
    REQUIRE(backend.Start(Spec("run-1", {"true"})).ok());
    WaitForFinal(backend, "run-1");
    backend.Poll();
    CHECK(fs::exists(root.Path() + "/run-1/stdout.log"));
  }
}

TEST_CASE("LocalBackend can be used from several threads", "[local_backend]") {
  constexpr int kThreads = 4;
  constexpr int kRunsPerThread = 5;
  TempDir root;
  LocalBackend backend({.work_root = root.Path()});

  std::vector<std::thread> starters;
  for (int t = 0; t < kThreads; ++t) {
    starters.emplace_back([&backend, t] {
      for (int i = 0; i < kRunsPerThread; ++i) {
        const std::string id = absl::StrCat("run-", t, "-", i);
        // Catch2 assertions are not thread-safe: check the result on the main thread.
        if (!backend.Start(Shell(id, "exit 0")).ok()) return;
        if (i % 2 == 1) backend.Cancel(id);
      }
    });
  }
  std::map<std::string, std::vector<RunPhase>> phases;
  int finished = 0;
  const absl::Time give_up = absl::Now() + kTimeout;
  while (finished < kThreads * kRunsPerThread && absl::Now() < give_up) {
    for (const RunUpdate& update : backend.Poll()) {
      phases[update.run_id].push_back(update.phase);
      if (IsFinal(update.phase)) ++finished;
    }
    absl::SleepFor(kPollInterval);
  }
  for (std::thread& starter : starters) starter.join();

  REQUIRE(finished == kThreads * kRunsPerThread);
  for (const auto& [id, run_phases] : phases) {
    INFO("run=" << id);
    REQUIRE(run_phases.size() == 3);
    CHECK(run_phases[0] == RunPhase::kPending);
    CHECK(run_phases[1] == RunPhase::kRunning);
    CHECK(IsFinal(run_phases[2]));
  }
  CHECK(backend.ActiveRunIds().empty());
}

}  // namespace
}  // namespace armada::executor

namespace armada::executor {
namespace {

// Polls until no run is active (bounded by kTimeout).
void WaitUntilIdle(Backend& backend) {
  const absl::Time give_up = absl::Now() + kTimeout;
  while (!backend.ActiveRunIds().empty()) {
    backend.Poll();
    REQUIRE(absl::Now() < give_up);
    absl::SleepFor(kPollInterval);
  }
}

// What a SIGKILLed executor leaves behind: the backend is never destroyed, so its processes
// go on (as children of this test process that nobody waits for, like orphans).
// They stay reachable from here, so LeakSanitizer does not count them as leaks.
LocalBackend* Abandoned(const std::string& root) {
  static auto* abandoned = new std::vector<LocalBackend*>();
  abandoned->push_back(new LocalBackend({.work_root = root, .node = {.name = "node-a"}}));
  return abandoned->back();
}

TEST_CASE("LocalBackend adopts the runs of an executor that died", "[local_backend]") {
  TempDir root;
  LocalBackend* dead = Abandoned(root.Path());
  REQUIRE(dead->Start(Shell("run-a", "echo ready; sleep 1; exit 3")).ok());
  REQUIRE(dead->Start(Spec("run-b", {"true"})).ok());
  REQUIRE(dead->Start(Spec("run-c", {"true"})).ok());
  REQUIRE(dead->Start(Spec("run-e", {"sleep", "30"})).ok());
  // Until run-b and run-c have ended (two quick runs: their updates come together).
  const absl::Time give_up = absl::Now() + kTimeout;
  while (dead->ActiveRunIds() != std::vector<std::string>{"run-a", "run-e"}) {
    dead->Poll();
    REQUIRE(absl::Now() < give_up);
    absl::SleepFor(kPollInterval);
  }
  dead->Forget("run-c");  // acknowledged by the server: never reported again
  WaitForFileContaining(root.Path() + "/run-a/stdout.log", "ready");
  // A run whose process ended while no executor watched it, with no exit recorded.
  fs::create_directories(root.Path() + "/run-d");
  std::ofstream(root.Path() + "/run-d/run")
      << "run_id=run-d\njob_id=job-d\nqueue=q\njob_set=s\nnode=node-a\ngrace_seconds=30\n"
         "deadline_seconds=0\nstarted_unix_micros=0\nmonitor_pid=999999999\n"
         "monitor_start_ticks=0\npid=999999999\n";

  LocalBackend backend({.work_root = root.Path(), .node = {.name = "node-a"}});
  auto existing = backend.Recover();
  REQUIRE(existing.ok());
  std::map<std::string, ExistingRun> by_id;
  for (const ExistingRun& run : *existing) by_id[run.run_id] = run;
  REQUIRE(by_id.size() == 4);
  CHECK(by_id.count("run-c") == 0);
  CHECK(by_id["run-a"].last.phase == RunPhase::kRunning);
  CHECK(by_id["run-a"].job_id == "job-run-a");
  CHECK(by_id["run-a"].node_name == "node-a");
  CHECK(by_id["run-b"].last.phase == RunPhase::kSucceeded);
  CHECK(by_id["run-d"].last.phase == RunPhase::kFailed);
  CHECK(by_id["run-d"].last.reason.find("executor restarted") != std::string::npos);
  CHECK(by_id["run-e"].last.phase == RunPhase::kRunning);
  CHECK(backend.ActiveRunIds() == std::vector<std::string>{"run-a", "run-e"});
  CHECK(backend.Start(Spec("run-a", {"true"})).code() == absl::StatusCode::kAlreadyExists);

  SECTION("an adopted run reports how it ends") {
    const std::vector<RunUpdate> updates = WaitForFinal(backend, "run-a");
    CHECK(updates.back().phase == RunPhase::kFailed);
    CHECK(updates.back().reason == "exit code 3");
  }
  SECTION("an adopted run can be cancelled") {
    backend.Cancel("run-e");
    const std::vector<RunUpdate> updates = WaitForFinal(backend, "run-e");
    CHECK(updates.back().cancelled);
    CHECK(updates.back().exit_code == 128 + SIGTERM);
  }
  SECTION("forgotten runs are not recovered again") {
    backend.Forget("run-b");
    backend.Forget("run-d");
    LocalBackend again({.work_root = root.Path(), .node = {.name = "node-a"}});
    auto later = again.Recover();
    REQUIRE(later.ok());
    for (const ExistingRun& run : *later) {
      CHECK(run.run_id != "run-b");
      CHECK(run.run_id != "run-d");
    }
    again.Cancel("run-a");
    again.Cancel("run-e");
    WaitUntilIdle(again);
  }
  backend.Cancel("run-a");
  backend.Cancel("run-e");
  WaitUntilIdle(backend);
}

TEST_CASE("LocalBackend reports its node and refuses others", "[local_backend]") {
  TempDir root;
  LocalBackend backend(
      {.work_root = root.Path(),
       .node = {.name = "node-a", .labels = {{"zone", "z1"}}, .allocatable = {{"cpu", 4000}}}});
  auto nodes = backend.Nodes();
  REQUIRE(nodes.ok());
  REQUIRE(nodes->size() == 1);
  CHECK((*nodes)[0].name == "node-a");
  CHECK((*nodes)[0].labels.at("zone") == "z1");
  RunSpec spec = Spec("run-1", {"true"});
  spec.node_name = "node-b";
  CHECK(backend.Start(spec).code() == absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace armada::executor
