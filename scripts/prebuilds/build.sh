#!/usr/bin/env bash
# Builds the prebuilt addons with prebuildify (--napi --strip --tag-libc) into
# prebuilds/linux-<arch>/nic-offload.glibc.node and records their sources in prebuilds/SOURCES.sha256.
# Usage: scripts/prebuilds/build.sh [x64] [arm64] [arm]          (default: all three, in parallel)
# Each build runs in a temporary copy of native/ + binding.gyp, so build/Release is never touched.
# Needs g++, make, python3 and Debian's g++-aarch64-linux-gnu / g++-arm-linux-gnueabihf; no network.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(x64 arm64 arm)

# node-gyp compiles against local Node headers (Node-API headers are the same for every arch);
# without a nodedir it would try to download them.
if [ -z "${npm_config_nodedir:-}" ]; then
  prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  [ -f "$prefix/include/node/node_api.h" ] || { echo "no Node headers under $prefix/include/node: set npm_config_nodedir" >&2; exit 1; }
  export npm_config_nodedir=$prefix
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

build_one() { # arch triple
  local arch=$1 triple=$2 dir=$work/$1
  mkdir -p "$dir"
  cp -r native binding.gyp package.json "$dir/"
  # gyp writes the Makefiles of node-addon-api's targets next to its .gyp file, resolved relative to the
  # build dir: with one shared node_modules the three parallel builds wrote the same .mk files at once
  # and make failed with "missing separator". Each build gets its own copy of node-addon-api (small);
  # every other package is a link to the real one.
  mkdir "$dir/node_modules"
  local m
  for m in "$ROOT"/node_modules/* "$ROOT"/node_modules/.bin; do
    case ${m##*/} in
      node-addon-api) cp -rL "$m" "$dir/node_modules/" ;;
      *) ln -s "$(readlink -f "$m")" "$dir/node_modules/${m##*/}" ;;
    esac
  done
  # prebuildify keeps a work directory under TMPDIR: give it ours, which the trap removes.
  (cd "$dir" && TMPDIR=$work CC=$triple-gcc CXX=$triple-g++ ./node_modules/.bin/prebuildify \
    --napi --strip --tag-libc --arch "$arch" --strip-bin "$triple-strip") >"$dir.log" 2>&1
}

pids=()
for t in "${targets[@]}"; do
  case $t in
    x64) triple=x86_64-linux-gnu ;;
    arm64) triple=aarch64-linux-gnu ;;
    arm) triple=arm-linux-gnueabihf ;;
    *) echo "unknown target '$t' (x64, arm64, arm)" >&2; exit 2 ;;
  esac
  command -v "$triple-g++" >/dev/null || { echo "$triple-g++ not found (apt-get install g++-${triple//_/-})" >&2; exit 1; }
  build_one "$t" "$triple" &
  pids+=("$!")
done

failed=0
for i in "${!targets[@]}"; do
  t=${targets[$i]}
  if wait "${pids[$i]}"; then
    mkdir -p "prebuilds/linux-$t"
    cp "$work/$t/prebuilds/linux-$t/nic-offload.glibc.node" "prebuilds/linux-$t/"
    echo "prebuilds/linux-$t/nic-offload.glibc.node: $(stat -c %s "prebuilds/linux-$t/nic-offload.glibc.node") bytes"
  else
    echo "build for $t failed:" >&2; cat "$work/$t.log" >&2; failed=1
  fi
done
[ $failed = 0 ] || exit 1
node scripts/prebuilds/sources.js record "${targets[@]/#/linux-}"
