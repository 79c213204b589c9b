#!/usr/bin/env bash
# The whole test suite, from a fresh clone, as root: system packages, npm packages, then mocha.
# This is the README's test command, and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
# Root: the tests create network namespaces. A user with sudo gets it asked for here.
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then exec sudo -E bash "$PWD/scripts/test.sh" "$@"; fi
  echo "test.sh: run as root: the tests create network namespaces" >&2; exit 1
fi
bash scripts/install-test-deps.sh
npm ci --no-audit --no-fund
npm test
bash scripts/test-node18.sh
