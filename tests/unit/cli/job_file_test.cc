#include "cli/job_file.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "tests/unit/cli/temp_file.h"

namespace armada::cli {
namespace {

using testing::TempFile;

// The example of reference/armada.md section 5 (from Armada's example-gang-job.yaml).
constexpr char kGangJobFile[] = R"yaml(queue: queue-a
jobSetId: gang-job-set-1
jobs:
  - namespace: default
    priority: 0
    clientId: my-idempotency-key-1      # optional dedup key
    labels: {team: research}
    annotations:
      armadaproject.io/gangId: "gang-123"
      armadaproject.io/gangCardinality: "2"
      armadaproject.io/gangNodeUniformityLabel: "kubernetes.io/hostname"
    podSpec:                           # or podSpecs: [ ... ] with exactly one element
      priorityClassName: armada-preemptible
      restartPolicy: Never
      terminationGracePeriodSeconds: 30
      containers:
        - name: job
          image: alpine:latest
          command: [sh, -c, "echo $ARMADA_JOB_ID; sleep 30"]
          resources:                   # requests and limits must list the same resources
            requests: {cpu: 1, memory: 512Mi}
            limits:   {cpu: 1, memory: 512Mi}
    ingress:                           # optional
      - type: Ingress
        ports: [8080]
        tlsEnabled: false
    services:                          # optional; type NodePort | Headless
      - type: Headless
        ports: [8080]
  - namespace: default
    priority: 0
    clientId: my-idempotency-key-2
    annotations:
      armadaproject.io/gangId: "gang-123"
      armadaproject.io/gangCardinality: "2"
    podSpecs:
      - priorityClassName: armada-preemptible
        restartPolicy: Never
        containers:
          - name: job
            image: alpine:latest
            command: [sh, -c, "echo second"]
            resources:
              requests: {cpu: 500m, memory: 1Gi}
              limits: {cpu: 500m, memory: 1Gi}
)yaml";

TEST_CASE("LoadJobFile reads Armada's gang job example", "[job_file]") {
  TempFile file("gang.yaml", kGangJobFile);
  absl::StatusOr<JobSubmitFile> loaded = LoadJobFile(file.path());
  INFO(loaded.status().ToString());
  REQUIRE(loaded.ok());
  CHECK(loaded->queue == "queue-a");
  CHECK(loaded->job_set_id == "gang-job-set-1");
  REQUIRE(loaded->jobs.size() == 2);

  const api::JobSubmitRequestItem& job = loaded->jobs[0];
  CHECK(job.namespace_() == "default");
  CHECK(job.priority() == 0);
  CHECK(job.client_id() == "my-idempotency-key-1");
  CHECK(job.labels().at("team") == "research");
  CHECK(job.annotations().at("armadaproject.io/gangId") == "gang-123");
  CHECK(job.annotations().at("armadaproject.io/gangCardinality") == "2");
  CHECK(job.annotations().at("armadaproject.io/gangNodeUniformityLabel") ==
        "kubernetes.io/hostname");

  const k8s::io::api::core::v1::PodSpec* spec = PodSpecOf(job);
  REQUIRE(spec != nullptr);
  CHECK(job.pod_specs_size() == 0);  // Given as podSpec.
  CHECK(spec->priorityclassname() == "armada-preemptible");
  CHECK(spec->restartpolicy() == "Never");
  CHECK(spec->terminationgraceperiodseconds() == 30);
  REQUIRE(spec->containers_size() == 1);
  const auto& container = spec->containers(0);
  CHECK(container.name() == "job");
  CHECK(container.image() == "alpine:latest");
  CHECK(std::vector<std::string>(container.command().begin(), container.command().end()) ==
        std::vector<std::string>{"sh", "-c", "echo $ARMADA_JOB_ID; sleep 30"});
  CHECK(container.resources().requests().at("cpu").string() == "1");
  CHECK(container.resources().requests().at("memory").string() == "512Mi");
  CHECK(container.resources().limits().at("cpu").string() == "1");
  CHECK(container.resources().limits().at("memory").string() == "512Mi");

  REQUIRE(job.ingress_size() == 1);
  CHECK(std::vector<uint32_t>(job.ingress(0).ports().begin(), job.ingress(0).ports().end()) ==
        std::vector<uint32_t>{8080});
  CHECK_FALSE(job.ingress(0).tls_enabled());
  REQUIRE(job.services_size() == 1);
  CHECK(job.services(0).type() == api::Headless);
  CHECK(job.services(0).ports(0) == 8080);

  const api::JobSubmitRequestItem& second = loaded->jobs[1];
  REQUIRE(second.pod_specs_size() == 1);
  CHECK(PodSpecOf(second) == &second.pod_specs(0));
  CHECK(second.pod_specs(0).containers(0).resources().requests().at("cpu").string() == "500m");
}

TEST_CASE("LoadJobFile reads JSON", "[job_file]") {
  TempFile file("jobs.json", R"({
    "queue": "q", "jobSetId": "s",
    "jobs": [{"priority": 1, "podSpecs": [{"containers": [{"name": "c", "image": "busybox",
              "args": ["a", "b"]}]}]}]
  })");
  absl::StatusOr<JobSubmitFile> loaded = LoadJobFile(file.path());
  INFO(loaded.status().ToString());
  REQUIRE(loaded.ok());
  REQUIRE(loaded->jobs.size() == 1);
  CHECK(loaded->jobs[0].priority() == 1);
  CHECK(loaded->jobs[0].pod_specs(0).containers(0).args_size() == 2);
}

struct ErrorCase {
  std::string name;
  std::string yaml;
  // Expected message after "<file>:".
  std::string expected;
};

const std::vector<ErrorCase> kErrorCases = {
    {"string where a list is expected",
     "queue: q\njobSetId: s\njobs:\n  - podSpec:\n      containers:\n        - name: a\n"
     "          command: echo hi\n",
     "7: jobs[0].podSpec.containers[0].command: expected a list, got \"echo hi\""},
    {"unknown key with a suggestion",
     "queue: q\njobSetId: s\njobs:\n  - podSpec:\n      containrs: []\n",
     "5: jobs[0].podSpec.containrs: unknown field \"containrs\" in PodSpec (did you mean "
     "\"containers\"?)"},
    {"missing queue", "jobSetId: s\njobs:\n  - podSpec: {containers: [{name: a}]}\n",
     "1: queue: missing required field"},
    {"missing job set", "queue: q\njobs:\n  - podSpec: {containers: [{name: a}]}\n",
     "1: jobSetId: missing required field"},
    {"no jobs", "queue: q\njobSetId: s\njobs: []\n", "3: jobs: at least one job is required"},
    {"unknown top-level key", "queue: q\njobSetId: s\njob: []\n",
     "3: job: unknown field \"job\" in the job file (expected queue, jobSetId and jobs)"},
    {"bad quantity in the second job",
     "queue: q\njobSetId: s\njobs:\n  - podSpec: {containers: [{name: a}]}\n"
     "  - podSpec:\n      containers:\n        - name: b\n          resources:\n"
     "            requests: {cpu: lots}\n",
     "9: jobs[1].podSpec.containers[0].resources.requests.cpu: expected a quantity such as 1, "
     "500m or 512Mi, got \"lots\""},
    {"integer expected",
     "queue: q\njobSetId: s\njobs:\n  - podSpec:\n      terminationGracePeriodSeconds: soon\n"
     "      containers: [{name: a}]\n",
     "5: jobs[0].podSpec.terminationGracePeriodSeconds: expected an integer (int64), got "
     "\"soon\""},
    {"unknown enum value",
     "queue: q\njobSetId: s\njobs:\n  - podSpec: {containers: [{name: a}]}\n"
     "    services:\n      - type: LoadBalancer\n",
     "6: jobs[0].services[0].type: expected one of NodePort, Headless, got \"LoadBalancer\""},
    {"bool expected",
     "queue: q\njobSetId: s\njobs:\n  - podSpec: {containers: [{name: a}]}\n"
     "    ingress:\n      - tlsEnabled: maybe\n",
     "6: jobs[0].ingress[0].tlsEnabled: expected true or false, got \"maybe\""},
    {"negative port",
     "queue: q\njobSetId: s\njobs:\n  - podSpec: {containers: [{name: a}]}\n"
     "    services:\n      - ports: [8080, -1]\n",
     "6: jobs[0].services[0].ports[1]: expected an integer (uint32), got \"-1\""},
    {"map expected",
     "queue: q\njobSetId: s\njobs:\n  - labels: [a, b]\n    podSpec: {containers: [{name: a}]}\n",
     "4: jobs[0].labels: expected a map, got a list"},
    {"no pod spec", "queue: q\njobSetId: s\njobs:\n  - priority: 1\n",
     "4: jobs[0]: a pod spec is required (podSpec or podSpecs)"},
    {"two pod specs",
     "queue: q\njobSetId: s\njobs:\n  - podSpec: {containers: [{name: a}]}\n"
     "    podSpecs: [{containers: [{name: b}]}]\n",
     "4: jobs[0]: exactly one pod spec is allowed (podSpec, or podSpecs with one element), got "
     "2"},
    {"no containers", "queue: q\njobSetId: s\njobs:\n  - podSpec: {restartPolicy: Never}\n",
     "4: jobs[0].podSpec.containers: at least one container is required"},
    {"duplicate key", "queue: q\njobSetId: s\njobs:\n  - priority: 1\n    priority: 2\n",
     "5: jobs[0].priority: duplicate field (priority is set twice)"},
    {"duplicate annotation",
     "queue: q\njobSetId: s\njobs:\n  - annotations:\n      a.io/x: '1'\n      a.io/x: '2'\n",
     "6: jobs[0].annotations[\"a.io/x\"]: duplicate key"},
    {"YAML syntax error", "queue: q\njobSetId: s\njobs:\n  - podSpec: {containers: [\n",
     "5: end of sequence flow not found"},
    {"not a map", "- a\n- b\n", "1: (document): expected a map, got a list"},
};

TEST_CASE("LoadJobFile errors name file, line, field path and value", "[job_file]") {
  const ErrorCase c = GENERATE(from_range(kErrorCases));
  DYNAMIC_SECTION(c.name) {
    TempFile file("bad.yaml", c.yaml);
    absl::StatusOr<JobSubmitFile> loaded = LoadJobFile(file.path());
    REQUIRE_FALSE(loaded.ok());
    CHECK(loaded.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(std::string(loaded.status().message()) == absl::StrCat(file.path(), ":", c.expected));
  }
}

TEST_CASE("LoadJobFile reports a missing file as kNotFound", "[job_file]") {
  absl::StatusOr<JobSubmitFile> loaded = LoadJobFile("/nonexistent/dir/jobs.yaml");
  CHECK(loaded.status().code() == absl::StatusCode::kNotFound);
  CHECK(std::string(loaded.status().message()) == "/nonexistent/dir/jobs.yaml: no such file");
}

TEST_CASE("LoadJobFile rejects an empty file", "[job_file]") {
  TempFile file("empty.yaml", "# nothing here\n");
  absl::StatusOr<JobSubmitFile> loaded = LoadJobFile(file.path());
  CHECK(loaded.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(loaded.status().message()) == absl::StrCat(file.path(), ": the file is empty"));
}

constexpr char kQueueFile[] = R"yaml(apiVersion: armadaproject.io/v1beta1
kind: Queue
name: queue-a
priorityFactor: 3.0
cordoned: true
labels: {team: research}
userOwners: [alice]
permissions:
- subjects:
  - name: group2
    kind: Group
  verbs:
  - cancel
  - reprioritize
  - watch
resourceLimitsByPriorityClassName:
  armada-default:
    maximumResourceFraction: {cpu: 0.5, memory: 0.25}
)yaml";

TEST_CASE("LoadQueueFile reads a queue file", "[job_file]") {
  TempFile file("queue.yaml", kQueueFile);
  absl::StatusOr<api::Queue> queue = LoadQueueFile(file.path());
  INFO(queue.status().ToString());
  REQUIRE(queue.ok());
  CHECK(queue->name() == "queue-a");
  CHECK(queue->priority_factor() == 3.0);
  CHECK(queue->cordoned());
  CHECK(queue->labels().at("team") == "research");
  CHECK(queue->user_owners(0) == "alice");
  REQUIRE(queue->permissions_size() == 1);
  CHECK(queue->permissions(0).subjects(0).kind() == "Group");
  CHECK(queue->permissions(0).subjects(0).name() == "group2");
  CHECK(queue->permissions(0).verbs_size() == 3);
  CHECK(queue->resource_limits_by_priority_class_name()
            .at("armada-default")
            .maximum_resource_fraction()
            .at("memory") == 0.25);
}

TEST_CASE("LoadQueueFile accepts the spec form and defaults the priority factor", "[job_file]") {
  TempFile file("queue.yaml",
                "apiVersion: armadaproject.io/v1beta1\nkind: Queue\n"
                "metadata: {name: q, labels: {a: b}}\nspec:\n  groupOwners: [team]\n");
  absl::StatusOr<api::Queue> queue = LoadQueueFile(file.path());
  INFO(queue.status().ToString());
  REQUIRE(queue.ok());
  CHECK(queue->name() == "q");
  CHECK(queue->priority_factor() == 1);
  CHECK(queue->group_owners(0) == "team");
  CHECK(queue->labels().at("a") == "b");
}

TEST_CASE("LoadQueueFile keeps a priority factor given by its proto name", "[job_file]") {
  TempFile file("queue.yaml",
                "apiVersion: armadaproject.io/v1beta1\nkind: Queue\nname: q\npriority_factor: 4\n");
  absl::StatusOr<api::Queue> queue = LoadQueueFile(file.path());
  REQUIRE(queue.ok());
  CHECK(queue->priority_factor() == 4);
}

const std::vector<ErrorCase> kQueueErrorCases = {
    {"wrong kind", "apiVersion: armadaproject.io/v1beta1\nkind: RetryPolicy\nname: p\n",
     "2: kind: unsupported kind \"RetryPolicy\" (this file must describe a Queue: kind: Queue)"},
    {"wrong apiVersion", "apiVersion: v1\nkind: Queue\nname: q\n",
     "1: apiVersion: unsupported apiVersion \"v1\" (expected \"armadaproject.io/v1beta1\")"},
    {"missing apiVersion", "kind: Queue\nname: q\n",
     "1: apiVersion: missing required field (expected \"armadaproject.io/v1beta1\")"},
    {"missing name", "apiVersion: armadaproject.io/v1beta1\nkind: Queue\npriorityFactor: 2\n",
     "1: name: missing required field"},
    {"unknown field", "apiVersion: armadaproject.io/v1beta1\nkind: Queue\nname: q\npriority: 2\n",
     "4: priority: unknown field \"priority\" in Queue"},
    {"queue field in metadata",
     "apiVersion: armadaproject.io/v1beta1\nkind: Queue\nmetadata:\n  name: q\n"
     "  cordoned: true\nspec: {}\n",
     "4: metadata: only name and labels may be set here"},
    {"field next to spec", "apiVersion: armadaproject.io/v1beta1\nkind: Queue\nname: q\nspec: {}\n",
     "3: name: unexpected top-level field next to spec (put queue fields in spec)"},
    {"bad number",
     "apiVersion: armadaproject.io/v1beta1\nkind: Queue\nname: q\npriorityFactor: high\n",
     "4: priorityFactor: expected a number, got \"high\""},
};

TEST_CASE("LoadQueueFile errors", "[job_file]") {
  const ErrorCase c = GENERATE(from_range(kQueueErrorCases));
  DYNAMIC_SECTION(c.name) {
    TempFile file("queue.yaml", c.yaml);
    absl::StatusOr<api::Queue> queue = LoadQueueFile(file.path());
    REQUIRE_FALSE(queue.ok());
    CHECK(queue.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(std::string(queue.status().message()) == absl::StrCat(file.path(), ":", c.expected));
  }
}

}  // namespace
}  // namespace armada::cli
