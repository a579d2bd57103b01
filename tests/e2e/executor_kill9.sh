#!/usr/bin/env bash
# End-to-end test of executor recovery: armada-executor (local backend) is
# killed with SIGKILL while jobs run, and started again.
#   - the jobs' processes outlive the executor;
#   - a job that ends while no executor runs is reported with its real exit
#     code (recorded by its monitor process);
#   - the restarted executor adopts the rest and reports how they end;
#   - every job is leased once and ends exactly once in the event stream.
# Usage: executor_kill9.sh BUILD_DIR TEST_DIR
set -euo pipefail
BUILD=$1
HERE=$2
PORT=20177
source "$HERE/common.sh"

cat >"$WORK/server.yaml" <<YAML
grpcAddress: 127.0.0.1:$PORT
httpAddress: ""
schedulePeriod: 200ms
YAML
cat >"$WORK/executor.yaml" <<YAML
serverUrl: 127.0.0.1:$PORT
executorId: kill9-executor
nodeName: kill9-node
workDir: $WORK/runs
leasePeriod: 200ms
capacity: {cpu: "8", memory: 8Gi}
YAML
"$BUILD/server/armada-server" --config "$WORK/server.yaml" >"$WORK/server.log" 2>&1 &
pids+=($!)
start_executor() {
  "$BUILD/executor/armada-executor" --config "$WORK/executor.yaml" >>"$WORK/executor.log" 2>&1 &
  executor_pid=$!
  pids+=($executor_pid)
}
start_executor

ctl() { "$BUILD/cli/armadactl" --armadaUrl "127.0.0.1:$PORT" "$@"; }
wait_for 10 ctl get queues >/dev/null 2>&1 || fail "the server does not answer"
ctl create queue kill9 || fail "create queue"

# Each job's command line carries a marker unique to this run, so that no other
# process on the machine is taken for one of ours.
MARKER="armada-kill9-$(basename "$WORK")"
job() {  # job NAME SCRIPT
  cat <<YAML
  - podSpec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: $1
          image: busybox:latest
          command: [sh, -c, "$2; : $MARKER"]
          resources:
            requests: {cpu: 100m, memory: 64Mi}
            limits: {cpu: 100m, memory: 64Mi}
YAML
}
{
  echo "queue: kill9"
  echo "jobSetId: set-1"
  echo "jobs:"
  job long-ok-1 "sleep 5; exit 0"
  job long-ok-2 "sleep 5; exit 0"
  job long-fail "sleep 5; exit 5"
  job ends-while-down "sleep 1.5; exit 0"
} >"$WORK/jobs.yaml"
ctl submit "$WORK/jobs.yaml" >"$WORK/submit.out" || fail "submit: $(cat "$WORK/submit.out")"
[ "$(grep -c 'Submitted job id' "$WORK/submit.out")" -eq 4 ] || fail "expected 4 job ids"

running() { [ "$(pgrep -fc "$MARKER" || true)" -ge "$1" ]; }
wait_for 30 running 4 || fail "the jobs never all started"
sleep 0.5  # let the executor report them running

kill -9 "$executor_pid"
wait "$executor_pid" 2>/dev/null || true
echo "executor killed; jobs still running: $(pgrep -fc "$MARKER" || true)"
running 3 || fail "the jobs died with the executor"
sleep 2  # the short job ends while no executor watches it
running 1 || fail "the long jobs died with the executor"

start_executor
timeout 60 "$BUILD/cli/armadactl" --armadaUrl "127.0.0.1:$PORT" watch kill9 set-1 \
  --exit-if-inactive >"$WORK/watch.out" || fail "watch did not finish: $(cat "$WORK/watch.out")"
cat "$WORK/watch.out"
grep -q "4 jobs, 3 succeeded, 1 failed, 0 cancelled" "$WORK/watch.out" || fail "wrong summary"
grep "| Failed" "$WORK/watch.out" | grep -q "5" || fail "the failed event lacks exit code 5"

# Every job: leased once, ended once.
for id in $(sed -n 's/.*Submitted job id \([^ ]*\).*/\1/p' "$WORK/submit.out"); do
  leased=$(grep -c "| Leased | job $id" "$WORK/watch.out" || true)
  ended=$(grep -cE "\| (Succeeded|Failed|Cancelled) \| job $id" "$WORK/watch.out" || true)
  [ "$leased" -eq 1 ] || fail "job $id leased $leased times"
  [ "$ended" -eq 1 ] || fail "job $id ended $ended times"
done
grep -q "adopted" "$WORK/executor.log" || fail "the restarted executor adopted nothing"
no_jobs_left() { ! pgrep -f "$MARKER" >/dev/null; }
wait_for 10 no_jobs_left || fail "job processes left behind"
echo "PASS"
