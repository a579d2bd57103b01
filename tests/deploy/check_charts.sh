#!/usr/bin/env bash
# The charts' test (ctest deploy.charts): helm lint, helm template of every scenario and the
# checks of check_charts.mjs. Leaves the rendered manifests and the executor's RBAC rules
# (executor-rbac-rules.json) in BUILD_DIR/deploy.
# Usage: check_charts.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$1
SOURCE=$2
OUT="$BUILD/deploy"
helm=$("$SOURCE/tests/deploy/helm.sh" "$SOURCE" "$OUT/tools")
"$helm" version --short
cd "$SOURCE/tests/deploy"
exec node check_charts.mjs "$helm" "$SOURCE" "$BUILD" "$OUT"
