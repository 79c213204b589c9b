#!/usr/bin/env bash
# The README's first quick-start command: from a clone, get what nic-offload needs and install it.
# Works as root (no sudo needed) or as a user with sudo; on a fresh Debian/Ubuntu or with a Node
# installed from elsewhere (NodeSource, nvm, the official tarball): system packages are installed
# only when missing, and npm only when there is no npm (Debian's npm conflicts with NodeSource's
# nodejs, which brings its own).
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "install.sh: need root for: $*  (run as root, or install sudo)" >&2; exit 1
  fi
}
missing=()
node_ok() { command -v node >/dev/null && node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'; }
node_ok || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  node_ok || { echo "install.sh: Node.js $(node --version 2>/dev/null) is older than 18; install Node 18 or newer" >&2; exit 1; }
fi
# The prebuilt addon covers linux-x64/arm64/armv7 with glibc; elsewhere npm compiles the sources,
# which needs a compiler: install one only then.
if ! node -e "process.exit(require('fs').existsSync('prebuilds/linux-' + process.arch) ? 0 : 1)"; then
  command -v g++ >/dev/null && command -v make >/dev/null && command -v python3 >/dev/null ||
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends g++ make python3
fi
npm install --no-audit --no-fund --prefer-offline
