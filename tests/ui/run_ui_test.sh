#!/usr/bin/env bash
# Browser test of the web UI: the real armada-server and a local-backend
# armada-executor over throwaway PostgreSQL and Redis, jobs in several states
# (succeeded, failed, running, queued because they cannot fit), then
# lookout.test.mjs drives Debian's headless Chromium through what a user does.
# Usage: run_ui_test.sh BUILD_DIR TEST_DIR [SCREENSHOT_DIR]
# SCREENSHOT_DIR defaults to BUILD_DIR/ui-screenshots; docs/ui/ holds the
# committed ones (scripts/ui-screenshots refreshes them).
set -euo pipefail
BUILD=$1
HERE=$2
SHOTS=${3:-$BUILD/ui-screenshots}
PORT=20261
HTTP_PORT=20281
BINOCULARS_PORT=20291
source "$HERE/../e2e/common.sh"

[ -x /usr/bin/chromium ] || fail "no /usr/bin/chromium: scripts/bootstrap installs it"
[ -d "$HERE/node_modules/playwright-core" ] ||
  fail "no playwright-core in $HERE/node_modules: run 'npm ci --prefix tests/ui' (scripts/bootstrap does)"

echo "ui-test-binoculars-token" >"$WORK/binoculars.token"
cat >"$WORK/server.yaml" <<YAML
grpcAddress: 127.0.0.1:$PORT
httpAddress: 127.0.0.1:$HTTP_PORT
schedulePeriod: 1s
binoculars:
  executorUrls: {ui-executor: "127.0.0.1:$BINOCULARS_PORT"}
  tokenFile: $WORK/binoculars.token
YAML
cat >"$WORK/executor.yaml" <<YAML
serverUrl: 127.0.0.1:$PORT
executorId: ui-executor
nodeName: ui-node
workDir: $WORK/runs
leasePeriod: 200ms
capacity: {cpu: "4", memory: 8Gi}
binoculars:
  listen: 127.0.0.1:$BINOCULARS_PORT
  tokenFile: $WORK/binoculars.token
YAML
"$BUILD/server/armada-server" --config "$WORK/server.yaml" >"$WORK/server.log" 2>&1 &
pids+=($!)
"$BUILD/executor/armada-executor" --config "$WORK/executor.yaml" >"$WORK/executor.log" 2>&1 &
pids+=($!)

ctl() { "$BUILD/cli/armadactl" --armadaUrl "127.0.0.1:$PORT" "$@"; }
wait_for 10 ctl get queues >/dev/null 2>&1 || fail "the server does not answer"
ctl create queue ui-a >/dev/null || fail "create queue ui-a"
ctl create queue ui-b >/dev/null || fail "create queue ui-b"

MARKER="armada-ui-$(basename "$WORK")"
job() { # job NAME CPU COMMAND
  cat <<YAML
  - podSpec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: $1
          image: busybox:latest
          command: [sh, -c, '$3']
          resources:
            requests: {cpu: $2, memory: 64Mi}
            limits: {cpu: $2, memory: 64Mi}
YAML
}
{
  echo "queue: ui-a"
  echo "jobSetId: finished-set"
  echo "jobs:"
  job greet 100m 'echo hello from the ui test; echo second line'
  job greet2 100m 'echo another job'
  job fails 100m 'echo about to fail >&2; exit 3'
} >"$WORK/finished.yaml"
{
  echo "queue: ui-a"
  echo "jobSetId: too-big"
  echo "jobs:"
  job huge 64 'echo never runs'
} >"$WORK/too-big.yaml"
{
  echo "queue: ui-b"
  echo "jobSetId: long-set"
  echo "jobs:"
  for i in 1 2 3; do job "sleeper$i" 500m "sleep 300; : $MARKER"; done
} >"$WORK/long.yaml"
for f in finished too-big long; do
  ctl submit "$WORK/$f.yaml" >"$WORK/submit-$f.out" || fail "submit $f: $(cat "$WORK/submit-$f.out")"
done
timeout 60 "$BUILD/cli/armadactl" --armadaUrl "127.0.0.1:$PORT" watch ui-a finished-set \
  --exit-if-inactive >"$WORK/watch.out" || fail "finished-set did not finish"
running() { [ "$(pgrep -fc "$MARKER")" -ge 3 ]; }
wait_for 30 running || fail "the long jobs never all started"
# The job that cannot fit has been considered by a cycle: it has a report.
reported() { curl -sf "http://127.0.0.1:$HTTP_PORT/v1/job/$1/scheduler-report" | grep -q "not scheduled"; }
HUGE=$(sed -n 's/^Submitted job id: \([^ ]*\).*/\1/p' "$WORK/submit-too-big.out")
wait_for 30 reported "$HUGE" || fail "no scheduling report for $HUGE"

# armadactl logs reads through the server's Binoculars, not the executor's disk.
GREET=$(sed -n 's/^Submitted job id: \([^ ]*\).*/\1/p' "$WORK/submit-finished.out" | head -1)
ctl logs "$GREET" >"$WORK/logs.out" 2>&1 || fail "armadactl logs $GREET: $(cat "$WORK/logs.out")"
grep -q "hello from the ui test" "$WORK/logs.out" || fail "armadactl logs: $(cat "$WORK/logs.out")"

mkdir -p "$SHOTS"
ARMADA_UI_URL="http://127.0.0.1:$HTTP_PORT" ARMADA_UI_SHOTS="$SHOTS" ARMADA_UI_MARKER="$MARKER" \
  ARMADA_UI_HUGE_JOB="$HUGE" node --test --test-concurrency=1 "$HERE/lookout.test.mjs" \
  || fail "browser tests failed"
gone() { ! pgrep -f "$MARKER" >/dev/null; }
wait_for 20 gone || fail "jobs cancelled in the UI are still running"
echo "ui: all checks passed"
