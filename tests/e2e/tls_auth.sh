#!/usr/bin/env bash
# TLS and authentication between every pair of processes, with the real
# binaries and examples/auth/server-tls.yaml (on test ports):
#   armadactl  -> server      TLS (test CA) + Basic auth (admin creates team-a, alice submits, watches)
#   executor   -> server      mutual TLS: its client certificate (CN=executor) is its identity
#   curl       -> server      HTTPS REST with Basic auth; /health open, /metrics protected
#   server     -> PostgreSQL  sslmode=verify-full against testenv's CA
#   server     -> Redis       rediss:// to a TLS-only redis-server started here
# and an executor without a certificate or password cannot lease.
# Usage: tls_auth.sh BUILD_DIR TEST_DIR
set -euo pipefail
BUILD=$1
HERE=$2
PORT=20191
HTTP_PORT=20192
REDIS_TLS_PORT=20193
source "$HERE/common.sh"

CERTS="$WORK/certs"
"$ROOT/scripts/make-test-certs" "$CERTS" >/dev/null || fail "make-test-certs failed"

# Redis over TLS only (port 0: no plain-text port).
redis-server --port 0 --tls-port "$REDIS_TLS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  --tls-cert-file "$CERTS/server.crt" --tls-key-file "$CERTS/server.key" \
  --tls-ca-cert-file "$CERTS/ca.crt" --tls-auth-clients no >"$WORK/redis-tls.log" 2>&1 &
pids+=($!)
wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$REDIS_TLS_PORT" 2>/dev/null ||
  fail "redis-server with TLS did not start"
export REDIS_URL="rediss://127.0.0.1:$REDIS_TLS_PORT/0?ssl_ca_certs=$CERTS/ca.crt"
# PostgreSQL over TLS, verified (testenv serves a certificate from its own CA).
export DATABASE_URL="$DATABASE_URL?sslmode=verify-full&sslrootcert=$TESTENV_DIR/certs/ca.crt"

sed -e "s|^grpcAddress:.*|grpcAddress: 127.0.0.1:$PORT|" \
    -e "s|^httpAddress:.*|httpAddress: 127.0.0.1:$HTTP_PORT|" \
    -e "s|^schedulePeriod:.*|schedulePeriod: 200ms|" \
    -e "s|/tmp/armada-certs|$CERTS|g" \
    "$ROOT/examples/auth/server-tls.yaml" >"$WORK/server.yaml"
sed -e "s|^serverUrl:.*|serverUrl: localhost:$PORT|" \
    -e "s|/tmp/armada-certs|$CERTS|g" \
    -e "s|^nodeName:.*|nodeName: tls-node\nworkDir: $WORK/runs\nleasePeriod: 200ms\ncapacity: {cpu: \"4\", memory: 8Gi}|" \
    "$ROOT/examples/auth/executor-tls.yaml" >"$WORK/executor.yaml"
"$BUILD/server/armada-server" --config "$WORK/server.yaml" >"$WORK/server.log" 2>&1 &
pids+=($!)
wait_for 30 curl -sf --cacert "$CERTS/ca.crt" "https://localhost:$HTTP_PORT/health" -o /dev/null ||
  fail "the server did not answer /health over HTTPS"
grep -q "TLS" "$WORK/server.log" || fail "the server does not say it serves TLS"

# An impostor executor: no certificate, no password.
cat >"$WORK/impostor.yaml" <<YAML
serverUrl: localhost:$PORT
executorId: local
nodeName: impostor-node
workDir: $WORK/impostor
leasePeriod: 200ms
capacity: {cpu: "64", memory: 512Gi}
tls: {caFile: $CERTS/ca.crt}
YAML
"$BUILD/executor/armada-executor" --config "$WORK/impostor.yaml" >"$WORK/impostor.log" 2>&1 &
pids+=($!)
wait_for 30 grep -q "UNAUTHENTICATED\|no credentials" "$WORK/impostor.log" ||
  fail "the executor without credentials was not refused"
"$BUILD/executor/armada-executor" --config "$WORK/executor.yaml" >"$WORK/executor.log" 2>&1 &
pids+=($!)

export ARMADACTL_CONFIG="$WORK/armadactl.yaml"
unset ARMADA_URL
sed -e "s|127.0.0.1:50051|127.0.0.1:$PORT|; s|localhost:50051|localhost:$PORT|" \
    -e "s|/tmp/armada-certs|$CERTS|g" "$ROOT/examples/auth/armadactl.yaml" >"$ARMADACTL_CONFIG"
CTL="$BUILD/cli/armadactl"
echo "== armadactl over TLS: admin creates team-a, alice submits and watches"
"$CTL" --context admin-tls create -f "$ROOT/examples/auth/queue-team-a.yaml" >"$WORK/create.out" 2>&1 ||
  fail "admin could not create team-a: $(cat "$WORK/create.out")"
"$CTL" --context alice-tls submit "$ROOT/examples/auth/job-team-a.yaml" >"$WORK/submit.out" 2>&1 ||
  fail "alice's submit failed: $(cat "$WORK/submit.out")"
timeout 60 "$CTL" --context alice-tls watch team-a hello-auth --exit-if-inactive >"$WORK/watch.out" 2>&1 ||
  fail "alice's watch failed: $(cat "$WORK/watch.out")"
grep -q "Succeeded" "$WORK/watch.out" || fail "no Succeeded event: $(cat "$WORK/watch.out")"
# The plain-text context cannot talk to the TLS port.
if "$CTL" --context alice get queues >"$WORK/plain.out" 2>&1; then
  fail "a plain-text client was served by the TLS port"
fi
grep -q "impostor-node" "$WORK/server.log" && fail "the impostor's node reached the server"

echo "== REST over HTTPS"
code=$(curl -s -o "$WORK/rest.out" -w '%{http_code}' --cacert "$CERTS/ca.crt" \
  "https://localhost:$HTTP_PORT/v1/queue/team-a")
[ "$code" = 401 ] || fail "REST without credentials: HTTP $code, want 401"
code=$(curl -s -o "$WORK/rest.out" -w '%{http_code}' --cacert "$CERTS/ca.crt" -u alice:alice-password \
  "https://localhost:$HTTP_PORT/v1/queue/team-a")
[ "$code" = 200 ] || fail "REST as alice: HTTP $code: $(cat "$WORK/rest.out")"
grep -q '"team-a"' "$WORK/rest.out" || fail "REST as alice: no queue in $(cat "$WORK/rest.out")"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CERTS/ca.crt" "https://localhost:$HTTP_PORT/metrics")
[ "$code" = 401 ] || fail "/metrics without credentials: HTTP $code, want 401"

echo "== the server's own connections are TLS"
PGSSL=$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE s.ssl AND a.application_name <> 'psql'")
[ "$PGSSL" -gt 0 ] || fail "no server connection to PostgreSQL uses TLS"
echo "tls_auth: all checks passed"
