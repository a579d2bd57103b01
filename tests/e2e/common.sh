# Shared by the end-to-end scripts (source it after setting BUILD and HERE):
# a work directory, throwaway PostgreSQL and Redis (scripts/testenv, on the
# ports CTest sets), background processes stopped at exit, and helpers.
# Every port the tests listen on is below Linux's ephemeral range (32768 up):
# a port in it can be taken at any moment as the source of an outgoing
# connection, which once made a server fail to listen here.
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d /tmp/armada-e2e-work.XXXXXX)
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$ROOT/scripts/testenv" stop
  rm -rf "$WORK"
}
trap cleanup EXIT

# fail MESSAGE: prints it and the tail of every log in the work directory, exits 1.
fail() {
  echo "FAIL: $*" >&2
  for log in "$WORK"/*.log; do
    [ -f "$log" ] || continue
    echo "--- $(basename "$log")" >&2
    tail -n 30 "$log" >&2
  done
  exit 1
}

# wait_for SECONDS COMMAND...: until COMMAND succeeds; non-zero if it never does.
wait_for() {
  local tries=$(($1 * 10)); shift
  for _ in $(seq "$tries"); do "$@" && return 0; sleep 0.1; done
  return 1
}

eval "$("$ROOT/scripts/testenv" start | sed 's/^/export /')"
