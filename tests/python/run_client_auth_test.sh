#!/usr/bin/env bash
# Basic authentication end to end: armada-server with examples/auth/server.yaml (on test ports)
# and a local executor logged in as `executor`, then
#   * Armada's Python client (armada_client_auth_test.py): call credentials for Basic auth on the
#     channel; alice submits to team-a and watches, bob gets PERMISSION_DENIED, no credentials
#     UNAUTHENTICATED;
#   * armadactl with basicAuth contexts: the same outcomes from the command line.
# Usage: run_client_auth_test.sh BUILD_DIR TEST_DIR
set -euo pipefail
BUILD=$1
HERE=$2
PORT=20173
HTTP_PORT=20183
source "$HERE/../e2e/common.sh"

PYTHON=/usr/bin/python3
"$PYTHON" -c 'import grpc, google.protobuf' || fail "python3-grpcio / python3-protobuf missing (scripts/bootstrap)"
[ -f "$ROOT/examples/auth/server.yaml" ] || fail "examples/auth/server.yaml is missing"

PYGEN="$WORK/pygen"
mkdir -p "$PYGEN"
(cd "$ROOT/proto" && protoc -I . --python_out="$PYGEN" --grpc_out="$PYGEN" \
  --plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin \
  api/*.proto $(find k8s.io -name '*.proto' | sort)) || fail "protoc could not generate the stubs"

# The example's users and permissions, on this test's ports.
sed -e "s/^grpcAddress:.*/grpcAddress: 127.0.0.1:$PORT/" \
    -e "s/^httpAddress:.*/httpAddress: 127.0.0.1:$HTTP_PORT/" \
    -e "s/^schedulePeriod:.*/schedulePeriod: 200ms/" \
    "$ROOT/examples/auth/server.yaml" >"$WORK/server.yaml"
cat >"$WORK/executor.yaml" <<YAML
serverUrl: 127.0.0.1:$PORT
executorId: local
nodeName: auth-node
workDir: $WORK/runs
leasePeriod: 200ms
capacity: {cpu: "4", memory: 8Gi}
auth: {username: executor, password: executor-password}
YAML
"$BUILD/server/armada-server" --config "$WORK/server.yaml" >"$WORK/server.log" 2>&1 &
pids+=($!)
"$BUILD/executor/armada-executor" --config "$WORK/executor.yaml" >"$WORK/executor.log" 2>&1 &
pids+=($!)

PYTHONPATH="$PYGEN" timeout 150 "$PYTHON" "$HERE/armada_client_auth_test.py" "127.0.0.1:$PORT" \
  >"$WORK/client.log" 2>&1 || { cat "$WORK/client.log"; fail "the Python client auth test failed"; }
cat "$WORK/client.log"

# --- armadactl: basicAuth contexts (a loopback armadaUrl without TLS keys is plaintext).
export ARMADACTL_CONFIG="$WORK/armadactl.yaml"
unset ARMADA_URL
cat >"$ARMADACTL_CONFIG" <<YAML
contexts:
  alice:
    armadaUrl: 127.0.0.1:$PORT
    basicAuth: {username: alice, password: alice-password}
  bob:
    armadaUrl: 127.0.0.1:$PORT
    basicAuth: {username: bob, password: bob-password}
  nobody:
    armadaUrl: 127.0.0.1:$PORT
YAML
cat >"$WORK/jobs.yaml" <<'YAML'
queue: team-a
jobSetId: ctl-auth
jobs:
  - podSpec:
      containers:
        - name: main
          image: busybox:latest
          command: [sh, -c, "echo hello from armadactl"]
          resources:
            requests: {cpu: 100m, memory: 64Mi}
            limits: {cpu: 100m, memory: 64Mi}
YAML
CTL="$BUILD/cli/armadactl"
echo "== armadactl: alice submits to team-a and watches it to success"
"$CTL" --context alice submit "$WORK/jobs.yaml" >"$WORK/submit.out" 2>&1 ||
  fail "alice's submit failed: $(cat "$WORK/submit.out")"
grep -q "Submitted job id" "$WORK/submit.out" || fail "no job id: $(cat "$WORK/submit.out")"
timeout 60 "$CTL" --context alice watch team-a ctl-auth --exit-if-inactive >"$WORK/watch.out" 2>&1 ||
  fail "alice's watch failed: $(cat "$WORK/watch.out")"
grep -q "Succeeded" "$WORK/watch.out" || fail "no Succeeded event: $(cat "$WORK/watch.out")"
# expect_refused CONTEXT REGEX COMMAND...: armadactl exits 1 and its "Error: " line matches
# REGEX (extended, case-insensitive).
expect_refused() {
  local context=$1 regex=$2; shift 2
  local got=0
  "$CTL" --context "$context" "$@" >"$WORK/out" 2>&1 || got=$?
  [ "$got" -eq 1 ] || fail "armadactl --context $context $*: exit $got, want 1: $(cat "$WORK/out")"
  grep -Eqi -- "^Error: .*($regex)" "$WORK/out" ||
    fail "armadactl --context $context $*: expected an error matching '$regex': $(cat "$WORK/out")"
  echo "   $context $1: $(grep '^Error: ' "$WORK/out" | head -n 1)"
}
echo "== armadactl: bob is refused, no credentials are refused"
DENIED="permission|denied|not allowed|may not"
expect_refused bob "$DENIED" submit "$WORK/jobs.yaml"
expect_refused bob "$DENIED" watch team-a ctl-auth --exit-if-inactive
expect_refused nobody "authenticat|credentials" submit "$WORK/jobs.yaml"
echo "armadactl with basicAuth: all checks passed"
