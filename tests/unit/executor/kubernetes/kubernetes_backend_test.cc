#include "executor/backends/kubernetes/kubernetes_backend.h"

#include <catch2/catch.hpp>

#include "k8s.io/api/core/v1/generated.pb.h"
#include "tests/fakes/fake_kube_apiserver/fake_kubelet.h"
#include "tests/unit/executor/kubernetes/kube_test_util.h"

namespace armada::executor::kubernetes {
namespace {

using nlohmann::json;
using testing::Eventually;
using testing::FakeCluster;

constexpr char kNs[] = "team-a";
constexpr char kPod[] = "armada-job1-0";

// A backend on a fake cluster with nodes node-1 and node-2, on a simulated clock.
struct Harness {
  Harness() { AddNodes(); }

  void AddNodes() {
    store().UpsertNode(fakes::MakeNode("node-1", {{"cpu", "8"}, {"memory", "32Gi"}},
                                       {{"pool", "gpu"}}, {{"dedicated", "ml", "NoSchedule"}}));
    store().UpsertNode(fakes::MakeNode("node-2", {{"cpu", "4"}, {"memory", "16Gi"}}, {}, {},
                                       /*unschedulable=*/true));
  }

  std::unique_ptr<KubernetesBackend> NewBackend() {
    auto client = std::make_unique<KubeClient>(
        std::make_unique<HttpTransport>(KubeConnection{.server = cluster.server.url()}),
        cluster.clock, KubeClientOptions{.qps = 0, .sleep = cluster.sleeps.Fn()});
    KubernetesBackend::Options options;
    options.pool_label = "pool";
    return std::make_unique<KubernetesBackend>(options, std::move(client), clock);
  }

  fakes::FakeKubeStore& store() { return cluster.store(); }
  std::optional<json> Pod() { return store().Object("pods", kNs, kPod); }
  void SetStatus(const json& status) { REQUIRE(store().SetPodStatus(kNs, kPod, status, "node-1")); }

  // Polls until `done` holds for the updates collected so far.
  bool PollUntil(KubernetesBackend& b, const std::function<bool()>& done) {
    return Eventually([&] {
      for (RunUpdate& u : b.Poll()) updates.push_back(std::move(u));
      return done();
    });
  }
  bool PollUntilPhase(KubernetesBackend& b, RunPhase phase) {
    return PollUntil(b, [&] { return !updates.empty() && updates.back().phase == phase; });
  }

  FakeCluster cluster;
  common::SimulatedClock clock;
  std::vector<RunUpdate> updates;
};

RunSpec Spec(const std::string& run_id = "run1") {
  k8s::io::api::core::v1::PodSpec pod_spec;
  auto* c = pod_spec.add_containers();
  c->set_name("main");
  c->set_image("busybox:1.36");
  c->add_command("sleep");
  c->add_args("30");
  auto* spoofed = c->add_env();
  spoofed->set_name("ARMADA_JOB_ID");
  spoofed->set_value("spoofed");
  auto* env = c->add_env();
  env->set_name("GREETING");
  env->set_value("hi");
  (*c->mutable_resources()->mutable_requests())["cpu"].set_string("500m");
  pod_spec.set_terminationgraceperiodseconds(7);
  RunSpec spec;
  spec.run_id = run_id;
  spec.job_id = "job1";
  spec.queue = "q1";
  spec.job_set = "set1";
  spec.owner = "alice";
  spec.node_name = "node-1";
  spec.pod_namespace = kNs;
  spec.labels = {{"team", "research"}};
  spec.annotations = {{"note", "x"}};
  spec.pod_spec = pod_spec.SerializeAsString();
  return spec;
}

std::string Env(const json& container, const std::string& name) {
  for (const json& e : container["env"]) {
    if (e["name"] == name) return e["value"];
  }
  return "<unset>";
}

TEST_CASE("backend reports nodes with taints, pools and foreign usage", "[kubernetes_backend]") {
  Harness h;
  json foreign = testing::Pod("web");
  foreign["spec"]["containers"][0]["resources"]["requests"] = {{"cpu", "1500m"}};
  foreign["spec"]["nodeName"] = "node-1";
  REQUIRE(h.cluster.client->CreatePod("default", foreign).ok());
  auto backend = h.NewBackend();
  auto nodes = backend->Nodes();
  REQUIRE(nodes.ok());
  REQUIRE(nodes->size() == 2);
  const BackendNode& n1 = (*nodes)[0];
  CHECK(n1.name == "node-1");
  CHECK(n1.pool == "gpu");
  CHECK(n1.allocatable.Get("cpu") == 8000);
  CHECK(n1.allocated_by_others.Get("cpu") == 1500);
  REQUIRE(n1.taints.size() == 1);
  CHECK(n1.taints[0].effect == "NoSchedule");
  CHECK_FALSE(n1.unschedulable);
  CHECK((*nodes)[1].unschedulable);
  CHECK(backend
            ->Start([] {
              RunSpec s = Spec();
              s.node_name = "node-9";
              return s;
            }())
            .code() == absl::StatusCode::kNotFound);
}

TEST_CASE("backend creates the pod on the leased node with Armada's metadata",
          "[kubernetes_backend]") {
  Harness h;
  auto backend = h.NewBackend();
  REQUIRE(backend->Start(Spec()).ok());
  CHECK(backend->Start(Spec()).code() == absl::StatusCode::kAlreadyExists);
  REQUIRE(h.PollUntilPhase(*backend, RunPhase::kPending));
  const std::optional<json> pod = h.Pod();
  REQUIRE(pod);
  const json& meta = (*pod)["metadata"];
  CHECK(meta["labels"] == json({{"team", "research"},
                                {"armada_job_id", "job1"},
                                {"armada_job_run_id", "run1"},
                                {"armada_queue_id", "q1"},
                                {"armada_pod_number", "0"},
                                {"armada_pod_count", "1"}}));
  CHECK(meta["annotations"]["armada_jobset_id"] == "set1");
  CHECK(meta["annotations"]["armada_owner"] == "alice");
  CHECK(meta["annotations"]["note"] == "x");
  const json& spec = (*pod)["spec"];
  CHECK(spec["restartPolicy"] == "Never");
  CHECK(spec["nodeSelector"] == json({{"kubernetes.io/hostname", "node-1"}}));
  CHECK(spec["terminationGracePeriodSeconds"] == 7);
  const json& c = spec["containers"][0];
  CHECK(c["command"] == json({"sleep"}));
  CHECK(c["resources"]["requests"]["cpu"] == "500m");
  CHECK(Env(c, "GREETING") == "hi");
  CHECK(Env(c, "ARMADA_JOB_ID") == "job1");
  CHECK(Env(c, "ARMADA_RUN_ID") == "run1");
  CHECK(Env(c, "ARMADA_QUEUE") == "q1");
  CHECK(Env(c, "ARMADA_JOB_SET_ID") == "set1");
  CHECK(backend->ActiveRunIds() == std::vector<std::string>{"run1"});
}

struct FailureCase {
  std::string name;
  json status;
  int exit_code;
  FailureCause cause;
  std::string reason_prefix;
};

const std::vector<FailureCase> kFailures = {
    {"error exit", fakes::FailedStatus(3, "Error"), 3, FailureCause::kError,
     "Error: exit code 3 (container main)"},
    {"oom killed", fakes::FailedStatus(137, "OOMKilled"), 137, FailureCause::kOom, "OOMKilled"},
    {"evicted", fakes::PodFailedStatus("Evicted", "node low on memory"), 0, FailureCause::kEvicted,
     "Evicted: node low on memory"},
    {"deadline", fakes::PodFailedStatus("DeadlineExceeded", "too long"), 0,
     FailureCause::kDeadlineExceeded, "DeadlineExceeded"},
};

TEST_CASE("backend maps pod phases and container statuses to updates", "[kubernetes_backend]") {
  Harness h;
  auto backend = h.NewBackend();
  REQUIRE(backend->Start(Spec()).ok());
  REQUIRE(h.PollUntilPhase(*backend, RunPhase::kPending));
  h.SetStatus(fakes::WaitingStatus("ContainerCreating"));
  h.SetStatus(fakes::RunningStatus());
  REQUIRE(h.PollUntilPhase(*backend, RunPhase::kRunning));
  CHECK(h.updates.back().node_name == "node-1");

  SECTION("succeeded") {
    h.SetStatus(fakes::SucceededStatus());
    REQUIRE(h.PollUntilPhase(*backend, RunPhase::kSucceeded));
    CHECK(h.updates.back().exit_code == 0);
    CHECK(h.updates.size() == 3);
    CHECK(backend->ActiveRunIds().empty());
  }
  SECTION("failed") {
    const FailureCase c = GENERATE(from_range(kFailures));
    DYNAMIC_SECTION(c.name) {
      h.SetStatus(c.status);
      REQUIRE(h.PollUntilPhase(*backend, RunPhase::kFailed));
      const RunUpdate& u = h.updates.back();
      CHECK(u.exit_code == c.exit_code);
      CHECK(u.cause == c.cause);
      CHECK(u.reason.rfind(c.reason_prefix, 0) == 0);
      CHECK_FALSE(u.cancelled);
    }
  }
}

TEST_CASE("backend reads a pod's log through the pod log API", "[kubernetes_backend]") {
  Harness h;
  auto backend = h.NewBackend();
  REQUIRE(backend->Start(Spec()).ok());
  REQUIRE(h.PollUntil(*backend, [&] { return h.Pod().has_value(); }));
  h.SetStatus(fakes::WaitingStatus("ContainerCreating"));
  // The API server's 400 while the container waits is an error naming the container.
  absl::StatusOr<std::vector<LogLine>> waiting = backend->Logs({.run_id = "run1"});
  CHECK(absl::IsInvalidArgument(waiting.status()));
  CHECK_THAT(std::string(waiting.status().message()), Catch::Contains("waiting to start"));

  h.SetStatus(fakes::RunningStatus());
  const absl::Time first = absl::FromUnixSeconds(1'800'000'000);
  REQUIRE(h.store().AppendPodLog(kNs, kPod, {"hello", "two words"}, first));
  REQUIRE(h.store().AppendPodLog(kNs, kPod, {"later"}, first + absl::Seconds(5)));

  // By run id (namespace from the run) and by job id and namespace alike.
  for (const LogQuery& query :
       {LogQuery{.run_id = "run1"}, LogQuery{.job_id = "job1", .pod_namespace = kNs}}) {
    absl::StatusOr<std::vector<LogLine>> lines = backend->Logs(query);
    REQUIRE(lines.ok());
    REQUIRE(lines->size() == 4);
    CHECK((*lines)[0].line == "fake kubelet: container main started");  // `sleep 30` prints none
    CHECK((*lines)[1].line == "hello");
    CHECK((*lines)[2].line == "two words");
    CHECK((*lines)[1].timestamp == "2027-01-15T08:00:00.000000000Z");
    CHECK((*lines)[3].timestamp == "2027-01-15T08:00:05.000000000Z");
  }
  absl::StatusOr<std::vector<LogLine>> since =
      backend->Logs({.run_id = "run1", .since = first + absl::Seconds(1)});
  REQUIRE(since.ok());
  REQUIRE(since->size() == 1);
  CHECK(since->front().line == "later");
  absl::StatusOr<std::vector<LogLine>> tail = backend->Logs({.run_id = "run1", .tail_lines = 2});
  REQUIRE(tail.ok());
  CHECK(tail->size() == 2);
  CHECK(tail->front().line == "two words");

  CHECK(absl::IsNotFound(backend->Logs({.job_id = "job2", .pod_namespace = kNs}).status()));
  // Hostile ids never reach the API server's path.
  CHECK(absl::IsInvalidArgument(backend->Logs({.job_id = "../nodes"}).status()));
  CHECK(
      absl::IsInvalidArgument(backend->Logs({.job_id = "job1", .pod_namespace = "a/b"}).status()));
}

TEST_CASE("backend reads what an echo job printed, after it succeeded", "[kubernetes_backend]") {
  Harness h;
  auto backend = h.NewBackend();
  RunSpec spec = Spec();
  k8s::io::api::core::v1::PodSpec pod_spec;
  REQUIRE(pod_spec.ParseFromString(spec.pod_spec));
  auto* c = pod_spec.mutable_containers(0);
  c->clear_command();
  c->add_command("sh");
  c->add_command("-c");
  c->clear_args();
  c->add_args("echo hello; sleep 1; echo 'big  world'");
  spec.pod_spec = pod_spec.SerializeAsString();
  REQUIRE(backend->Start(spec).ok());
  REQUIRE(h.PollUntilPhase(*backend, RunPhase::kPending));
  h.SetStatus(fakes::RunningStatus());
  h.SetStatus(fakes::SucceededStatus());
  REQUIRE(h.PollUntilPhase(*backend, RunPhase::kSucceeded));

  // By job id alone: the namespace comes from the run the backend knows.
  absl::StatusOr<std::vector<LogLine>> lines = backend->Logs({.job_id = "job1"});
  REQUIRE(lines.ok());
  REQUIRE(lines->size() == 2);
  CHECK((*lines)[0].line == "hello");
  CHECK((*lines)[1].line == "big  world");
  CHECK((*lines)[0].timestamp.size() == std::string("2026-12-03T07:40:00.123456789Z").size());
  CHECK((*lines)[0].timestamp < (*lines)[1].timestamp);

  absl::StatusOr<std::vector<LogLine>> tail = backend->Logs({.job_id = "job1", .tail_lines = 1});
  REQUIRE(tail.ok());
  REQUIRE(tail->size() == 1);
  CHECK(tail->front().line == "big  world");
  // limit_bytes counts the text and its newline, not the times: "hello\n" fits, no more.
  absl::StatusOr<std::vector<LogLine>> limited =
      backend->Logs({.run_id = "run1", .limit_bytes = 6});
  REQUIRE(limited.ok());
  REQUIRE(limited->size() == 1);
  CHECK(limited->front().line == "hello");

  absl::StatusOr<std::vector<LogLine>> unknown = backend->Logs({.job_id = "job9"});
  CHECK(absl::IsNotFound(unknown.status()));
  CHECK_THAT(std::string(unknown.status().message()),
             Catch::Contains("job job9: pod default/armada-job9-0 no longer exists"));
  CHECK(absl::IsNotFound(backend->Logs({.run_id = "run9"}).status()));  // never ran here

  REQUIRE(h.cluster.client->DeletePod(kNs, kPod, 0).ok());  // cleaned up
  absl::StatusOr<std::vector<LogLine>> gone = backend->Logs({.run_id = "run1"});
  CHECK(absl::IsNotFound(gone.status()));
  CHECK_THAT(std::string(gone.status().message()), Catch::Contains("run run1 of job job1"));
}

TEST_CASE("backend cancel deletes the pod with its grace period", "[kubernetes_backend]") {
  Harness h;
  h.store().SetDeferDeletion(true);  // a kubelet honouring the grace period
  auto backend = h.NewBackend();
  REQUIRE(backend->Start(Spec()).ok());
  REQUIRE(h.PollUntilPhase(*backend, RunPhase::kPending));
  h.SetStatus(fakes::RunningStatus());
  REQUIRE(h.PollUntilPhase(*backend, RunPhase::kRunning));
  backend->Cancel("run1");
  backend->Cancel("run1");  // idempotent
  REQUIRE(Eventually(
      [&] { return h.Pod() && h.Pod()->contains("/metadata/deletionTimestamp"_json_pointer); }));
  CHECK((*h.Pod())["metadata"]["deletionGracePeriodSeconds"] == 7);
  CHECK(backend->Poll().empty());  // not before the pod is gone
  REQUIRE(h.store().CompleteDeletion(kNs, kPod));
  REQUIRE(h.PollUntilPhase(*backend, RunPhase::kFailed));
  CHECK(h.updates.back().cancelled);
  CHECK(h.updates.back().reason == "cancelled");
}

TEST_CASE("backend returns the lease of a pod stuck pulling its image", "[kubernetes_backend]") {
  Harness h;
  auto backend = h.NewBackend();
  REQUIRE(backend->Start(Spec()).ok());
  REQUIRE(h.PollUntilPhase(*backend, RunPhase::kPending));
  h.SetStatus(fakes::WaitingStatus("ErrImagePull", "manifest unknown"));
  const absl::Time stuck_since = h.clock.Now();
  // A minute of simulated time per poll, until the lease comes back.
  REQUIRE(h.PollUntil(*backend, [&] {
    if (h.clock.Now() - stuck_since == absl::Minutes(5)) {
      h.SetStatus(fakes::WaitingStatus("ImagePullBackOff", "Back-off pulling image"));
    }
    h.clock.Advance(absl::Minutes(1));
    return h.updates.back().phase == RunPhase::kReturned;
  }));
  CHECK(h.clock.Now() - stuck_since > absl::Minutes(15));
  CHECK(h.clock.Now() - stuck_since < absl::Minutes(19));  // ErrImagePull -> BackOff: one issue
  CHECK_FALSE(h.Pod());                                    // deleted before the lease is returned
  CHECK_FALSE(h.updates.back().run_attempted);
  CHECK(h.updates.back().reason.rfind("pod stuck for ", 0) == 0);
  CHECK(h.updates.back().reason.find("ImagePullBackOff") != std::string::npos);
}

TEST_CASE("backend returns the lease of an unschedulable pod after its deadline",
          "[kubernetes_backend]") {
  Harness h;
  auto backend = h.NewBackend();
  REQUIRE(backend->Start(Spec()).ok());
  REQUIRE(h.PollUntilPhase(*backend, RunPhase::kPending));
  REQUIRE(h.store().SetPodStatus(kNs, kPod, fakes::UnschedulableStatus()));
  REQUIRE(h.PollUntil(*backend, [&] {
    h.clock.Advance(absl::Seconds(10));
    return h.updates.back().phase == RunPhase::kReturned;
  }));
  CHECK_FALSE(h.Pod());
  CHECK(h.updates.back().reason.find("Unschedulable") != std::string::npos);
}

TEST_CASE("backend fails a job with an invalid image name at once", "[kubernetes_backend]") {
  Harness h;
  auto backend = h.NewBackend();
  REQUIRE(backend->Start(Spec()).ok());
  REQUIRE(h.PollUntilPhase(*backend, RunPhase::kPending));
  h.SetStatus(fakes::WaitingStatus("InvalidImageName", "couldn't parse image reference"));
  REQUIRE(h.PollUntilPhase(*backend, RunPhase::kFailed));
  CHECK(h.updates.back().reason.rfind("invalid image: InvalidImageName", 0) == 0);
  CHECK_FALSE(h.Pod());
}

TEST_CASE("backend deletes finished pods after the minimum age once forgotten",
          "[kubernetes_backend]") {
  Harness h;
  auto backend = h.NewBackend();
  REQUIRE(backend->Start(Spec()).ok());
  REQUIRE(h.PollUntilPhase(*backend, RunPhase::kPending));
  h.SetStatus(fakes::SucceededStatus());
  REQUIRE(h.PollUntilPhase(*backend, RunPhase::kSucceeded));
  h.clock.Advance(absl::Hours(1));
  backend->Poll();
  REQUIRE(h.Pod());  // kept (logs) until the server has the result
  backend->Forget("run1");
  REQUIRE(Eventually(
      [&] { return (*h.Pod())["metadata"]["annotations"].contains(kForgottenAnnotation); }));
  h.clock.Advance(absl::Minutes(-59));  // finished 1 minute ago by the backend's clock
  backend->Poll();
  REQUIRE(h.Pod());
  h.clock.Advance(absl::Minutes(3));
  REQUIRE(Eventually([&] {
    backend->Poll();
    return !h.Pod();
  }));
}

TEST_CASE("backend adopts its pods after a restart", "[kubernetes_backend]") {
  Harness h;
  {
    auto first = h.NewBackend();
    REQUIRE(first->Start(Spec("run1")).ok());
    RunSpec other = Spec("run2");
    other.job_id = "job2";
    REQUIRE(first->Start(other).ok());
    REQUIRE(h.PollUntil(*first, [&] { return h.updates.size() == 2; }));
    h.SetStatus(fakes::RunningStatus());
    REQUIRE(h.store().SetPodStatus(kNs, "armada-job2-0", fakes::FailedStatus(1), "node-1"));
  }
  auto second = h.NewBackend();
  auto existing = second->Recover();
  REQUIRE(existing.ok());
  REQUIRE(existing->size() == 2);
  CHECK((*existing)[0].run_id == "run1");
  CHECK((*existing)[0].last.phase == RunPhase::kRunning);
  CHECK((*existing)[0].node_name == "node-1");
  CHECK((*existing)[1].run_id == "run2");
  CHECK((*existing)[1].last.phase == RunPhase::kFailed);
  CHECK((*existing)[1].last.exit_code == 1);
  CHECK(second->ActiveRunIds() == std::vector<std::string>{"run1"});
  CHECK(second->Start(Spec("run1")).code() == absl::StatusCode::kAlreadyExists);

  h.updates.clear();
  h.SetStatus(fakes::SucceededStatus());
  REQUIRE(h.PollUntilPhase(*second, RunPhase::kSucceeded));
  CHECK(h.updates.size() == 1);  // running was reported before the restart
}

TEST_CASE("backend handles pod creation errors", "[kubernetes_backend]") {
  Harness h;
  auto backend = h.NewBackend();
  SECTION("a pod of the same run already there counts as created") {
    json pod = testing::Pod(kPod, {{"armada_job_id", "job1"}, {"armada_job_run_id", "run1"}});
    REQUIRE(h.cluster.client->CreatePod(kNs, pod).ok());
    REQUIRE(backend->Start(Spec()).ok());
    REQUIRE(h.PollUntilPhase(*backend, RunPhase::kPending));
  }
  SECTION("persistent 5xx returns the lease") {
    h.store().InjectFault({.method = "POST", .code = 500, .times = 100});
    REQUIRE(backend->Start(Spec()).ok());
    REQUIRE(h.PollUntilPhase(*backend, RunPhase::kReturned));
    CHECK(h.updates.back().reason.find("500") != std::string::npos);
  }
  SECTION("an invalid pod fails the job") {
    h.store().InjectFault({.method = "POST", .code = 422});
    REQUIRE(backend->Start(Spec()).ok());
    REQUIRE(h.PollUntilPhase(*backend, RunPhase::kFailed));
  }
  SECTION("a pod deleted by someone else ends the run") {
    REQUIRE(backend->Start(Spec()).ok());
    REQUIRE(h.PollUntilPhase(*backend, RunPhase::kPending));
    h.SetStatus(fakes::RunningStatus());
    REQUIRE(h.PollUntilPhase(*backend, RunPhase::kRunning));
    REQUIRE(h.cluster.client->DeletePod(kNs, kPod, 0).ok());
    REQUIRE(h.PollUntilPhase(*backend, RunPhase::kFailed));
    CHECK(h.updates.back().reason == "pod was deleted outside the executor");
  }
}

}  // namespace
}  // namespace armada::executor::kubernetes
