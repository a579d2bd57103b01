#!/usr/bin/env bash
# End-to-end test of the Kubernetes backend: armada-server and armada-executor
# (backend: kubernetes) over throwaway PostgreSQL and Redis, the executor talking
# to the fake Kubernetes API server (tests/fakes/fake_kube_apiserver) through a
# kubeconfig. The script plays the kubelet through the fake's /admin/ hooks.
#   - the server sees the fake's two nodes with their labels: jobs whose
#     nodeSelector names a node's label are leased to that node;
#   - each job's pod is armada-<jobId>-0 on the leased node (nodeSelector), with
#     Armada's labels, annotations, env and restartPolicy Never;
#   - pods driven to Succeeded / Failed (exit code 3) end their jobs succeeded /
#     failed with exit code 3 in the event; a running job that is cancelled has
#     its pod deleted by the executor (with its grace period; the fake keeps it
#     terminating until the script, as kubelet, ends it with exit code 143) and
#     ends cancelled;
#   - every job is leased once and ends exactly once; finished pods are cleaned up;
#   - a running job's output reaches `armadactl logs` through the server and the
#     executor's Binoculars (the pod log API);
#   - the fake enforces the executor chart's ClusterRole (BUILD_DIR/deploy/
#     executor-rbac-rules.json, rendered by ctest deploy.charts): any call the
#     chart does not grant is answered 403 and fails the test.
# Usage: kubernetes_backend.sh BUILD_DIR TEST_DIR
set -euo pipefail
BUILD=$1
HERE=$2
PORT=20178
BINOCULARS_PORT=20189
NS=default
RBAC_RULES="$BUILD/deploy/executor-rbac-rules.json"
source "$HERE/common.sh"
[ -f "$RBAC_RULES" ] || fail "$RBAC_RULES is missing: ctest deploy.charts renders it"

# --- The fake API server, on the first free port of 20190-20199. -----------------------------
start_apiserver() {
  local port pid
  for port in $(seq 20190 20199); do
    "$BUILD/tests/fakes/fake_kube_apiserver" --port "$port" --rbac-rules "$RBAC_RULES" \
      >"$WORK/apiserver.log" 2>&1 &
    pid=$!
    for _ in $(seq 50); do
      if grep -q "^listening on" "$WORK/apiserver.log"; then
        pids+=("$pid")
        KUBE="http://127.0.0.1:$port"
        return 0
      fi
      kill -0 "$pid" 2>/dev/null || break  # could not bind: try the next port
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  return 1
}
start_apiserver || fail "the fake API server found no free port in 20190-20199"
echo "fake API server at $KUBE"

kube() { curl -sf --max-time 5 "$@"; }  # kube [CURL ARGS] URL
# add_node NAME ZONE: a Ready node with 4 cpus and 8Gi, labelled armada-e2e/zone=ZONE.
add_node() {
  kube -X POST -H 'Content-Type: application/json' "$KUBE/admin/nodes" -d @- >/dev/null <<JSON
{"metadata": {"name": "$1", "labels": {"kubernetes.io/hostname": "$1", "armada-e2e/zone": "$2"}},
 "spec": {},
 "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"},
            "capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"},
            "conditions": [{"type": "Ready", "status": "True"}]}}
JSON
}
add_node k8s-node-a a || fail "add node a"
add_node k8s-node-b b || fail "add node b"
# Like a kubelet, keep a deleted running pod (terminating) until this script ends it.
kube -X POST -d "" "$KUBE/admin/defer-deletion?defer=true" >/dev/null || fail "defer deletion"

cat >"$WORK/kubeconfig" <<YAML
apiVersion: v1
kind: Config
current-context: fake
clusters:
  - name: fake
    cluster: {server: "$KUBE"}
users:
  - name: e2e
    user: {token: e2e-token}
contexts:
  - name: fake
    context: {cluster: fake, user: e2e}
YAML
cat >"$WORK/server.yaml" <<YAML
grpcAddress: 127.0.0.1:$PORT
httpAddress: ""
schedulePeriod: 200ms
binoculars:
  executorUrls: {k8s-executor: "127.0.0.1:$BINOCULARS_PORT"}
YAML
cat >"$WORK/executor.yaml" <<YAML
serverUrl: 127.0.0.1:$PORT
executorId: k8s-executor
backend: kubernetes
leasePeriod: 200ms
kubernetes:
  kubeconfig: $WORK/kubeconfig
  namespace: $NS
  qps: 50
  burst: 50
  finishedPodMinAge: 1s
binoculars:
  listen: 127.0.0.1:$BINOCULARS_PORT
YAML
"$BUILD/server/armada-server" --config "$WORK/server.yaml" >"$WORK/server.log" 2>&1 &
pids+=($!)
"$BUILD/executor/armada-executor" --config "$WORK/executor.yaml" >"$WORK/executor.log" 2>&1 &
pids+=($!)

ctl() { "$BUILD/cli/armadactl" --armadaUrl "127.0.0.1:$PORT" "$@"; }
wait_for 10 ctl get queues >/dev/null 2>&1 || fail "the server does not answer"
ctl create queue k8s || fail "create queue"

# Three jobs: "ok" must land on node b and "fails" on node a (by their labels), "cancelled"
# anywhere.
job() {  # job NAME [NODE_SELECTOR_YAML]
  cat <<YAML
  - podSpec:
      terminationGracePeriodSeconds: 7
      ${2:-}
      containers:
        - name: $1
          image: busybox:latest
          command: [sh, -c, "echo $1"]
          env:
            - {name: GREETING, value: hello}
          resources:
            requests: {cpu: 500m, memory: 256Mi}
            limits: {cpu: 500m, memory: 256Mi}
YAML
}
{
  echo "queue: k8s"
  echo "jobSetId: set-1"
  echo "jobs:"
  job ok "nodeSelector: {armada-e2e/zone: b}"
  job fails "nodeSelector: {armada-e2e/zone: a}"
  job cancelled
} >"$WORK/jobs.yaml"
ctl submit "$WORK/jobs.yaml" >"$WORK/submit.out" || fail "submit: $(cat "$WORK/submit.out")"
mapfile -t ids < <(sed -n 's/.*Submitted job id: \([^ ]*\).*/\1/p' "$WORK/submit.out")
[ "${#ids[@]}" -eq 3 ] || fail "expected 3 job ids: $(cat "$WORK/submit.out")"
ok_id=${ids[0]} fail_id=${ids[1]} cancel_id=${ids[2]}
echo "jobs: ok=$ok_id fails=$fail_id cancelled=$cancel_id"

pod_url() { echo "$KUBE/api/v1/namespaces/$NS/pods/armada-$1-0"; }
admin_pod_url() { echo "$KUBE/admin/namespaces/$NS/pods/armada-$1-0"; }
pod_exists() { kube "$(pod_url "$1")" >/dev/null; }
pod_gone() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$(pod_url "$1")")" = 404 ]; }
for id in "${ids[@]}"; do
  wait_for 30 pod_exists "$id" || fail "no pod armada-$id-0 was created"
done

# The node the server leased job $1's run to, from `armadactl get job`.
leased_node() {
  ctl get job "$1" 2>/dev/null | grep -oE 'k8s-node-[ab]' | head -n 1
}
# check_pod ID NAME NODE: the pod is the job's, on NODE, with Armada's metadata.
check_pod() {
  local id=$1 name=$2 node=$3
  kube "$(pod_url "$id")" >"$WORK/pod-$name.json" || fail "get pod of $name"
  python3 - "$WORK/pod-$name.json" "$id" "$node" "$name" <<'PY' || fail "pod of job $name"
import json, sys
path, job_id, node, name = sys.argv[1:]
pod = json.load(open(path))
meta, spec = pod["metadata"], pod["spec"]
problems = []
def expect(what, got, want):
    if got != want:
        problems.append(f"{what}: got {got!r}, want {want!r}")
expect("name", meta["name"], f"armada-{job_id}-0")
labels = meta.get("labels", {})
expect("label armada_job_id", labels.get("armada_job_id"), job_id)
expect("label armada_queue_id", labels.get("armada_queue_id"), "k8s")
expect("label armada_pod_number", labels.get("armada_pod_number"), "0")
expect("label armada_pod_count", labels.get("armada_pod_count"), "1")
if not labels.get("armada_job_run_id"):
    problems.append("no armada_job_run_id label")
annotations = meta.get("annotations", {})
expect("annotation armada_jobset_id", annotations.get("armada_jobset_id"), "set-1")
if not annotations.get("armada_owner"):
    problems.append("no armada_owner annotation")
expect("restartPolicy", spec.get("restartPolicy"), "Never")
expect("nodeSelector hostname", spec.get("nodeSelector", {}).get("kubernetes.io/hostname"), node)
expect("terminationGracePeriodSeconds", spec.get("terminationGracePeriodSeconds"), 7)
container = spec["containers"][0]
expect("container", container.get("name"), name)
env = {e["name"]: e.get("value") for e in container.get("env", [])}
expect("env GREETING", env.get("GREETING"), "hello")
expect("env ARMADA_JOB_ID", env.get("ARMADA_JOB_ID"), job_id)
expect("env ARMADA_QUEUE", env.get("ARMADA_QUEUE"), "k8s")
expect("env ARMADA_JOB_SET_ID", env.get("ARMADA_JOB_SET_ID"), "set-1")
expect("env ARMADA_RUN_ID", env.get("ARMADA_RUN_ID"), labels.get("armada_job_run_id"))
for p in problems:
    print(f"pod {meta['name']}: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY
}
ok_node=$(leased_node "$ok_id") || true
fail_node=$(leased_node "$fail_id") || true
cancel_node=$(leased_node "$cancel_id") || true
if [ -z "$ok_node" ] || [ -z "$fail_node" ] || [ -z "$cancel_node" ]; then
  fail "armadactl get job names no node: $(ctl get job "$ok_id" 2>&1)"
fi
check_pod "$ok_id" ok "$ok_node"
check_pod "$fail_id" fails "$fail_node"
check_pod "$cancel_id" cancelled "$cancel_node"
[ "$ok_node" = k8s-node-b ] || fail "the job selecting zone b was leased to $ok_node"
[ "$fail_node" = k8s-node-a ] || fail "the job selecting zone a was leased to $fail_node"

# --- The kubelet: pods to Running, then to their ends. ----------------------------------------
# set_status ID NODE STATUS_JSON
set_status() {
  kube -X POST -H 'Content-Type: application/json' "$(admin_pod_url "$1")/status" \
    -d "{\"nodeName\": \"$2\", \"status\": $3}" >/dev/null || fail "set status of job $1"
}
T0=2026-01-01T00:00:00Z
# pod_status PHASE CONTAINER STATE_JSON: a kubelet's status of a scheduled pod.
pod_status() {
  echo "{\"phase\": \"$1\", \"startTime\": \"$T0\",
    \"conditions\": [{\"type\": \"PodScheduled\", \"status\": \"True\"}],
    \"containerStatuses\": [{\"name\": \"$2\", \"image\": \"busybox:latest\", \"state\": $3}]}"
}
running_status() { pod_status Running "$1" "{\"running\": {\"startedAt\": \"$T0\"}}"; }
ended_status() {  # ended_status CONTAINER PHASE EXIT_CODE REASON
  pod_status "$2" "$1" "{\"terminated\": {\"exitCode\": $3, \"reason\": \"$4\"}}"
}
set_status "$ok_id" "$ok_node" "$(running_status ok)"
set_status "$fail_id" "$fail_node" "$(running_status fails)"
set_status "$cancel_id" "$cancel_node" "$(running_status cancelled)"
job_running() { ctl get job "$1" 2>/dev/null | grep -qi running; }
for id in "${ids[@]}"; do
  wait_for 20 job_running "$id" || fail "job $id is not running: $(ctl get job "$id" 2>&1)"
done

# The running job's output, as the kubelet has it, through armadactl -> server -> Binoculars.
kube -X POST --data-binary $'hello from ok\nsecond line' "$(admin_pod_url "$ok_id")/log" >/dev/null \
  || fail "append the pod's log"
ctl logs "$ok_id" >"$WORK/logs.out" 2>&1 || fail "armadactl logs: $(cat "$WORK/logs.out")"
grep -q "hello from ok" "$WORK/logs.out" && grep -q "second line" "$WORK/logs.out" \
  || fail "armadactl logs does not show the pod's output: $(cat "$WORK/logs.out")"

set_status "$ok_id" "$ok_node" "$(ended_status ok Succeeded 0 Completed)"
set_status "$fail_id" "$fail_node" "$(ended_status fails Failed 3 Error)"
ctl cancel job k8s set-1 "$cancel_id" || fail "cancel job"
pod_terminating() { kube "$(pod_url "$cancel_id")" | grep -q '"deletionTimestamp"'; }
wait_for 20 pod_terminating || fail "the cancelled job's pod was not deleted"
kube "$KUBE/admin/requests" >"$WORK/requests.json" || fail "request log"
python3 - "$WORK/requests.json" "armada-$cancel_id-0" <<'PY' \
  || fail "no DELETE of the cancelled pod with grace 7"
import json, sys
requests, pod = json.load(open(sys.argv[1])), sys.argv[2]
deletes = [r for r in requests if r["method"] == "DELETE" and f"/pods/{pod}" in r["target"]]
ok = any("gracePeriodSeconds=7" in r["target"] or '"gracePeriodSeconds":7' in r["body"]
         for r in deletes)
print(f"DELETE requests for {pod}: {[r['target'] for r in deletes]}")
sys.exit(0 if ok else 1)
PY
# The kubelet stops the container (SIGTERM: exit code 143) and removes the pod. The run must
# still end as cancelled, not as a failure with exit code 143.
set_status "$cancel_id" "$cancel_node" "$(ended_status cancelled Failed 143 Error)"
kube -X POST -d "" "$(admin_pod_url "$cancel_id")/complete-deletion" >/dev/null \
  || fail "complete the deletion"
wait_for 20 pod_gone "$cancel_id" || fail "the cancelled job's pod is still there"

timeout 30 "$BUILD/cli/armadactl" --armadaUrl "127.0.0.1:$PORT" watch k8s set-1 \
  --exit-if-inactive >"$WORK/watch.out" || fail "watch did not finish: $(cat "$WORK/watch.out")"
cat "$WORK/watch.out"
grep -q "3 jobs, 1 succeeded, 1 failed, 1 cancelled" "$WORK/watch.out" || fail "wrong summary"
grep "| Failed | job $fail_id" "$WORK/watch.out" | grep -q "exit code 3" \
  || fail "the failed event lacks exit code 3"
grep -q "| Succeeded | job $ok_id" "$WORK/watch.out" || fail "job ok did not succeed"
grep -q "| Cancelled | job $cancel_id" "$WORK/watch.out" || fail "job cancelled was not cancelled"
grep "| Pending | job $ok_id" "$WORK/watch.out" | grep -q "armada-$ok_id-0" \
  || fail "the pending event does not name the pod"
grep "| Running | job $ok_id" "$WORK/watch.out" | grep -q "node k8s-node-b" \
  || fail "the running event does not name node k8s-node-b"
# Finished pods are deleted once the server has acknowledged their end and finishedPodMinAge
# (1s) has passed.
for id in "${ids[@]}"; do
  wait_for 20 pod_gone "$id" || fail "the finished pod armada-$id-0 was not cleaned up"
done

# The whole event stream, now that the executor has nothing left to report: `watch` without
# --exit-if-inactive prints every stored event (and then waits; `timeout` ends it).
timeout 2 "$BUILD/cli/armadactl" --armadaUrl "127.0.0.1:$PORT" watch k8s set-1 \
  >"$WORK/stream.out" || [ $? -eq 124 ] || fail "watch of the whole stream failed"
for id in "${ids[@]}"; do
  leased=$(grep -c "| Leased | job $id" "$WORK/stream.out" || true)
  ended=$(grep -cE "\| (Succeeded|Failed|Cancelled) \| job $id" "$WORK/stream.out" || true)
  [ "$leased" -eq 1 ] || fail "job $id leased $leased times"
  [ "$ended" -eq 1 ] || fail "job $id ended $ended times: $(grep "job $id" "$WORK/stream.out")"
done
ctl get jobs k8s set-1 >"$WORK/jobs.out" || fail "get jobs"
cat "$WORK/jobs.out"
job_state_is() { grep "$1" "$WORK/jobs.out" | grep -q "$2" || fail "job $1 is not $2"; }
job_state_is "$ok_id" SUCCEEDED
job_state_is "$fail_id" FAILED
job_state_is "$cancel_id" CANCELLED
# Under the chart's RBAC nothing was refused (a refusal the executor retried would not fail
# the steps above).
if grep -q "^forbidden:" "$WORK/apiserver.log"; then
  fail "calls outside the chart's ClusterRole: $(grep "^forbidden:" "$WORK/apiserver.log")"
fi
echo "PASS"
