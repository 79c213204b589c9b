#!/usr/bin/env bash
# Installs every system package the test suite needs (Debian/Ubuntu, as root). Idempotent.
# One list for all areas; add to it rather than installing by hand.
set -euo pipefail
PKGS=(
  # build
  build-essential python3 make g++ binutils
  # core tests: namespaces and the ethtool oracle; setpriv for the EPERM test
  iproute2 ethtool util-linux
  # persistence consumers: ifup, udevadm, nmcli --offline
  ifupdown udev network-manager
  # persistence: patch(1) checks the --dry-run diffs
  patch
  # prebuilds for ARM and their tests on real ARM kernels
  g++-arm-linux-gnueabihf g++-aarch64-linux-gnu qemu-system-arm cpio debian-archive-keyring
  # fleets example
  ansible
  # doctor/guard: dmesg(1) renders the log fixtures (util-linux); systemctl --root and
  # systemd-analyze verify check the guard's unit; journalctl reads, and systemd-journal-remote
  # writes, the journal files of the --journal tests
  systemd systemd-journal-remote
  # doctor: log renderings at pinned dates, zones and locales (libfaketime; localedef's sources;
  # dmesg's translated formats; gettext(1) reads them as the oracle)
  faketime locales util-linux-locales gettext-base tzdata
  # misc tools used by tests and the benchmark
  gzip procps
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
