#include "cli/credentials.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "lib/common/status_macros.h"

extern char** environ;

namespace armada::cli {
namespace {

// `status` with "<key>: " before its message.
absl::Status Prefixed(const std::string& key, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat(key, ": ", status.message()));
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot be read"));
  std::stringstream contents;
  contents << in.rdbuf();
  std::string token(absl::StripAsciiWhitespace(contents.str()));
  if (token.empty()) return absl::UnauthenticatedError(absl::StrCat(path, ": the file is empty"));
  return token;
}

// armadactl's environment with `extra` set on top ("NAME=value" strings).
std::vector<std::string> CommandEnvironment(
    const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const absl::string_view line(*entry);
    bool replaced = false;
    for (const auto& [name, value] : extra) {
      if (absl::StartsWith(line, absl::StrCat(name, "="))) replaced = true;
    }
    if (!replaced) env.emplace_back(line);
  }
  for (const auto& [name, value] : extra) env.push_back(absl::StrCat(name, "=", value));
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

CredentialSources CredentialSources::Real() {
  CredentialSources sources;
  sources.fetch = CurlFetch;
  sources.device_io.out = &std::cerr;
  sources.device_io.sleep = [](absl::Duration d) { absl::SleepFor(d); };
  sources.run_command = RunExecCommand;
  return sources;
}

absl::StatusOr<std::string> RunExecCommand(const ExecAuthConfig& exec) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  if (!exec.interactive) {
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  std::vector<std::string> argv_strings = {exec.cmd};
  argv_strings.insert(argv_strings.end(), exec.args.begin(), exec.args.end());
  std::vector<std::string> env_strings = CommandEnvironment(exec.env);
  std::vector<char*> argv = Pointers(argv_strings);
  std::vector<char*> envp = Pointers(env_strings);
  pid_t pid = 0;
  // posix_spawnp searches PATH when cmd has no '/', and reports an exec failure as its result.
  const int spawned =
      posix_spawnp(&pid, exec.cmd.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (spawned != 0) {
    close(out[0]);
    return absl::FailedPreconditionError(
        absl::StrCat("cannot run ", exec.cmd, ": ", std::strerror(spawned)));
  }
  std::string output;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(out[0], buffer, sizeof buffer);
    if (n > 0) {
      output.append(buffer, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    return absl::UnauthenticatedError(
        absl::StrCat(exec.cmd, " was killed by signal ", WTERMSIG(status)));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::UnauthenticatedError(
        absl::StrCat(exec.cmd, " exited with status ", WEXITSTATUS(status)));
  }
  return output;
}

absl::StatusOr<std::string> TokenFromExecOutput(const std::string& output) {
  const std::string trimmed(absl::StripAsciiWhitespace(output));
  if (trimmed.empty()) return absl::UnauthenticatedError("the command printed no token");
  if (trimmed.front() != '{') return trimmed;
  const nlohmann::json json = nlohmann::json::parse(trimmed, nullptr, false);
  if (!json.is_object() || json.value("kind", nlohmann::json()) != "ExecCredential") {
    return absl::UnauthenticatedError(
        "the command printed JSON that is not a Kubernetes ExecCredential");
  }
  auto status = json.find("status");
  if (status == json.end() || !status->is_object() || !status->contains("token") ||
      !(*status)["token"].is_string() || (*status)["token"].get<std::string>().empty()) {
    return absl::UnauthenticatedError("the command's ExecCredential has no status.token");
  }
  return (*status)["token"].get<std::string>();
}

absl::StatusOr<std::string> Authorization(const AuthConfig& auth,
                                          const CredentialSources& sources) {
  absl::StatusOr<std::string> token;
  switch (auth.kind) {
    case AuthKind::kBasic:
      return absl::StrCat("Basic ",
                          absl::Base64Escape(absl::StrCat(auth.username, ":", auth.password)));
    case AuthKind::kOpenIdPassword:
    case AuthKind::kOpenIdClientCredentials:
    case AuthKind::kOpenIdDevice:
      token = FetchOidcToken(auth, sources.fetch, sources.device_io);
      break;
    case AuthKind::kExec: {
      absl::StatusOr<std::string> output = sources.run_command(auth.exec);
      token = output.ok() ? TokenFromExecOutput(*output) : output.status();
      break;
    }
    case AuthKind::kBearerTokenFile:
      token = ReadTokenFile(auth.token_file);
      break;
    default:
      return absl::UnimplementedError(absl::StrCat(
          auth.key,
          ": not supported by this armadactl (the browser and Kubernetes logins); use "
          "openIdDeviceAuth, openIdPasswordAuth, openIdClientCredentialsAuth, execAuth (e.g. a "
          "token helper), bearerTokenFile or basicAuth"));
  }
  if (!token.ok()) return Prefixed(auth.key, token.status());
  return absl::StrCat("Bearer ", *token);
}

}  // namespace armada::cli
