#!/usr/bin/env bash
# Keeps the runtime stage of images/Dockerfile honest without a container
# engine: reads the stage's apt-get install list, runs ldd on the built
# armada-server and armada-executor, maps every library to its Debian package
# (dpkg -S), and fails naming each library whose package the list misses and
# each listed package that no binary needs (ca-certificates excepted: data,
# not a library).
#   tests/deploy/image_runtime_libs.sh BUILD_DIR SOURCE_DIR
# Exits 77 (skipped) off Debian 12, whose packages the image uses.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR SOURCE_DIR" >&2; exit 2; }
BUILD_DIR=$1
SOURCE_DIR=$2
DOCKERFILE=$SOURCE_DIR/images/Dockerfile
BINARIES=("$BUILD_DIR/server/armada-server" "$BUILD_DIR/executor/armada-executor")
# Listed on purpose although no binary links them.
NOT_LIBRARIES=(ca-certificates)

fail() { echo "image_runtime_libs: $*" >&2; exit 1; }

# shellcheck source=/dev/null
if ! command -v dpkg >/dev/null || ! (. /etc/os-release && [ "$ID" = debian ] && [ "$VERSION_ID" = 12 ]); then
  echo "image_runtime_libs: skipped, not Debian 12 (the image's packages are Debian 12's)"
  exit 77
fi
[ -f "$DOCKERFILE" ] || fail "no $DOCKERFILE"

# The runtime stage's apt-get install list: in the stage "FROM ... AS runtime",
# the lines after "apt-get install" holding one package name and a "\".
mapfile -t listed < <(awk '
  /^FROM / { in_runtime = ($0 ~ / AS runtime$/); in_list = 0; next }
  in_runtime && /apt-get install/ { in_list = 1; next }
  in_list {
    if ($0 ~ /^[ \t]+[a-z0-9][a-z0-9.+-]+[ \t]*\\$/) print $1; else in_list = 0
  }' "$DOCKERFILE")
[ ${#listed[@]} -gt 0 ] || fail "found no package list in the runtime stage of $DOCKERFILE"
errors=()

# Every library file the binaries load ("name => /path (addr)" or
# "/path (addr)"; linux-vdso has no file), as "binary path" lines.
lib_lines=()
for bin in "${BINARIES[@]}"; do
  [ -x "$bin" ] || fail "no $bin: build armada-server and armada-executor first"
  ldd_out=$(ldd "$bin") || fail "ldd $bin failed"
  while read -r lib; do
    errors+=("$(basename "$bin"): $lib not found by ldd")
  done < <(awk '/not found/ {print $1}' <<<"$ldd_out")
  while read -r lib; do
    lib_lines+=("$(basename "$bin") $lib")
  done < <(awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' <<<"$ldd_out" | sort -u)
done

# Their owners, from one dpkg -S call over each path ldd printed, its real
# path and its /usr path (Debian 12 ships some under /lib, some under /usr/lib).
declare -A owner  # path -> package
candidates=()
for line in "${lib_lines[@]}"; do
  lib=${line#* }
  candidates+=("$lib" "$(readlink -f "$lib")" "/usr$lib")
done
while IFS= read -r out; do
  case "$out" in "diversion by"*) continue ;; esac
  pkg=${out%%: *}
  path=${out#*: }
  [ -n "${owner[$path]:-}" ] || owner[$path]=${pkg%%:*}
done < <(dpkg -S "${candidates[@]}" 2>/dev/null || true)

declare -A needed_by  # package -> "library (binary)" lines
for line in "${lib_lines[@]}"; do
  bin=${line%% *}
  lib=${line#* }
  pkg=""
  for path in "$lib" "$(readlink -f "$lib")" "/usr$lib"; do
    pkg=${owner[$path]:-}
    [ -z "$pkg" ] || break
  done
  if [ -n "$pkg" ]; then
    needed_by[$pkg]+="    $lib ($bin)"$'\n'
  else
    errors+=("$bin: $lib belongs to no Debian package")
  fi
done

declare -A is_listed
for pkg in "${listed[@]}"; do is_listed[$pkg]=1; done
for pkg in $(printf '%s\n' "${!needed_by[@]}" | sort); do
  if [ -z "${is_listed[$pkg]:-}" ]; then
    errors+=("package $pkg is missing from the runtime list; it holds:"$'\n'"${needed_by[$pkg]%$'\n'}")
  fi
done
for pkg in "${listed[@]}"; do
  if [ -z "${needed_by[$pkg]:-}" ] && ! printf '%s\n' "${NOT_LIBRARIES[@]}" | grep -qx "$pkg"; then
    errors+=("package $pkg is in the runtime list but no binary loads a library from it")
  fi
done

if [ ${#errors[@]} -gt 0 ]; then
  echo "image_runtime_libs: images/Dockerfile's runtime stage does not match the binaries:" >&2
  printf '  %s\n' "${errors[@]}" >&2
  exit 1
fi
echo "image_runtime_libs: ${#listed[@]} runtime packages cover every library of" \
  "$(printf '%s ' "${BINARIES[@]##*/}")(${#needed_by[@]} packages needed)"
