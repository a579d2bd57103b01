#!/usr/bin/env bash
# End-to-end test of armadactl's commands against the real armada-server and
# armada-executor (local backend) over throwaway PostgreSQL and Redis: config
# contexts, queues (flags and the reference's queue file), submit (with
# progress, and the reference's gang job file unchanged), watch, get jobs/job,
# logs, reprioritize, preempt, cancel (job, queues, executor, node), cordon and
# uncordon (queues, executor), delete, version, docs, exit codes.
# Usage: cli_commands.sh BUILD_DIR TEST_DIR
set -euo pipefail
BUILD=$1
HERE=$2
PORT=20176
source "$HERE/common.sh"

EXECUTOR=e2e-cli-executor
NODE=e2e-cli-node
cat >"$WORK/server.yaml" <<YAML
grpcAddress: 127.0.0.1:$PORT
httpAddress: ""
schedulePeriod: 200ms
YAML
cat >"$WORK/executor.yaml" <<YAML
serverUrl: 127.0.0.1:$PORT
executorId: $EXECUTOR
nodeName: $NODE
workDir: $WORK/runs
leasePeriod: 200ms
capacity: {cpu: "4", memory: 8Gi}
YAML
"$BUILD/server/armada-server" --config "$WORK/server.yaml" >"$WORK/server.log" 2>&1 &
pids+=($!)
"$BUILD/executor/armada-executor" --config "$WORK/executor.yaml" >"$WORK/executor.log" 2>&1 &
pids+=($!)

# armadactl reads its connection from a config file with two contexts.
export ARMADACTL_CONFIG="$WORK/armadactl.yaml"
unset ARMADA_URL
cat >"$ARMADACTL_CONFIG" <<YAML
# contexts for the e2e test
currentContext: broken
contexts:
  broken:
    armadaUrl: 127.0.0.1:1
    forceNoTls: true
    cacheRefreshToken: true
  browser:
    armadaUrl: 127.0.0.1:$PORT
    openIdAuth: {providerUrl: "https://idp.example.com", clientId: armadactl}
  local:
    armadaUrl: 127.0.0.1:$PORT
    forceNoTls: true
    localLogDir: $WORK/runs
YAML
CTL="$BUILD/cli/armadactl"
ctl() { "$CTL" "$@"; }
# expect_exit CODE COMMAND...: runs armadactl, output in $WORK/out and $WORK/err.
expect_exit() {
  local want=$1; shift
  local got=0
  "$CTL" "$@" >"$WORK/out" 2>"$WORK/err" || got=$?
  [ "$got" -eq "$want" ] || fail "armadactl $*: exit $got, want $want: $(cat "$WORK/out" "$WORK/err")"
}
has() { grep -q -- "$1" "$WORK/out" || fail "expected '$1' in: $(cat "$WORK/out")"; }
has_err() { grep -q -- "$1" "$WORK/err" || fail "expected '$1' on stderr: $(cat "$WORK/err")"; }

# --- version, docs, usage errors
expect_exit 0 version
has "armadactl version"
expect_exit 0 docs -p
for command in "cancel queues" "preempt node" "reprioritize job-set" "cordon executor" \
  "config use-context" "get jobs" "logs"; do
  has "## armadactl $command"
done
(cd "$WORK" && "$CTL" docs >/dev/null && [ -s armadactl.md ]) || fail "docs did not write armadactl.md"
expect_exit 2 no-such-command
expect_exit 2 cancel executor "$EXECUTOR"   # needs -p or -a
expect_exit 2 get jobs q s --state nonsense
expect_exit 2 get queues -o xml

# --- config contexts
expect_exit 0 config current-context
has broken
expect_exit 0 config get-contexts
has "\* *broken"
expect_exit 1 get queues   # the broken context's server is not there
has_err "^Error: "
has_err "cacheRefreshToken: ignored"
expect_exit 1 --context browser get queues   # the browser login is not implemented
has_err "contexts.browser.openIdAuth: not supported by this armadactl"
expect_exit 0 --armadaUrl "127.0.0.1:$PORT" version
wait_for 10 ctl --context local get queues >/dev/null 2>&1 || fail "the server does not answer"
ARMADA_URL="127.0.0.1:$PORT" expect_exit 0 get queues   # the variable beats the context
expect_exit 0 config use-context local
expect_exit 0 config current-context
has local
grep -q "^# contexts for the e2e test" "$ARMADACTL_CONFIG" || fail "use-context lost the comment"
expect_exit 1 config use-context nope
has_err "context nope is not in"

# --- queues
expect_exit 0 create queue e2e-cli --priority-factor 2 -l tier=gold,team=ml --owners alice
has "Created queue e2e-cli"
cat >"$WORK/queue.yaml" <<'YAML'
apiVersion: armadaproject.io/v1beta1
kind: Queue
name: queue-a
priorityFactor: 1
permissions:
  - subjects:
      - kind: Group
        name: team-a
      - kind: User
        name: alice
    verbs: [submit, cancel, preempt, reprioritize, watch]
resourceLimitsByPriorityClassName:
  armada-default:
    maximumResourceFraction: {cpu: 0.5, memory: 0.5}
cordoned: false
labels: {team: research}
YAML
expect_exit 0 create -f "$WORK/queue.yaml" --dry-run
has "is a valid queue file for queue queue-a"
expect_exit 0 create -f "$WORK/queue.yaml"
has "Created queue queue-a"
expect_exit 1 create -f "$WORK/queue.yaml"
has_err "^Error: .*queue-a"   # the server's message
expect_exit 0 get queue queue-a
has "kind: Queue"
has "team-a"
expect_exit 0 get queue queue-a -o json
has '"name": "queue-a"'
expect_exit 0 get queues
has "^NAME  *PRIORITY FACTOR  *CORDONED"
has "^e2e-cli  *2  *false  *alice  *-  *team=ml,tier=gold"
has "^queue-a  *1  *false"
expect_exit 0 get queues -l tier=gold -o yaml
has "name: e2e-cli"
grep -q "queue-a" "$WORK/out" && fail "-l tier=gold listed queue-a"
expect_exit 0 get queues e2e-cli --inverse
grep -q "e2e-cli" "$WORK/out" && fail "--inverse listed e2e-cli"
has "queue-a"
expect_exit 0 update queue e2e-cli --priority-factor 3 -l tier=gold
has "Updated queue e2e-cli"
expect_exit 0 get queue e2e-cli
has "priorityFactor: 3"
expect_exit 0 cordon queues -l tier=gold --dry-run
has "Would cordon queue e2e-cli"
expect_exit 0 cordon queues e2e-cli
has "Cordoned queue e2e-cli"
expect_exit 0 get queues --only-cordoned
has "^e2e-cli .*true"
expect_exit 0 uncordon queues e2e-cli
has "Uncordoned queue e2e-cli"
expect_exit 1 get queue no-such-queue
has_err "^Error: .*no-such-queue"

# --- submit, watch, get jobs, get job, logs
cat >"$WORK/jobs.yaml" <<'YAML'
queue: e2e-cli
jobSetId: s1
jobs:
  - podSpec:
      containers:
        - name: hello
          image: busybox:latest
          command: [sh, -c, "echo hello from cli; echo to stderr >&2"]
          resources:
            requests: {cpu: 100m, memory: 64Mi}
            limits: {cpu: 100m, memory: 64Mi}
  - podSpec:
      containers:
        - name: fails
          image: busybox:latest
          command: [sh, -c, "exit 3"]
          resources:
            requests: {cpu: 100m, memory: 64Mi}
            limits: {cpu: 100m, memory: 64Mi}
YAML
expect_exit 0 submit "$WORK/jobs.yaml"
[ "$(grep -c 'Submitted job id' "$WORK/out")" -eq 2 ] || fail "expected 2 job ids"
OK_JOB=$(sed -n '1s/Submitted job id: \([^ ]*\).*/\1/p' "$WORK/out")
FAIL_JOB=$(sed -n '2s/Submitted job id: \([^ ]*\).*/\1/p' "$WORK/out")
timeout 60 "$CTL" watch e2e-cli s1 --exit-if-inactive >"$WORK/watch.out" \
  || fail "watch did not finish: $(cat "$WORK/watch.out")"
grep -q "2 jobs, 1 succeeded, 1 failed, 0 cancelled" "$WORK/watch.out" || fail "watch summary"
expect_exit 0 get jobs e2e-cli s1
has "^JOB ID  *STATE  *SUBMITTED"
has "^$OK_JOB  *SUCCEEDED .* 1  *$EXECUTOR  *$NODE"
has "^$FAIL_JOB  *FAILED"
expect_exit 0 get jobs e2e-cli s1 --state failed
grep -q "$OK_JOB" "$WORK/out" && fail "--state failed listed the succeeded job"
has "$FAIL_JOB"
expect_exit 0 get jobs e2e-cli s1 -o json
has "\"jobId\": \"$OK_JOB\""
expect_exit 0 get job "$FAIL_JOB"
has "^State: *FAILED"
has "^Error: .*3"
has "^  .*FAILED  *$EXECUTOR  *$NODE"
expect_exit 0 get job "$OK_JOB" -o yaml
has "state: SUCCEEDED"
expect_exit 1 get job no-such-job
has_err "job no-such-job not found"
expect_exit 0 logs "$OK_JOB"
has "hello from cli"
has_err "to stderr"
expect_exit 0 logs "$OK_JOB" --stream stderr
grep -q "hello" "$WORK/out" && fail "--stream stderr printed stdout"
expect_exit 1 logs "$OK_JOB" --log-dir "$WORK/elsewhere"
has_err "node $NODE"

# A bad job file names the file, the line and the field.
cat >"$WORK/bad.yaml" <<'YAML'
queue: e2e-cli
jobSetId: bad
jobs:
  - podSpec:
      containers:
        - name: c
          command: "echo not a list"
YAML
expect_exit 1 submit "$WORK/bad.yaml"
has_err "bad.yaml:7: jobs\[0\].podSpec.containers\[0\].command"

# --- long-running jobs: reprioritize, preempt, cancel
MARKER="armada-e2e-cli-$(basename "$WORK")"
# long_job SET: submits one long job to e2e-cli in job set SET; prints its id.
long_job() {
  cat >"$WORK/long-$1.yaml" <<YAML
queue: e2e-cli
jobSetId: $1
jobs:
  - podSpec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: sleeper
          image: busybox:latest
          command: [sh, -c, "sleep 300; : $MARKER"]
          resources:
            requests: {cpu: 100m, memory: 64Mi}
            limits: {cpu: 100m, memory: 64Mi}
YAML
  "$CTL" submit "$WORK/long-$1.yaml" | sed -n 's/Submitted job id: \([^ ]*\).*/\1/p'
}
# job_state_is ID STATE: the job's state (get job) is STATE.
job_state_is() { "$CTL" get job "$1" 2>/dev/null | grep -q "^State: *$2"; }

JOB=$(long_job s2)
wait_for 30 job_state_is "$JOB" RUNNING || fail "the long job never ran"
expect_exit 0 reprioritize job e2e-cli s2 "$JOB" 5
has "Reprioritized job $JOB to 5"
expect_exit 0 reprioritize job-set e2e-cli s2 7
has "Reprioritized job $JOB to 7"
expect_exit 0 preempt job e2e-cli s2 "$JOB" "e2e preemption"
has "Requested preemption for job $JOB"
preempted() { "$CTL" get job "$JOB" 2>/dev/null | grep -q "PREEMPTED"; }
wait_for 30 preempted || fail "the job was not preempted: $("$CTL" get job "$JOB" 2>&1)"
"$CTL" cancel job-set e2e-cli s2 >/dev/null

JOB=$(long_job s3)
wait_for 30 job_state_is "$JOB" RUNNING || fail "job s3 never ran"
expect_exit 0 cancel job e2e-cli s3 "$JOB"
has "Requested cancellation for job $JOB"
wait_for 30 job_state_is "$JOB" CANCELLED || fail "cancel job"

JOB=$(long_job s4)
wait_for 30 job_state_is "$JOB" RUNNING || fail "job s4 never ran"
expect_exit 0 preempt queues e2e-cli -a --dry-run
has "Would preempt jobs in queue e2e-cli"
expect_exit 0 cancel queues -l tier=gold -a -s running,queued
has "Requested cancellation of jobs in queue e2e-cli"
wait_for 30 job_state_is "$JOB" CANCELLED || fail "cancel queues"

# --- executor and node
expect_exit 0 cordon executor "$EXECUTOR" "e2e maintenance"
has "Cordoned executor $EXECUTOR"
JOB=$(long_job s5)
sleep 2   # several scheduling rounds
job_state_is "$JOB" QUEUED || fail "a job was scheduled onto a cordoned executor"
expect_exit 0 get jobs e2e-cli s5 --state queued
has "$JOB"
expect_exit 0 uncordon executor "$EXECUTOR"
has "Uncordoned executor $EXECUTOR"
wait_for 30 job_state_is "$JOB" RUNNING || fail "the job did not run after uncordon"
expect_exit 0 preempt node "$NODE" -e "$EXECUTOR" -p armada-preemptible
has "Requested preemption of jobs on node $NODE of executor $EXECUTOR"
expect_exit 0 preempt executor "$EXECUTOR" -p armada-preemptible -q other-queue
has "Requested preemption of jobs on executor $EXECUTOR"
expect_exit 0 cancel node "$NODE" -e "$EXECUTOR" -a -q e2e-cli
has "Requested cancellation of jobs on node $NODE of executor $EXECUTOR"
wait_for 30 job_state_is "$JOB" CANCELLED || fail "cancel node"
JOB=$(long_job s6)
wait_for 30 job_state_is "$JOB" RUNNING || fail "job s6 never ran"
expect_exit 0 cancel executor "$EXECUTOR" -a
has "Requested cancellation of jobs on executor $EXECUTOR"
wait_for 30 job_state_is "$JOB" CANCELLED || fail "cancel executor"
job_gone() { ! pgrep -f "$MARKER" >/dev/null; }
wait_for 10 job_gone || fail "a cancelled job's process is still running"

# --- the reference's gang job file, unchanged (gang scheduling is not implemented yet: the
# jobs are only submitted), and progress on a large submission to a cordoned queue.
cat >"$WORK/gang.yaml" <<'YAML'
queue: queue-a
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
    podSpec:                           # or podSpecs: [ … ] with exactly one element
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
    labels: {team: research}
    annotations:
      armadaproject.io/gangId: "gang-123"
      armadaproject.io/gangCardinality: "2"
      armadaproject.io/gangNodeUniformityLabel: "kubernetes.io/hostname"
    podSpec:
      priorityClassName: armada-preemptible
      restartPolicy: Never
      terminationGracePeriodSeconds: 30
      containers:
        - name: job
          image: alpine:latest
          command: [sh, -c, "echo $ARMADA_JOB_ID; sleep 30"]
          resources:
            requests: {cpu: 1, memory: 512Mi}
            limits:   {cpu: 1, memory: 512Mi}
YAML
expect_exit 0 cordon queues queue-a   # keep the gang from running half
expect_exit 0 submit "$WORK/gang.yaml"
[ "$(grep -c 'Submitted job id' "$WORK/out")" -eq 2 ] || fail "gang file: $(cat "$WORK/out" "$WORK/err")"
{
  echo "queue: queue-a"
  echo "jobSetId: many"
  echo "jobs:"
  for i in $(seq 1200); do
    echo "  - podSpec: {containers: [{name: c$i, image: busybox, command: [true], resources: {requests: {cpu: 10m, memory: 8Mi}, limits: {cpu: 10m, memory: 8Mi}}}]}"
  done
} >"$WORK/many.yaml"
expect_exit 0 submit "$WORK/many.yaml"
[ "$(grep -c 'Submitted job id' "$WORK/out")" -eq 1200 ] || fail "expected 1200 job ids"
has_err "submitted 1200/1200 jobs"
expect_exit 0 get jobs queue-a many --state queued -o json
[ "$(grep -c '"jobId"' "$WORK/out")" -eq 1200 ] || fail "get jobs over 500 ids"
expect_exit 0 cancel job-set queue-a many
expect_exit 0 cancel job-set queue-a gang-job-set-1
has "Requested cancellation for job set gang-job-set-1"

# --- the scheduler reports; deletes
expect_exit 0 get scheduling-report
has "Scheduling cycle"
expect_exit 0 get queue-report queue-a
has "queue-a"
expect_exit 0 get job-report "$OK_JOB"
has "$OK_JOB"
expect_exit 1 get job-report no-such-job
expect_exit 0 delete executor "$EXECUTOR"
has "Deleted executor $EXECUTOR"
expect_exit 0 delete queue e2e-cli
has "Deleted queue e2e-cli"
expect_exit 1 get queue e2e-cli
echo "e2e cli: all checks passed"
