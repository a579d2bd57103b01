#!/usr/bin/env bash
# End-to-end test of the real binaries: armada-server and armada-executor
# (local backend) over throwaway PostgreSQL and Redis, driven by armadactl.
#   1. three jobs: two succeed, one fails with exit code 7, and the failed
#      event carries that exit code;
#   2. a long job is cancelled while it runs, and its process is stopped.
# Usage: submit_watch_cancel.sh BUILD_DIR TEST_DIR
set -euo pipefail
BUILD=$1
HERE=$2
PORT=20161
HTTP_PORT=20181
source "$HERE/common.sh"

cat >"$WORK/server.yaml" <<YAML
grpcAddress: 127.0.0.1:$PORT
httpAddress: 127.0.0.1:$HTTP_PORT
schedulePeriod: 200ms
YAML
cat >"$WORK/executor.yaml" <<YAML
serverUrl: 127.0.0.1:$PORT
executorId: e2e-executor
nodeName: e2e-node
workDir: $WORK/runs
leasePeriod: 200ms
capacity: {cpu: "4", memory: 8Gi}
YAML
"$BUILD/server/armada-server" --config "$WORK/server.yaml" >"$WORK/server.log" 2>&1 &
pids+=($!)
"$BUILD/executor/armada-executor" --config "$WORK/executor.yaml" >"$WORK/executor.log" 2>&1 &
pids+=($!)

ctl() { "$BUILD/cli/armadactl" --armadaUrl "127.0.0.1:$PORT" "$@"; }
wait_for 10 ctl get queues >/dev/null 2>&1 || fail "the server does not answer"

ctl create queue e2e || fail "create queue"
ctl submit "$HERE/jobs.yaml" >"$WORK/submit.out" || fail "submit: $(cat "$WORK/submit.out")"
[ "$(grep -c 'Submitted job id' "$WORK/submit.out")" -eq 3 ] || fail "expected 3 job ids"

timeout 60 "$BUILD/cli/armadactl" --armadaUrl "127.0.0.1:$PORT" watch e2e set-1 --exit-if-inactive \
  >"$WORK/watch.out" || fail "watch did not finish: $(cat "$WORK/watch.out")"
cat "$WORK/watch.out"
grep -q "3 jobs, 2 succeeded, 1 failed, 0 cancelled" "$WORK/watch.out" || fail "wrong summary"
# The same job set over the HTTP port (Armada's REST gateway), and /health.
curl -sf -X POST -d '{}' "http://127.0.0.1:$HTTP_PORT/v1/job-set/e2e/set-1" >"$WORK/rest.out" \
  || fail "REST job-set events"
grep -q '"succeeded"' "$WORK/rest.out" || fail "no succeeded event over REST"
curl -sf "http://127.0.0.1:$HTTP_PORT/health" >/dev/null || fail "/health"
grep "Failed" "$WORK/watch.out" | grep -q "7" || fail "the failed event lacks exit code 7"
for kind in Submitted Queued Leased Pending Running Succeeded; do
  grep -q "| $kind" "$WORK/watch.out" || fail "no $kind event"
done
# The job saw its ARMADA_* variables.
grep -rq "in e2e/set-1" "$WORK/runs" || fail "job output with ARMADA_QUEUE/ARMADA_JOB_SET_ID not found"

# A running job is cancelled and its process stops. Its command line carries a
# marker unique to this run, so that no other process on the machine is taken
# for it.
MARKER="armada-e2e-$(basename "$WORK")"
cat >"$WORK/long.yaml" <<YAML
queue: e2e
jobSetId: set-2
jobs:
  - podSpec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: sleeper
          image: busybox:latest
          command: [sh, -c, "sleep 300; : $MARKER"]
          resources:
            requests: {cpu: 100m, memory: 64Mi}
            limits: {cpu: 100m, memory: 64Mi}
YAML
ctl submit "$WORK/long.yaml" >"$WORK/submit2.out" || fail "submit long job"
wait_for 30 pgrep -f "$MARKER" >/dev/null || fail "the long job never started"
ctl cancel job-set e2e set-2 || fail "cancel job-set"
timeout 30 "$BUILD/cli/armadactl" --armadaUrl "127.0.0.1:$PORT" watch e2e set-2 --exit-if-inactive \
  >"$WORK/watch2.out" || fail "watch after cancel did not finish"
grep -q "1 jobs, 0 succeeded, 0 failed, 1 cancelled" "$WORK/watch2.out" || fail "cancel summary"
job_gone() { ! pgrep -f "$MARKER" >/dev/null; }
wait_for 10 job_gone || fail "the cancelled job's process is still running"
echo "e2e: all checks passed"
