#!/usr/bin/env bash
# armadactl's credentials and TLS against stand-ins (armadactl_auth_test.py): a fake OpenID
# provider over HTTPS and fake QueueService servers (plaintext, TLS, mutual TLS) that record the
# authorization each call carries. Needs no PostgreSQL or Redis.
# Usage: run_armadactl_auth_test.sh BUILD_DIR TEST_DIR
set -euo pipefail
BUILD=$1
HERE=$2
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d /tmp/armadactl-auth.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# Debian's python3 with python3-grpcio and python3-protobuf (scripts/bootstrap).
PYTHON=/usr/bin/python3
"$PYTHON" -c 'import grpc, google.protobuf' || { echo "FAIL: python3-grpcio missing" >&2; exit 1; }
command -v openssl >/dev/null || { echo "FAIL: the openssl CLI is missing" >&2; exit 1; }

PYGEN="$WORK/pygen"
mkdir -p "$PYGEN"
(cd "$ROOT/proto" && protoc -I . --python_out="$PYGEN" --grpc_out="$PYGEN" \
  --plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin \
  api/*.proto $(find k8s.io -name '*.proto' | sort)) || { echo "FAIL: protoc" >&2; exit 1; }

# No proxy may stand between armadactl (gRPC, libcurl) and the loopback stand-ins.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY grpc_proxy all_proxy ALL_PROXY
PYTHONPATH="$PYGEN" timeout 150 "$PYTHON" "$HERE/armadactl_auth_test.py" "$BUILD/cli/armadactl" \
  "$WORK"
