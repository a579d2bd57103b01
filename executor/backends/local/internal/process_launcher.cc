#include "executor/backends/local/internal/process_launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/common/status_macros.h"

namespace armada::executor::local_internal {
namespace {

namespace fs = std::filesystem;

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

// The descriptors the processes start with. All are close-on-exec and >= 3.
struct ChildFds {
  ScopedFd stdin_fd;
  ScopedFd stdout_fd;
  ScopedFd stderr_fd;
  ScopedFd message_read;   // executor end of the message pipe: EOF means the job exec'd
  ScopedFd message_write;  // monitor and job end
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
  fds.message_read = *std::move(read_end);
  fds.message_write = *std::move(write_end);
  return fds;
}

// Everything the monitor and the job need, built before fork: after fork they may only
// make async-signal-safe calls (other threads may hold locks, e.g. malloc's, forever).
struct ChildPlan {
  std::vector<std::string> args;
  std::vector<std::string> env;         // "NAME=value"
  std::vector<std::string> candidates;  // paths to try with execve, in order
  std::string cwd;
  std::string exit_tmp;  // the monitor writes here, then renames to exit_path
  std::string exit_path;
  std::vector<char*> argv;  // null-terminated views of the strings above
  std::vector<char*> envp;
  rlim_t max_fd = kMaxFdsToClose;
};

// Like execvp, but searching the job's PATH rather than the executor's.
std::vector<std::string> ExecCandidates(const std::string& program, const std::string& path) {
  if (program.find('/') != std::string::npos) return {program};
  std::vector<std::string> out;
  for (absl::string_view dir : absl::StrSplit(path, ':')) {
    out.push_back(dir.empty() ? program : absl::StrCat(dir, "/", program));
  }
  return out;
}

ChildPlan MakeChildPlan(const RunSpec& spec, const std::string& dir,
                        const std::vector<std::pair<std::string, std::string>>& env) {
  ChildPlan plan;
  plan.args = spec.command;
  std::string path = "/bin:/usr/bin";  // glibc's default when PATH is unset
  for (const auto& [name, value] : env) {
    if (name == "PATH") path = value;
    plan.env.push_back(absl::StrCat(name, "=", value));
  }
  plan.candidates = ExecCandidates(spec.command[0], path);
  plan.cwd = spec.working_dir.empty() ? dir : spec.working_dir;
  plan.exit_path = ExitFilePath(dir);
  plan.exit_tmp = plan.exit_path + ".tmp";
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

// What the monitor and the job write to the message pipe.
enum class Stage : int { kRedirect, kWorkingDir, kExec, kFork, kJobPid };
struct Message {
  Stage stage;
  int value;  // errno, or the job's pid for kJobPid
};

void Send(int fd, Stage stage, int value) {
  const Message message{stage, value};
  [[maybe_unused]] const ssize_t written = ::write(fd, &message, sizeof(message));
}

[[noreturn]] void ReportAndExit(int fd, Stage stage, int err) {
  Send(fd, stage, err);
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

// Runs in the job process: async-signal-safe calls only. Never returns.
[[noreturn]] void ExecJob(const ChildPlan& plan, const ChildFds& fds) {
  const int message_fd = fds.message_write.Get();
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
    ReportAndExit(message_fd, Stage::kRedirect, errno);
  }
  if (::chdir(plan.cwd.c_str()) != 0) ReportAndExit(message_fd, Stage::kWorkingDir, errno);
  CloseFdsExcept(message_fd, plan.max_fd);
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
  ReportAndExit(message_fd, Stage::kExec, err);
}

// "status=<n>\n" into `buf` without the allocating formatters; returns the length.
size_t FormatStatus(int status, char* buf) {
  static constexpr char kPrefix[] = "status=";
  size_t n = 0;
  for (const char* p = kPrefix; *p != '\0'; ++p) buf[n++] = *p;
  unsigned value = static_cast<unsigned>(status);  // wait statuses are non-negative
  char digits[16];
  size_t count = 0;
  do {
    digits[count++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (count > 0) buf[n++] = digits[--count];
  buf[n++] = '\n';
  return n;
}

// Runs in the monitor process: async-signal-safe calls only. Never returns.
[[noreturn]] void RunMonitor(const ChildPlan& plan, const ChildFds& fds) {
  const int message_fd = fds.message_write.Get();
  // Out of the executor's session: terminal signals and the executor's end spare it.
  ::setsid();
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE}) ::sigaction(sig, &ignore, nullptr);
  const pid_t job = ::fork();
  if (job < 0) ReportAndExit(message_fd, Stage::kFork, errno);
  if (job == 0) ExecJob(plan, fds);
  ::setpgid(job, job);  // the job does this too; whichever runs second fails harmlessly
  Send(message_fd, Stage::kJobPid, job);
  // Hold none of the executor's descriptors, its stdio included: a pipe held open here
  // would keep whoever reads the executor's output waiting until the job ends.
  for (int fd = 0; fd <= 2; ++fd) ::dup2(fds.stdin_fd.Get(), fd);
  if (::close_range(3, ~0U, 0) != 0) {
    for (int fd = 3; static_cast<rlim_t>(fd) < plan.max_fd; ++fd) ::close(fd);
  }
  // WNOWAIT leaves the exited job a zombie: its pid cannot be reused as a process group
  // id yet, so the rest of its group can be killed safely before reaping it.
  siginfo_t info = {};
  while (::waitid(P_PID, job, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
  }
  ::kill(-job, SIGKILL);
  int status = 0;
  while (::waitpid(job, &status, 0) < 0 && errno == EINTR) {
  }
  char buf[32];
  const size_t length = FormatStatus(status, buf);
  const int fd = ::open(plan.exit_tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd >= 0) {
    const bool written = ::write(fd, buf, length) == static_cast<ssize_t>(length);
    ::fsync(fd);
    ::close(fd);
    if (written) ::rename(plan.exit_tmp.c_str(), plan.exit_path.c_str());
  }
  ::_exit(0);
}

std::string StartFailureReason(Stage stage, int err, const std::string& cwd) {
  switch (stage) {
    case Stage::kExec:
      return absl::StrCat("failed to start: ", ErrnoText(err));
    case Stage::kWorkingDir:
      return absl::StrCat("failed to start: working dir ", cwd, ": ", ErrnoText(err));
    case Stage::kFork:
      return absl::StrCat("failed to start: fork: ", ErrnoText(err));
    default:
      return absl::StrCat("failed to start: redirecting stdio: ", ErrnoText(err));
  }
}

void Reap(pid_t pid) {
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

std::string ExitFilePath(const std::string& dir) { return dir + "/exit"; }

std::optional<int> ReadExitStatus(const std::string& dir) {
  std::ifstream in(ExitFilePath(dir));
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  absl::string_view value = line;
  int status = 0;
  if (!absl::ConsumePrefix(&value, "status=") || !absl::SimpleAtoi(value, &status)) {
    return std::nullopt;
  }
  return status;
}

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

absl::StatusOr<Launched> Launch(const RunSpec& spec, const std::string& dir,
                                const std::vector<std::pair<std::string, std::string>>& env) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::ErrnoToStatus(ec.value(), absl::StrCat("create run directory ", dir));
  fs::remove(ExitFilePath(dir), ec);
  ASSIGN_OR_RETURN(ChildFds fds, OpenChildFds(dir));
  const ChildPlan plan = MakeChildPlan(spec, dir, env);
  const pid_t monitor = ::fork();
  if (monitor < 0) return absl::ErrnoToStatus(errno, "fork");
  if (monitor == 0) RunMonitor(plan, fds);
  fds.message_write.Reset();
  Launched launched;
  launched.monitor_pid = monitor;
  std::optional<Message> failure;
  while (true) {
    Message message;
    const ssize_t n = ::read(fds.message_read.Get(), &message, sizeof(message));
    if (n < 0 && errno == EINTR) continue;
    if (n != sizeof(message)) break;  // EOF: the job exec'd (or everyone gave up)
    if (message.stage == Stage::kJobPid) {
      launched.pid = message.value;
    } else {
      failure = message;
    }
  }
  if (failure.has_value()) {
    launched.start_failure = StartFailureReason(failure->stage, failure->value, plan.cwd);
    Reap(monitor);  // it has reaped the job and recorded its exit, or it failed to fork
    return launched;
  }
  if (launched.pid <= 0) {
    Reap(monitor);
    return absl::InternalError("the monitor process ended before starting the job");
  }
  return launched;
}

}  // namespace armada::executor::local_internal
