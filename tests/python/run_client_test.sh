#!/usr/bin/env bash
# The Python client test: Python stubs generated from our protos, as Armada's
# Python client generates its own, calling a real armada-server (with a local
# executor) over throwaway PostgreSQL and Redis. armada_client_test.py holds
# the calls and the checks.
# Usage: run_client_test.sh BUILD_DIR TEST_DIR
set -euo pipefail
BUILD=$1
HERE=$2
PORT=20175
HTTP_PORT=20185
source "$HERE/../e2e/common.sh"

# Debian's python3 (python3-grpcio, python3-protobuf); a python3 earlier on
# PATH (pyenv) cannot see those packages.
PYTHON=/usr/bin/python3
"$PYTHON" -c 'import grpc, google.protobuf, yaml' ||
  fail "python3-grpcio / python3-protobuf / python3-yaml missing (scripts/bootstrap)"

# Stubs for api/*.proto and the Kubernetes protos they import, with Debian's
# protoc and gRPC Python plugin; google/protobuf/* come with protoc.
PYGEN="$WORK/pygen"
mkdir -p "$PYGEN"
(cd "$ROOT/proto" && protoc -I . --python_out="$PYGEN" --grpc_out="$PYGEN" \
  --plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin \
  api/*.proto $(find k8s.io -name '*.proto' | sort)) || fail "protoc could not generate the stubs"

cat >"$WORK/server.yaml" <<YAML
grpcAddress: 127.0.0.1:$PORT
httpAddress: 127.0.0.1:$HTTP_PORT
schedulePeriod: 200ms
YAML
cat >"$WORK/executor.yaml" <<YAML
serverUrl: 127.0.0.1:$PORT
executorId: py-executor
nodeName: py-node
workDir: $WORK/runs
leasePeriod: 200ms
capacity: {cpu: "4", memory: 8Gi}
YAML
"$BUILD/server/armada-server" --config "$WORK/server.yaml" >"$WORK/server.log" 2>&1 &
pids+=($!)
"$BUILD/executor/armada-executor" --config "$WORK/executor.yaml" >"$WORK/executor.log" 2>&1 &
pids+=($!)

PYTHONPATH="$PYGEN" timeout 150 "$PYTHON" "$HERE/armada_client_test.py" "127.0.0.1:$PORT" \
  "$HERE/testcases" \
  >"$WORK/client.log" 2>&1 || { cat "$WORK/client.log"; fail "the Python client test failed"; }
cat "$WORK/client.log"
