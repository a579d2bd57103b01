#include "executor/backends/kubernetes/kubernetes_backend.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "spdlog/spdlog.h"

namespace armada::executor::kubernetes {
namespace {

using nlohmann::json;

std::string RunIdOf(const json& pod) {
  return pod.value(json::json_pointer("/metadata/labels/" + std::string(kRunIdLabel)), "");
}

std::unique_ptr<Informer> MakeInformer(KubeClient& client, ResourceRef ref, ListOptions selector,
                                       absl::Duration watch_timeout) {
  return std::make_unique<Informer>(client, Informer::Options{.resource = std::move(ref),
                                                              .selector = std::move(selector),
                                                              .watch_timeout = watch_timeout});
}

}  // namespace

KubernetesBackend::KubernetesBackend(Options options, std::unique_ptr<KubeClient> client,
                                     const common::Clock& clock)
    : options_(std::move(options)),
      client_(std::move(client)),
      clock_(clock),
      nodes_(MakeInformer(
          *client_, {"nodes", ""},
          {.field_selector =
               options_.node_name.empty() ? "" : "metadata.name=" + options_.node_name},
          options_.watch_timeout)),
      our_pods_(MakeInformer(*client_, {"pods", ""}, {.label_selector = kJobIdLabel},
                             options_.watch_timeout)),
      other_pods_(MakeInformer(
          *client_, {"pods", ""},
          {.label_selector = absl::StrCat("!", kJobIdLabel),
           .field_selector =
               options_.node_name.empty() ? "" : "spec.nodeName=" + options_.node_name},
          options_.watch_timeout)),
      worker_(std::make_unique<TaskQueue>()) {}

KubernetesBackend::~KubernetesBackend() { worker_.reset(); }

absl::Status KubernetesBackend::EnsureStarted() const {
  absl::MutexLock lock(&start_mu_);
  if (started_) return absl::OkStatus();
  // Our pods last: Recover and Poll read them, and nodes must be known before Start.
  for (Informer* informer : {nodes_.get(), other_pods_.get(), our_pods_.get()}) {
    if (informer->lists() > 0) continue;  // started by an earlier, partly failed call
    absl::Status status = informer->Start();
    if (!status.ok()) {
      return absl::UnavailableError(
          absl::StrCat("kubernetes backend not synced: ", status.message()));
    }
  }
  started_ = true;
  spdlog::info("kubernetes: watching nodes and pods{}",
               options_.node_name.empty() ? "" : " of node " + options_.node_name);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<BackendNode>> KubernetesBackend::Nodes() const {
  if (absl::Status s = EnsureStarted(); !s.ok()) return s;
  std::map<std::string, model::ResourceList> used;
  for (const auto& [key, pod] : other_pods_->Snapshot()) {
    const std::string node = pod->value("/spec/nodeName"_json_pointer, "");
    if (node.empty() || IsTerminated(*pod)) continue;
    used[node].Add(PodRequests(*pod));
  }
  std::vector<BackendNode> nodes;
  for (const auto& [name, node] : nodes_->Snapshot()) {  // sorted by name
    BackendNode n = NodeFromJson(*node, options_.pool_label);
    if (auto it = used.find(n.name); it != used.end()) n.allocated_by_others = it->second;
    nodes.push_back(std::move(n));
  }
  return nodes;
}

bool KubernetesBackend::OnThisNode(const json& pod) const {
  if (options_.node_name.empty()) return true;
  const json::json_pointer selector("/spec/nodeSelector/" + options_.pod.node_id_label);
  return pod.value("/spec/nodeName"_json_pointer, "") == options_.node_name ||
         pod.value(selector, "") == options_.node_name;
}

absl::StatusOr<std::vector<ExistingRun>> KubernetesBackend::Recover() {
  if (absl::Status s = EnsureStarted(); !s.ok()) return s;
  const absl::Time now = clock_.Now();
  std::vector<ExistingRun> existing;
  absl::MutexLock lock(&mu_);
  for (const auto& [key, pod] : our_pods_->Snapshot()) {
    const std::string run_id = RunIdOf(*pod);
    if (run_id.empty() || runs_.count(run_id) || !OnThisNode(*pod)) continue;
    Run& run = runs_[run_id];
    run.run_id = run_id;
    run.job_id = pod->value(json::json_pointer("/metadata/labels/" + std::string(kJobIdLabel)), "");
    run.ns = pod->value("/metadata/namespace"_json_pointer, "");
    run.pod_name = pod->value("/metadata/name"_json_pointer, "");
    run.grace_seconds = pod->value("/spec/terminationGracePeriodSeconds"_json_pointer, 30);
    run.started_at = now;
    run.created = run.seen = true;
    const PodObservation obs = ObservePod(*pod);
    run.node_name = obs.node_name;
    RunUpdate last = MakeUpdate(run, obs.known_phase ? obs.phase : RunPhase::kPending, obs.reason);
    last.exit_code = obs.exit_code;
    last.cause = obs.cause;
    run.reported = last.phase;
    if (IsFinal(last.phase)) {
      run.final = true;
      run.finished_at = now;
    }
    const json& annotations = pod->value("/metadata/annotations"_json_pointer, json::object());
    if (annotations.contains(kForgottenAnnotation)) {
      run.forgotten = true;  // the server has its end: only clean the pod up
      continue;
    }
    existing.push_back({run.run_id, run.job_id, run.node_name, std::move(last)});
  }
  std::sort(existing.begin(), existing.end(),
            [](const ExistingRun& a, const ExistingRun& b) { return a.run_id < b.run_id; });
  spdlog::info("kubernetes: recovered {} runs from existing pods", existing.size());
  return existing;
}

RunUpdate KubernetesBackend::MakeUpdate(const Run& run, RunPhase phase, std::string reason) const {
  RunUpdate u;
  u.run_id = run.run_id;
  u.phase = phase;
  u.reason = std::move(reason);
  u.node_name = run.node_name;
  u.time = clock_.Now();
  return u;
}

absl::Status KubernetesBackend::Start(const RunSpec& spec) {
  if (spec.run_id.empty()) return absl::InvalidArgumentError("run spec: run_id is empty");
  if (spec.job_id.empty()) return absl::InvalidArgumentError("run spec: job_id is empty");
  if (spec.node_name.empty()) return absl::InvalidArgumentError("run spec: node_name is empty");
  if (absl::Status s = EnsureStarted(); !s.ok()) return s;
  if (!nodes_->Snapshot().count(spec.node_name)) {
    return absl::NotFoundError(
        absl::StrCat("run ", spec.run_id, ": unknown node ", spec.node_name));
  }
  absl::StatusOr<json> pod = BuildPod(spec, options_.pod);
  if (!pod.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("run ", spec.run_id, ": ", pod.status().message()));
  }
  {
    absl::MutexLock lock(&mu_);
    if (runs_.count(spec.run_id)) {
      return absl::AlreadyExistsError(absl::StrCat("run ", spec.run_id, " is already known"));
    }
    Run& run = runs_[spec.run_id];
    run.run_id = spec.run_id;
    run.job_id = spec.job_id;
    run.ns = PodNamespace(spec, options_.pod);
    run.pod_name = PodName(spec.job_id);
    run.node_name = spec.node_name;
    run.grace_seconds = (*pod)["spec"].value("terminationGracePeriodSeconds", int64_t{30});
    run.started_at = clock_.Now();
  }
  spdlog::debug("kubernetes: job={} run={} creating pod {} on node {}", spec.job_id, spec.run_id,
                PodName(spec.job_id), spec.node_name);
  worker_->Post([this, run_id = spec.run_id, pod = *std::move(pod)] { CreatePod(run_id, pod); });
  return absl::OkStatus();
}

void KubernetesBackend::CreatePod(const std::string& run_id, const json& pod) {
  const std::string ns = pod["metadata"]["namespace"];
  const std::string name = pod["metadata"]["name"];
  {
    absl::MutexLock lock(&mu_);
    auto it = runs_.find(run_id);
    if (it == runs_.end() || it->second.final) return;
    if (it->second.cancel_requested) {  // cancelled before its pod existed
      RunUpdate u = MakeUpdate(it->second, RunPhase::kFailed, "cancelled");
      u.cancelled = true;
      Emit(it->second, std::move(u));
      return;
    }
  }
  absl::StatusOr<json> created = client_->CreatePod(ns, pod);
  absl::Status status = created.status();
  if (status.code() == absl::StatusCode::kAlreadyExists) {
    absl::StatusOr<json> existing = client_->GetPod(ns, name);
    if (existing.ok() && RunIdOf(*existing) == run_id) status = absl::OkStatus();  // a retry's
  }
  absl::MutexLock lock(&mu_);
  auto it = runs_.find(run_id);
  if (it == runs_.end() || it->second.final) return;
  Run& run = it->second;
  if (status.ok()) {
    run.created = true;
    run.started_at = clock_.Now();
    Emit(run, MakeUpdate(run, RunPhase::kPending, "pod created"));
    if (run.cancel_requested) {
      RunUpdate u = MakeUpdate(run, RunPhase::kFailed, "cancelled");
      u.cancelled = true;
      Terminate(
          run, std::move(u), run.grace_seconds,
          clock_.Now() + absl::Seconds(run.grace_seconds) + options_.stuck_terminating_timeout);
    }
    return;
  }
  spdlog::warn("kubernetes: run={} {}", run_id, status.ToString());
  const bool invalid = status.code() == absl::StatusCode::kInvalidArgument;
  Emit(run, MakeUpdate(run, invalid ? RunPhase::kFailed : RunPhase::kReturned,
                       absl::StrCat("pod not created: ", status.message())));
}

void KubernetesBackend::DeletePod(const std::string& run_id, const std::string& ns,
                                  const std::string& name, std::optional<int64_t> grace) {
  absl::Status status = client_->DeletePod(ns, name, grace);
  if (status.ok() || status.code() == absl::StatusCode::kNotFound) return;
  spdlog::warn("kubernetes: run={} {}; retrying", run_id, status.ToString());
  absl::MutexLock lock(&mu_);
  auto it = runs_.find(run_id);
  if (it != runs_.end()) it->second.delete_in_flight = false;  // Poll asks again
}

void KubernetesBackend::Emit(Run& run, RunUpdate update) {
  spdlog::debug("kubernetes: run={} {} {}", run.run_id, RunPhaseName(update.phase), update.reason);
  run.reported = update.phase;
  if (IsFinal(update.phase)) {
    run.final = true;
    run.finished_at = clock_.Now();
  }
  updates_.push_back(std::move(update));
}

void KubernetesBackend::Terminate(Run& run, RunUpdate on_gone, std::optional<int64_t> grace,
                                  absl::Time deadline) {
  run.on_gone = std::move(on_gone);
  run.deadline = deadline;
  run.delete_in_flight = true;
  worker_->Post([this, id = run.run_id, ns = run.ns, name = run.pod_name, grace] {
    DeletePod(id, ns, name, grace);
  });
}

void KubernetesBackend::Cancel(const std::string& run_id) {
  absl::MutexLock lock(&mu_);
  auto it = runs_.find(run_id);
  if (it == runs_.end() || it->second.final || it->second.cancel_requested) return;
  Run& run = it->second;
  run.cancel_requested = true;
  if (!run.created || run.on_gone) return;  // CreatePod or the pending deletion handles it
  RunUpdate u = MakeUpdate(run, RunPhase::kFailed, "cancelled");
  u.cancelled = true;
  spdlog::debug("kubernetes: run={} cancelling: deleting pod {}/{}", run_id, run.ns, run.pod_name);
  Terminate(run, std::move(u), run.grace_seconds,
            clock_.Now() + absl::Seconds(run.grace_seconds) + options_.stuck_terminating_timeout);
}

void KubernetesBackend::Forget(const std::string& run_id) {
  Cancel(run_id);
  absl::MutexLock lock(&mu_);
  auto it = runs_.find(run_id);
  if (it == runs_.end() || it->second.forgotten) return;
  Run& run = it->second;
  run.forgotten = true;
  if (!run.created) return;
  worker_->Post([this, id = run_id, ns = run.ns, name = run.pod_name] {
    json patch = {{"metadata", {{"annotations", {{kForgottenAnnotation, "true"}}}}}};
    absl::StatusOr<json> patched = client_->PatchPod(ns, name, patch);
    if (!patched.ok() && patched.status().code() != absl::StatusCode::kNotFound) {
      spdlog::warn("kubernetes: run={} {}", id, patched.status().ToString());
    }
  });
}

namespace {

// A DNS label, as Kubernetes names pods and namespaces: nothing that could reshape the path.
bool IsDnsLabel(const std::string& s) {
  return !s.empty() && s.size() <= 253 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  }) && s.find("..") == std::string::npos;
}

// What the pod log API is asked for so that `limit_bytes` of text survive: its limitBytes
// counts the "<time> " prefixes too (31 bytes a line from a kubelet), so ask for twice the
// text and some, and cut exactly here. At least 1: the API rejects 0.
int64_t ServerLimitBytes(int64_t limit_bytes) {
  if (limit_bytes <= 0) return 1;
  if (limit_bytes > (int64_t{1} << 40)) return 0;  // no limit asked
  return 2 * limit_bytes + 4096;
}

// The "<RFC 3339 time> <text>" lines of the pod log API (timestamps=true) as LogLines, times
// in UTC with nine fraction digits. Keeps only lines stamped after `since` and at most
// `limit_bytes` of text (newlines counted); a line without a time keeps all of its text.
// `truncated`: the server cut the body at its limit, so a last line without '\n' is partial.
std::vector<LogLine> ParsePodLog(const std::string& body, absl::Time since, int64_t limit_bytes,
                                 bool truncated) {
  std::vector<absl::string_view> texts = absl::StrSplit(body, '\n');
  texts.pop_back();  // after the last newline: "" or a line the server cut short
  if (!truncated && !body.empty() && body.back() != '\n') {
    texts.push_back(absl::string_view(body).substr(body.rfind('\n') + 1));  // no '\n' yet
  }
  std::vector<LogLine> lines;
  int64_t used = 0;
  for (absl::string_view text : texts) {
    LogLine line;
    const size_t space = text.find(' ');
    absl::Time at;
    std::string error;
    if (space != absl::string_view::npos &&
        absl::ParseTime(absl::RFC3339_full, std::string(text.substr(0, space)), &at, &error)) {
      if (at <= since) continue;  // the API's sinceTime includes its own second
      line.timestamp = absl::FormatTime("%Y-%m-%dT%H:%M:%E9SZ", at, absl::UTCTimeZone());
      line.line = std::string(text.substr(space + 1));
    } else {
      line.line = std::string(text);
    }
    used += static_cast<int64_t>(line.line.size()) + 1;
    if (used > limit_bytes) break;
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace

absl::StatusOr<std::vector<LogLine>> KubernetesBackend::Logs(const LogQuery& query) const {
  std::string job_id = query.job_id;
  std::string ns = query.pod_namespace;
  {
    absl::MutexLock lock(&mu_);
    const Run* known = nullptr;
    if (!query.run_id.empty()) {
      if (auto it = runs_.find(query.run_id); it != runs_.end()) known = &it->second;
    } else {
      for (const auto& [id, run] : runs_) {  // the job's latest run
        if (run.job_id == job_id && (known == nullptr || run.started_at >= known->started_at)) {
          known = &run;
        }
      }
    }
    if (known != nullptr) {
      job_id = known->job_id;
      if (ns.empty()) ns = known->ns;
    }
  }
  if (query.run_id.empty() && job_id.empty()) {
    return absl::InvalidArgumentError("log query: neither a run id nor a job id");
  }
  if (job_id.empty()) {
    return absl::NotFoundError(
        absl::StrCat("run ", query.run_id, ": not known to this executor (its pod is gone)"));
  }
  if (ns.empty()) ns = PodNamespace(RunSpec{}, options_.pod);
  if (!IsDnsLabel(job_id)) {
    return absl::InvalidArgumentError(absl::StrCat("job id \"", job_id, "\": not a job id"));
  }
  if (!IsDnsLabel(ns)) {
    return absl::InvalidArgumentError(absl::StrCat("namespace \"", ns, "\": not a namespace"));
  }
  const std::string pod = PodName(job_id);
  const int64_t server_limit = ServerLimitBytes(query.limit_bytes);
  absl::StatusOr<std::string> body = client_->PodLog(
      ns, pod, {.since = query.since, .tail_lines = query.tail_lines, .limit_bytes = server_limit});
  if (absl::IsNotFound(body.status())) {
    const std::string who = query.run_id.empty()
                                ? absl::StrCat("job ", job_id)
                                : absl::StrCat("run ", query.run_id, " of job ", job_id);
    return absl::NotFoundError(absl::StrCat(who, ": pod ", ns, "/", pod,
                                            " no longer exists (likely cleaned up after the job "
                                            "finished), and its log with it"));
  }
  if (!body.ok()) return body.status();
  const bool truncated = server_limit > 0 && static_cast<int64_t>(body->size()) >= server_limit;
  return ParsePodLog(*body, query.since, query.limit_bytes, truncated);
}

std::vector<std::string> KubernetesBackend::ActiveRunIds() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> ids;
  for (const auto& [id, run] : runs_) {
    if (!run.final) ids.push_back(id);
  }
  return ids;
}

std::vector<RunUpdate> KubernetesBackend::Poll() {
  if (!EnsureStarted().ok()) return {};
  const Informer::Cache pods = our_pods_->Snapshot();
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  for (auto& [id, run] : runs_) Step(run, pods, now);
  CleanUp(pods, now);
  return std::exchange(updates_, {});
}

void KubernetesBackend::Step(Run& run, const Informer::Cache& pods, absl::Time now) {
  if (run.final || !run.created) return;
  const auto it = pods.find(run.ns + "/" + run.pod_name);
  const json* pod =
      it != pods.end() && RunIdOf(*it->second) == run.run_id ? it->second.get() : nullptr;
  if (run.on_gone) {  // being deleted: report once the pod is gone or has ended
    if (pod == nullptr || (run.cancel_requested && IsTerminated(*pod))) {
      Emit(run, *std::move(run.on_gone));
    } else if (now >= run.deadline && !run.force_deleted) {
      spdlog::warn("kubernetes: run={} pod {}/{} stuck terminating; deleting with grace 0",
                   run.run_id, run.ns, run.pod_name);
      run.force_deleted = true;
      worker_->Post([this, id = run.run_id, ns = run.ns, name = run.pod_name] {
        DeletePod(id, ns, name, 0);
      });
      Emit(run, *std::move(run.on_gone));
    } else if (!run.delete_in_flight) {
      Terminate(run, *run.on_gone,
                run.cancel_requested ? std::optional<int64_t>(run.grace_seconds)
                                     : std::optional<int64_t>(0),
                run.deadline);
    }
    return;
  }
  if (pod == nullptr) {
    if (run.seen) {
      const bool was_running = run.reported == RunPhase::kRunning;
      RunUpdate u = MakeUpdate(run, was_running ? RunPhase::kFailed : RunPhase::kReturned,
                               "pod was deleted outside the executor");
      Emit(run, std::move(u));
    } else if (now - run.started_at >= options_.missing_pod_deadline) {
      Emit(run, MakeUpdate(run, RunPhase::kReturned,
                           absl::StrCat("pod never appeared within ",
                                        absl::FormatDuration(options_.missing_pod_deadline))));
    }
    return;
  }
  run.seen = true;
  const PodObservation obs = ObservePod(*pod);
  if (!obs.known_phase) return;
  if (!obs.node_name.empty()) run.node_name = obs.node_name;
  switch (obs.phase) {
    case RunPhase::kPending:
      StepPending(run, obs, now);
      return;
    case RunPhase::kRunning:
      if (run.reported != RunPhase::kRunning) Emit(run, MakeUpdate(run, RunPhase::kRunning, ""));
      return;
    default: {
      if (run.reported != RunPhase::kRunning && obs.started) {
        Emit(run, MakeUpdate(run, RunPhase::kRunning, ""));
      }
      RunUpdate u = MakeUpdate(run, obs.phase, obs.reason);
      u.exit_code = obs.exit_code;
      u.cause = obs.cause;
      Emit(run, std::move(u));
      return;
    }
  }
}

void KubernetesBackend::StepPending(Run& run, const PodObservation& obs, absl::Time now) {
  if (obs.issue != run.issue) {
    run.issue = obs.issue;
    run.issue_since = now;
  }
  const absl::Duration stuck_for = now - run.issue_since;
  absl::Duration deadline = absl::InfiniteDuration();
  switch (obs.issue) {
    case PodIssue::kInvalidImage: {
      RunUpdate u = MakeUpdate(run, RunPhase::kFailed, "invalid image: " + obs.issue_message);
      Terminate(run, std::move(u), 0, now + options_.stuck_terminating_timeout);
      return;
    }
    case PodIssue::kImagePull:
      deadline = options_.image_pull_deadline;
      break;
    case PodIssue::kUnschedulable:
      deadline = options_.unschedulable_deadline;
      break;
    case PodIssue::kStuckStarting:
      deadline = options_.stuck_starting_deadline;
      break;
    default:
      return;
  }
  if (stuck_for < deadline) return;
  RunUpdate u = MakeUpdate(
      run, RunPhase::kReturned,
      absl::StrCat("pod stuck for ", absl::FormatDuration(stuck_for), ": ", obs.issue_message));
  u.run_attempted = obs.started;
  spdlog::info("kubernetes: run={} returning the lease: {}", run.run_id, u.reason);
  Terminate(run, std::move(u), 0, now + options_.stuck_terminating_timeout);
}

void KubernetesBackend::CleanUp(const Informer::Cache& pods, absl::Time now) {
  for (auto it = runs_.begin(); it != runs_.end();) {
    Run& run = it->second;
    if (!run.final || !run.forgotten) {
      ++it;
      continue;
    }
    const auto pod = pods.find(run.ns + "/" + run.pod_name);
    if (pod == pods.end() || RunIdOf(*pod->second) != run.run_id || !run.created) {
      it = runs_.erase(it);  // nothing left to clean up
      continue;
    }
    if (!run.delete_in_flight && now - run.finished_at >= options_.finished_pod_min_age) {
      run.delete_in_flight = true;
      worker_->Post([this, id = run.run_id, ns = run.ns, name = run.pod_name] {
        DeletePod(id, ns, name, std::nullopt);
      });
    }
    ++it;
  }
}

}  // namespace armada::executor::kubernetes
