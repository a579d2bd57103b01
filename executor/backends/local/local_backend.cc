#include "executor/backends/local/local_backend.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "spdlog/spdlog.h"

#include "lib/common/status_macros.h"

namespace armada::executor {
namespace {

namespace fs = std::filesystem;

// Exit code reported when the program could not be started, as shells do.
constexpr int kStartFailedExitCode = 127;
// Used by the fd-closing fallback when close_range(2) is unavailable.
constexpr rlim_t kMaxFdsToClose = 1 << 16;

std::string ErrnoText(int err) { return std::generic_category().message(err); }

// Owns a file descriptor; closes it on destruction.
class ScopedFd {
 public:
  explicit ScopedFd(int fd = -1) : fd_(fd) {}
  ScopedFd(ScopedFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ScopedFd& operator=(ScopedFd&& other) noexcept {
    Reset(std::exchange(other.fd_, -1));
    return *this;
  }
  ~ScopedFd() { Reset(); }
  int Get() const { return fd_; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

// Takes ownership of the close-on-exec `fd` and moves it to a number >= 3, so that the
// child's dup2 onto 0-2 cannot clobber it (the executor's own stdio may be closed).
absl::StatusOr<ScopedFd> AboveStdio(int fd, const std::string& what) {
  if (fd > 2) return ScopedFd(fd);
  const int raised = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  const int err = errno;
  ::close(fd);
  if (raised < 0) return absl::ErrnoToStatus(err, what);
  return ScopedFd(raised);
}

absl::StatusOr<ScopedFd> Open(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("open ", path));
  return AboveStdio(fd, path);
}

// The descriptors the child starts with. All are close-on-exec and >= 3.
struct ChildFds {
  ScopedFd stdin_fd;
  ScopedFd stdout_fd;
  ScopedFd stderr_fd;
  ScopedFd error_read;   // parent end of the exec error pipe: EOF means exec succeeded
  ScopedFd error_write;  // child end
};

absl::StatusOr<ChildFds> OpenChildFds(const std::string& dir) {
  constexpr int kLogFlags = O_WRONLY | O_CREAT | O_TRUNC;
  ChildFds fds;
  ASSIGN_OR_RETURN(fds.stdin_fd, Open("/dev/null", O_RDONLY));
  ASSIGN_OR_RETURN(fds.stdout_fd, Open(dir + "/stdout.log", kLogFlags));
  ASSIGN_OR_RETURN(fds.stderr_fd, Open(dir + "/stderr.log", kLogFlags));
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe2");
  absl::StatusOr<ScopedFd> read_end = AboveStdio(pipe_fds[0], "pipe2");
  absl::StatusOr<ScopedFd> write_end = AboveStdio(pipe_fds[1], "pipe2");
  RETURN_IF_ERROR(read_end.status());
  RETURN_IF_ERROR(write_end.status());
  fds.error_read = *std::move(read_end);
  fds.error_write = *std::move(write_end);
  return fds;
}

// Everything the child needs, built before fork: after fork the child may only make
// async-signal-safe calls (other threads may hold locks, e.g. malloc's, forever).
struct ChildPlan {
  std::vector<std::string> args;
  std::vector<std::string> env;         // "NAME=value"
  std::vector<std::string> candidates;  // paths to try with execve, in order
  std::string cwd;
  std::vector<char*> argv;  // null-terminated views of the strings above
  std::vector<char*> envp;
  rlim_t max_fd = kMaxFdsToClose;
};

// PATH and LANG from the executor, HOME, the container env (later wins), then the
// ARMADA_* variables, which the job cannot override.
std::vector<std::pair<std::string, std::string>> BuildEnv(const RunSpec& spec,
                                                          const std::string& home) {
  std::vector<std::pair<std::string, std::string>> vars;
  auto set = [&vars](const std::string& name, const std::string& value) {
    for (auto& var : vars) {
      if (var.first == name) {
        var.second = value;
        return;
      }
    }
    vars.emplace_back(name, value);
  };
  for (const char* name : {"PATH", "LANG"}) {
    if (const char* value = std::getenv(name)) set(name, value);
  }
  set("HOME", home);
  for (const auto& [name, value] : spec.env) set(name, value);
  set("ARMADA_JOB_ID", spec.job_id);
  set("ARMADA_RUN_ID", spec.run_id);
  set("ARMADA_QUEUE", spec.queue);
  set("ARMADA_JOB_SET_ID", spec.job_set);
  return vars;
}

// Like execvp, but searching the job's PATH rather than the executor's.
std::vector<std::string> ExecCandidates(const std::string& program, const std::string& path) {
  if (program.find('/') != std::string::npos) return {program};
  std::vector<std::string> out;
  for (absl::string_view dir : absl::StrSplit(path, ':')) {
    out.push_back(dir.empty() ? program : absl::StrCat(dir, "/", program));
  }
  return out;
}

ChildPlan MakeChildPlan(const RunSpec& spec, const std::string& dir) {
  ChildPlan plan;
  plan.args = spec.command;
  std::string path = "/bin:/usr/bin";  // glibc's default when PATH is unset
  for (const auto& [name, value] : BuildEnv(spec, dir)) {
    if (name == "PATH") path = value;
    plan.env.push_back(absl::StrCat(name, "=", value));
  }
  plan.candidates = ExecCandidates(spec.command[0], path);
  plan.cwd = spec.working_dir.empty() ? dir : spec.working_dir;
  for (std::string& arg : plan.args) plan.argv.push_back(arg.data());
  plan.argv.push_back(nullptr);
  for (std::string& var : plan.env) plan.envp.push_back(var.data());
  plan.envp.push_back(nullptr);
  struct rlimit limit;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    plan.max_fd = std::min(limit.rlim_cur, kMaxFdsToClose);
  }
  return plan;
}

// What the child writes to the error pipe when it cannot exec.
enum class ChildStage : int { kRedirect, kWorkingDir, kExec };
struct ChildError {
  ChildStage stage;
  int err;
};

[[noreturn]] void ReportAndExit(int error_fd, ChildStage stage, int err) {
  const ChildError error{stage, err};
  [[maybe_unused]] const ssize_t written = ::write(error_fd, &error, sizeof(error));
  ::_exit(kStartFailedExitCode);
}

void CloseFdsExcept(int keep, rlim_t max_fd) {
  const bool low_closed = keep == 3 || ::close_range(3, keep - 1, 0) == 0;
  const bool high_closed = ::close_range(keep + 1, ~0U, 0) == 0;
  if (low_closed && high_closed) return;
  for (int fd = 3; static_cast<rlim_t>(fd) < max_fd; ++fd) {
    if (fd != keep) ::close(fd);
  }
}

// Runs in the forked child: async-signal-safe calls only. Never returns.
[[noreturn]] void ExecChild(const ChildPlan& plan, const ChildFds& fds) {
  const int error_fd = fds.error_write.Get();
  ::setpgid(0, 0);
  // Ignored signals stay ignored across exec; the job gets the defaults instead.
  struct sigaction default_action = {};
  default_action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &default_action, nullptr);
  sigset_t no_signals;
  ::sigemptyset(&no_signals);
  ::sigprocmask(SIG_SETMASK, &no_signals, nullptr);
  if (::dup2(fds.stdin_fd.Get(), 0) < 0 || ::dup2(fds.stdout_fd.Get(), 1) < 0 ||
      ::dup2(fds.stderr_fd.Get(), 2) < 0) {
    ReportAndExit(error_fd, ChildStage::kRedirect, errno);
  }
  if (::chdir(plan.cwd.c_str()) != 0) ReportAndExit(error_fd, ChildStage::kWorkingDir, errno);
  CloseFdsExcept(error_fd, plan.max_fd);
  // The same search rules as glibc's execvp: keep looking past missing files, remember
  // EACCES, stop at any other error.
  int err = ENOENT;
  for (const std::string& path : plan.candidates) {
    ::execve(path.c_str(), plan.argv.data(), plan.envp.data());
    if (errno == EACCES) {
      err = EACCES;
    } else if (errno != ENOENT && errno != ENOTDIR && errno != ESTALE && errno != ENODEV &&
               errno != ETIMEDOUT) {
      err = errno;
      break;
    }
  }
  ReportAndExit(error_fd, ChildStage::kExec, err);
}

std::string StartFailureReason(const ChildError& error, const std::string& cwd) {
  switch (error.stage) {
    case ChildStage::kExec:
      return absl::StrCat("failed to start: ", ErrnoText(error.err));
    case ChildStage::kWorkingDir:
      return absl::StrCat("failed to start: working dir ", cwd, ": ", ErrnoText(error.err));
    default:
      return absl::StrCat("failed to start: redirecting stdio: ", ErrnoText(error.err));
  }
}

struct Launched {
  pid_t pid = -1;
  std::string start_failure;  // non-empty if the program could not be started (child reaped)
};

// Creates the run directory and the process, and waits until it has exec'd or failed to.
absl::StatusOr<Launched> Launch(const RunSpec& spec, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::ErrnoToStatus(ec.value(), absl::StrCat("create run directory ", dir));
  ASSIGN_OR_RETURN(ChildFds fds, OpenChildFds(dir));
  const ChildPlan plan = MakeChildPlan(spec, dir);
  const pid_t pid = ::fork();
  if (pid < 0) return absl::ErrnoToStatus(errno, "fork");
  if (pid == 0) ExecChild(plan, fds);
  // The child does this too; whichever runs second fails harmlessly.
  ::setpgid(pid, pid);
  fds.error_write.Reset();
  ChildError error;
  ssize_t n;
  do {
    n = ::read(fds.error_read.Get(), &error, sizeof(error));
  } while (n < 0 && errno == EINTR);
  Launched launched;
  launched.pid = pid;
  if (n == sizeof(error)) {
    launched.start_failure = StartFailureReason(error, plan.cwd);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  return launched;
}

bool HasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

absl::Status ValidateSpec(const RunSpec& spec) {
  const std::string& id = spec.run_id;
  if (id.empty() || id == "." || id == ".." || id.find('/') != id.npos || HasNul(id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("run \"", id, "\": run_id must be usable as a directory name"));
  }
  const std::string prefix = absl::StrCat("run ", id, ": ");
  if (spec.command.empty() || spec.command[0].empty()) {
    return absl::InvalidArgumentError(absl::StrCat(prefix, "command is empty"));
  }
  if (spec.termination_grace_seconds < 0 || spec.active_deadline_seconds < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, "termination_grace_seconds and active_deadline_seconds must be >= 0"));
  }
  for (size_t i = 0; i < spec.command.size(); ++i) {
    if (HasNul(spec.command[i])) {
      return absl::InvalidArgumentError(absl::StrCat(prefix, "command[", i, "] contains NUL"));
    }
  }
  for (size_t i = 0; i < spec.env.size(); ++i) {
    const auto& [name, value] = spec.env[i];
    if (name.empty() || name.find('=') != name.npos || HasNul(name) || HasNul(value)) {
      return absl::InvalidArgumentError(absl::StrCat(
          prefix, "env[", i, "] \"", name, "\": name must be non-empty without '=' or NUL"));
    }
  }
  return absl::OkStatus();
}

struct Ending {
  int exit_code;
  std::string reason;
};

Ending DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) {
    return {WEXITSTATUS(status), absl::StrCat("exit code ", WEXITSTATUS(status))};
  }
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* abbrev = ::sigabbrev_np(sig);
    return {128 + sig, absl::StrCat("killed by signal ", sig, " (",
                                    abbrev ? absl::StrCat("SIG", abbrev) : "unknown", ")")};
  }
  return {-1, absl::StrCat("unexpected wait status ", status)};
}

std::chrono::steady_clock::time_point SteadyNow() { return std::chrono::steady_clock::now(); }

// HOME and the default cwd must not depend on the executor's cwd. Keeps "" (rejected by Start).
std::string AbsolutePath(const std::string& path) {
  std::error_code ec;
  const fs::path absolute = fs::absolute(path, ec);
  return path.empty() || ec ? path : absolute.string();
}

}  // namespace

LocalBackend::LocalBackend(Options options)
    : work_root_(AbsolutePath(options.work_root)),
      log_retention_(
          absl::ToChronoNanoseconds(std::max(options.log_retention, absl::ZeroDuration()))) {
  spdlog::info(
      "local backend: container images are ignored; jobs run as local processes work_root={}",
      work_root_);
}

LocalBackend::~LocalBackend() {
  absl::MutexLock lock(&mu_);
  int killed = 0;
  for (auto& [id, run] : runs_) {
    if (run.state != State::kRunning) continue;
    ::kill(-run.pid, SIGKILL);
    while (::waitpid(run.pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    ++killed;
  }
  if (killed > 0) spdlog::info("local backend: killed {} live runs at shutdown", killed);
}

absl::Status LocalBackend::Start(const RunSpec& spec) {
  RETURN_IF_ERROR(ValidateSpec(spec));
  if (work_root_.empty()) return absl::FailedPreconditionError("local backend: work_root is empty");
  const std::string dir = (fs::path(work_root_) / spec.run_id).string();
  {
    // Reserve the id, then launch unlocked: exec may be slow and must not block Poll.
    absl::MutexLock lock(&mu_);
    if (runs_.count(spec.run_id) > 0) {
      return absl::AlreadyExistsError(
          absl::StrCat("run ", spec.run_id, ": already known to the local backend"));
    }
    Run& run = runs_[spec.run_id];
    run.spec = spec;
    run.dir = dir;
  }
  absl::StatusOr<Launched> launched = Launch(spec, dir);
  absl::MutexLock lock(&mu_);
  const auto it = runs_.find(spec.run_id);
  assert(it != runs_.end() && it->second.state == State::kStarting);
  if (!launched.ok()) {
    runs_.erase(it);
    return absl::Status(launched.status().code(),
                        absl::StrCat("start run ", spec.run_id, ": ", launched.status().message()));
  }
  Run& run = it->second;
  const SteadyTime now = SteadyNow();
  run.pid = launched->pid;
  run.started_at = now;
  Emit(spec.run_id, RunPhase::kPending, 0, "");
  if (!launched->start_failure.empty()) {
    run.state = State::kFinished;
    run.finished_at = now;
    spdlog::info(
        "local backend: run could not start queue={} jobset={} job={} run={} reason=\"{}\"",
        spec.queue, spec.job_set, spec.job_id, spec.run_id, launched->start_failure);
    Emit(spec.run_id, RunPhase::kFailed, kStartFailedExitCode, launched->start_failure);
    return absl::OkStatus();
  }
  run.state = State::kRunning;
  spdlog::info("local backend: run started queue={} jobset={} job={} run={} pid={}", spec.queue,
               spec.job_set, spec.job_id, spec.run_id, run.pid);
  Emit(spec.run_id, RunPhase::kRunning, 0, "");
  if (!run.stop_reason.empty()) SendStopSignal(run, now);  // cancelled while starting
  return absl::OkStatus();
}

void LocalBackend::Cancel(const std::string& run_id) {
  absl::MutexLock lock(&mu_);
  const auto it = runs_.find(run_id);
  if (it != runs_.end()) RequestStop(it->second, "cancelled", SteadyNow());
}

std::vector<RunUpdate> LocalBackend::Poll() {
  absl::MutexLock lock(&mu_);
  const SteadyTime now = SteadyNow();
  for (auto& [id, run] : runs_) {
    if (run.state != State::kRunning || ReapIfExited(run, now)) continue;
    const int64_t deadline = run.spec.active_deadline_seconds;
    if (deadline > 0 && now - run.started_at >= std::chrono::seconds(deadline)) {
      RequestStop(run, absl::StrCat("active deadline ", deadline, "s exceeded"), now);
    }
    const auto grace = std::chrono::seconds(run.spec.termination_grace_seconds);
    if (run.term_sent_at.has_value() && !run.kill_sent && now - *run.term_sent_at >= grace) {
      spdlog::info(
          "local backend: run still alive after grace, sending SIGKILL job={} run={} pid={}",
          run.spec.job_id, id, run.pid);
      ::kill(-run.pid, SIGKILL);
      run.kill_sent = true;
    }
  }
  RemoveExpiredRuns(now);
  return std::exchange(updates_, {});
}

std::vector<std::string> LocalBackend::ActiveRunIds() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> ids;
  for (const auto& [id, run] : runs_) {
    if (run.state != State::kFinished) ids.push_back(id);
  }
  return ids;
}

void LocalBackend::Emit(const std::string& run_id, RunPhase phase, int exit_code,
                        std::string reason) {
  updates_.push_back(RunUpdate{.run_id = run_id,
                               .phase = phase,
                               .exit_code = exit_code,
                               .reason = std::move(reason),
                               .time = absl::Now()});
}

void LocalBackend::RequestStop(Run& run, std::string reason, SteadyTime now) {
  if (run.state == State::kFinished) return;
  if (run.stop_reason.empty()) run.stop_reason = std::move(reason);
  if (run.state == State::kRunning) SendStopSignal(run, now);
}

void LocalBackend::SendStopSignal(Run& run, SteadyTime now) {
  if (run.term_sent_at.has_value()) return;
  const bool kill_now = run.spec.termination_grace_seconds == 0;
  spdlog::info("local backend: stopping run job={} run={} pid={} reason=\"{}\" signal={}",
               run.spec.job_id, run.spec.run_id, run.pid, run.stop_reason,
               kill_now ? "SIGKILL" : "SIGTERM");
  ::kill(-run.pid, kill_now ? SIGKILL : SIGTERM);
  run.term_sent_at = now;
  run.kill_sent = kill_now;
}

bool LocalBackend::ReapIfExited(Run& run, SteadyTime now) {
  // WNOWAIT leaves the exited leader a zombie: its pid cannot be reused as a process group
  // id yet, so the rest of its group can be killed safely before reaping it.
  siginfo_t info = {};
  int rc;
  do {
    rc = ::waitid(P_PID, run.pid, &info, WEXITED | WNOHANG | WNOWAIT);
  } while (rc < 0 && errno == EINTR);
  if (rc == 0 && info.si_pid == 0) return false;  // still running
  if (rc < 0) {
    const std::string reason = absl::StrCat("lost track of process: ", ErrnoText(errno));
    spdlog::error("local backend: cannot wait for run job={} run={} pid={} error=\"{}\"",
                  run.spec.job_id, run.spec.run_id, run.pid, reason);
    Finish(run, -1, reason, now);
    return true;
  }
  ::kill(-run.pid, SIGKILL);
  int status = 0;
  while (::waitpid(run.pid, &status, 0) < 0 && errno == EINTR) {
  }
  const Ending ending = DescribeWaitStatus(status);
  Finish(run, ending.exit_code, ending.reason, now);
  return true;
}

void LocalBackend::Finish(Run& run, int exit_code, const std::string& reason, SteadyTime now) {
  // A run we stopped failed, whatever its exit code: the job did not run to completion.
  const bool stopped = !run.stop_reason.empty();
  const RunPhase phase = stopped || exit_code != 0 ? RunPhase::kFailed : RunPhase::kSucceeded;
  const std::string& final_reason = stopped ? run.stop_reason : reason;
  run.state = State::kFinished;
  run.finished_at = now;
  spdlog::info(
      "local backend: run finished queue={} jobset={} job={} run={} phase={} exit_code={} "
      "reason=\"{}\"",
      run.spec.queue, run.spec.job_set, run.spec.job_id, run.spec.run_id, RunPhaseName(phase),
      exit_code, final_reason);
  Emit(run.spec.run_id, phase, exit_code, final_reason);
}

void LocalBackend::RemoveExpiredRuns(SteadyTime now) {
  for (auto it = runs_.begin(); it != runs_.end();) {
    const Run& run = it->second;
    if (run.state != State::kFinished || now - run.finished_at < log_retention_) {
      ++it;
      continue;
    }
    std::error_code ec;
    fs::remove_all(run.dir, ec);
    if (ec) {
      spdlog::warn("local backend: cannot remove run directory job={} run={} dir={} error=\"{}\"",
                   run.spec.job_id, run.spec.run_id, run.dir, ec.message());
    }
    it = runs_.erase(it);
  }
}

}  // namespace armada::executor
