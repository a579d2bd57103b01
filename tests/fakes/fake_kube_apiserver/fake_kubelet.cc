#include "tests/fakes/fake_kube_apiserver/fake_kubelet.h"

#include <optional>

namespace armada::fakes {
namespace {

using nlohmann::json;

// Shell words of `command` (quotes removed, '\' escapes honoured), split into commands at
// ';', '&&', '||', '|' and newlines. Enough for `echo` lines; not a shell.
std::vector<std::vector<std::string>> ShellCommands(const std::string& script) {
  std::vector<std::vector<std::string>> commands(1);
  std::optional<std::string> word;
  auto end_word = [&] {
    if (word) commands.back().push_back(*std::move(word));
    word.reset();
  };
  auto end_command = [&] {
    end_word();
    if (!commands.back().empty()) commands.emplace_back();
  };
  for (size_t i = 0; i < script.size(); ++i) {
    const char c = script[i];
    if (c == '\'' || c == '"') {
      const size_t close = script.find(c, i + 1);
      const size_t end = close == std::string::npos ? script.size() : close;
      word = word.value_or("") + script.substr(i + 1, end - i - 1);
      i = end;
    } else if (c == '\\' && i + 1 < script.size()) {
      word = word.value_or("") + script[++i];
    } else if (c == ';' || c == '\n' || c == '&' || c == '|') {
      end_command();
      if (i + 1 < script.size() && (c == '&' || c == '|') && script[i + 1] == c) ++i;
    } else if (c == ' ' || c == '\t') {
      end_word();
    } else {
      word = word.value_or("") + c;
    }
  }
  end_command();
  if (commands.back().empty()) commands.pop_back();
  return commands;
}

bool IsEcho(const std::string& program) {
  return program == "echo" || program == "/bin/echo" || program == "/usr/bin/echo";
}

bool IsShell(const std::string& program) {
  const std::string base = program.substr(program.rfind('/') + 1);
  return base == "sh" || base == "bash" || base == "ash" || base == "dash";
}

std::string Join(const std::vector<std::string>& words, size_t from) {
  std::string out;
  for (size_t i = from; i < words.size(); ++i) out += (i > from ? " " : "") + words[i];
  return out;
}

// The lines the container's echo prints, or nullopt when it is no echo.
std::optional<std::vector<std::string>> EchoOutput(const json& container) {
  std::vector<std::string> argv;
  for (const char* key : {"command", "args"}) {
    if (!container.contains(key) || !container[key].is_array()) continue;
    for (const json& arg : container[key]) {
      if (arg.is_string()) argv.push_back(arg.get<std::string>());
    }
  }
  if (argv.empty()) return std::nullopt;
  if (IsEcho(argv[0])) return std::vector<std::string>{Join(argv, 1)};
  if (!IsShell(argv[0]) || argv.size() < 3 || argv[1] != "-c") return std::nullopt;
  std::vector<std::string> lines;
  bool echoed = false;
  for (const std::vector<std::string>& command : ShellCommands(argv[2])) {
    if (!IsEcho(command[0])) continue;
    echoed = true;
    lines.push_back(Join(command, 1));
  }
  if (!echoed) return std::nullopt;
  return lines;
}

constexpr char kTime[] = "2026-01-01T00:00:00Z";

json Scheduled(bool scheduled, const std::string& message = "") {
  json c = {{"type", "PodScheduled"}, {"status", scheduled ? "True" : "False"}};
  if (!scheduled) {
    c["reason"] = "Unschedulable";
    c["message"] = message;
  }
  return json::array({c});
}

json Container(json state, bool ready = false) {
  return json::array({{{"name", "main"},
                       {"image", "busybox:latest"},
                       {"ready", ready},
                       {"restartCount", 0},
                       {"state", std::move(state)}}});
}

}  // namespace

json MakeNode(const std::string& name, const std::map<std::string, std::string>& allocatable,
              const std::map<std::string, std::string>& labels,
              const std::vector<std::vector<std::string>>& taints, bool unschedulable) {
  json l = {{"kubernetes.io/hostname", name}};
  for (const auto& [k, v] : labels) l[k] = v;
  json t = json::array();
  for (const auto& taint : taints) {
    t.push_back({{"key", taint.at(0)}, {"value", taint.at(1)}, {"effect", taint.at(2)}});
  }
  json node = {{"metadata", {{"name", name}, {"labels", l}}},
               {"spec", json::object()},
               {"status",
                {{"allocatable", allocatable},
                 {"capacity", allocatable},
                 {"conditions", json::array({{{"type", "Ready"}, {"status", "True"}}})}}}};
  if (!t.empty()) node["spec"]["taints"] = t;
  if (unschedulable) node["spec"]["unschedulable"] = true;
  return node;
}

json UnschedulableStatus(const std::string& message) {
  return {{"phase", "Pending"}, {"conditions", Scheduled(false, message)}};
}

json WaitingStatus(const std::string& reason, const std::string& message) {
  return {
      {"phase", "Pending"},
      {"conditions", Scheduled(true)},
      {"containerStatuses", Container({{"waiting", {{"reason", reason}, {"message", message}}}})}};
}

json RunningStatus() {
  return {{"phase", "Running"},
          {"conditions", Scheduled(true)},
          {"startTime", kTime},
          {"containerStatuses", Container({{"running", {{"startedAt", kTime}}}}, true)}};
}

json SucceededStatus() {
  return {{"phase", "Succeeded"},
          {"conditions", Scheduled(true)},
          {"containerStatuses",
           Container({{"terminated", {{"exitCode", 0}, {"reason", "Completed"}}}})}};
}

json FailedStatus(int exit_code, const std::string& reason, const std::string& message) {
  json terminated = {{"exitCode", exit_code}, {"reason", reason}};
  if (!message.empty()) terminated["message"] = message;
  return {{"phase", "Failed"},
          {"conditions", Scheduled(true)},
          {"containerStatuses", Container({{"terminated", terminated}})}};
}

json PodFailedStatus(const std::string& reason, const std::string& message) {
  return {{"phase", "Failed"}, {"reason", reason}, {"message", message}};
}

std::vector<std::string> ContainerStartLog(const json& container) {
  if (std::optional<std::vector<std::string>> echoed = EchoOutput(container)) return *echoed;
  return {"fake kubelet: container " + container.value("name", std::string()) + " started"};
}

std::vector<std::string> ContainerExitLog(const json& container, int exit_code) {
  if (EchoOutput(container)) return {};
  return {"fake kubelet: container " + container.value("name", std::string()) +
          " exited with code " + std::to_string(exit_code)};
}

std::string LogTimestamp(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E9SZ", t, absl::UTCTimeZone());
}

}  // namespace armada::fakes
