#!/usr/bin/env bash
# Leader election with two real armada-server processes on one database:
#   1. exactly one of them schedules (says it is the leader);
#   2. after kill -9 of the leader, the other takes the lock and schedules.
# The executor talks to the follower throughout (every replica serves the
# executor API), so it survives the leader's death.
# Usage: leader_failover.sh BUILD_DIR TEST_DIR
set -euo pipefail
BUILD=$1
HERE=$2
PORT_A=20171
PORT_B=20172
source "$HERE/common.sh"

for name in a b; do
  port=$PORT_A; [ $name = b ] && port=$PORT_B
  http_port=20182; [ $name = b ] && http_port=20183
  printf 'grpcAddress: 127.0.0.1:%s\nhttpAddress: 127.0.0.1:%s\nschedulePeriod: 200ms\n' \
    "$port" "$http_port" >"$WORK/$name.yaml"
done
"$BUILD/server/armada-server" --config "$WORK/a.yaml" >"$WORK/a.log" 2>&1 &
pid_a=$!
pids+=($pid_a)
"$BUILD/server/armada-server" --config "$WORK/b.yaml" >"$WORK/b.log" 2>&1 &
pid_b=$!
pids+=($pid_b)

leader_logged() { grep -q "now the scheduling leader" "$WORK/$1.log"; }
either_leader() { leader_logged a || leader_logged b; }
wait_for 10 either_leader || fail "no replica became leader"
sleep 1  # give the other replica time to (wrongly) claim the lock too
if leader_logged a && leader_logged b; then fail "both replicas claim to be leader"; fi
if leader_logged a; then
  leader=a; leader_pid=$pid_a; follower=b; follower_port=$PORT_B
else
  leader=b; leader_pid=$pid_b; follower=a; follower_port=$PORT_A
fi
echo "leader: $leader, follower: $follower"

cat >"$WORK/executor.yaml" <<YAML
serverUrl: 127.0.0.1:$follower_port
executorId: failover-executor
workDir: $WORK/runs
leasePeriod: 200ms
capacity: {cpu: "4", memory: 8Gi}
YAML
"$BUILD/executor/armada-executor" --config "$WORK/executor.yaml" >"$WORK/executor.log" 2>&1 &
pids+=($!)

ctl() { "$BUILD/cli/armadactl" --armadaUrl "127.0.0.1:$follower_port" "$@"; }
wait_for 10 ctl get queues >/dev/null || fail "follower does not answer"
ctl create queue failover >/dev/null || fail "create queue"

submit_and_finish() {  # submit_and_finish JOBSET
  sed "s/JOBSET/$1/" >"$WORK/$1.yaml" <<'YAML'
queue: failover
jobSetId: JOBSET
jobs:
  - podSpec:
      containers:
        - name: c
          image: busybox
          command: [sh, -c, "exit 0"]
          resources:
            requests: {cpu: 100m, memory: 16Mi}
            limits: {cpu: 100m, memory: 16Mi}
YAML
  ctl submit "$WORK/$1.yaml" >/dev/null || fail "submit $1"
  timeout 30 "$BUILD/cli/armadactl" --armadaUrl "127.0.0.1:$follower_port" watch failover "$1" \
    --exit-if-inactive >"$WORK/$1.out" || fail "$1 did not finish"
  grep -q "1 jobs, 1 succeeded" "$WORK/$1.out" || fail "$1: $(tail -n 1 "$WORK/$1.out")"
}

submit_and_finish before
grep -q "scheduling cycle" "$WORK/$leader.log" || fail "the leader did not schedule"
grep -q "scheduling cycle" "$WORK/$follower.log" && fail "the follower scheduled"

kill -9 "$leader_pid"
wait_for 15 leader_logged "$follower" || fail "the follower did not take over"
submit_and_finish after
grep -q "scheduling cycle" "$WORK/$follower.log" || fail "the new leader did not schedule"
echo "failover: all checks passed"
