#!/usr/bin/env bash
# Prints a directory holding what the ARM VM boots, from Debian's archive:
#   vmlinuz, busybox (static), mods/*.ko (virtio_net, virtio_mmio and their dependencies),
#   mods/order (load order, dependencies first), ethtool + libmnl.so.0 (the oracle inside the VM).
# Usage: scripts/arm-vm/fetch-debian.sh armhf|arm64
# Kernel and busybox are fetched with `apt-get download` through a private apt config
# (APT_CONFIG) whose architecture is the target's: the host's dpkg gets no foreign architecture
# and its own apt state is not touched. Cached under $NIC_OFFLOAD_TEST_CACHE (default
# ~/.cache/nic-offload-test)/debian-<arch>; fetched again when that is missing.
set -euo pipefail
arch=$1
case $arch in
  armhf) flavour=armmp ;;
  arm64) flavour=arm64 ;;
  *) echo "usage: $0 armhf|arm64" >&2; exit 2 ;;
esac
cache=${NIC_OFFLOAD_TEST_CACHE:-$HOME/.cache/nic-offload-test}
dest=$cache/debian-$arch
if [ -f "$dest/complete.v2" ]; then echo "$dest"; exit 0; fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/.fetch-$arch.XXXXXX")
trap 'rm -rf "$work"' EXIT
apt=$work/apt
mkdir -p "$apt/state/lists/partial" "$apt/cache/archives/partial" "$apt/sources" "$work/debs" "$work/x" "$work/out/mods"
touch "$apt/state/status"
# The host's Debian sources (not third-party ones, which may not carry $arch).
# Any architecture restriction in them is dropped: it would hide $arch.
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  grep -v '^Architectures:' /etc/apt/sources.list.d/debian.sources > "$apt/sources/debian.sources"
elif grep -qsE '^deb .*(deb|security)\.debian\.org' /etc/apt/sources.list; then
  grep -E '^deb .*(deb|security)\.debian\.org' /etc/apt/sources.list | sed -E 's/(\[| )arch=[^] ]+ ?/\1/; s/\[ *\] //' > "$apt/sources/debian.list"
else
  # Not a Debian host (e.g. Ubuntu): Debian's archive, checked with debian-archive-keyring.
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main" > "$apt/sources/debian.list"
fi
cat > "$apt/apt.conf" <<CONF
Dir::State "$apt/state"; Dir::State::status "$apt/state/status"; Dir::Cache "$apt/cache";
Dir::Etc::SourceList "/dev/null"; Dir::Etc::SourceParts "$apt/sources";
APT::Architecture "$arch"; APT::Architectures { "$arch"; }; Acquire::Languages "none";
APT::Sandbox::User "root";
CONF
export APT_CONFIG=$apt/apt.conf
# A suite that is mid-sync (seen with bookworm-security) must not stop us: main is enough.
apt-get update -qq >"$work/update.log" 2>&1 || true
kpkg=$(apt-cache depends "linux-image-$flavour" | grep -oE 'linux-image-[0-9][^ ]*' | head -1)
[ -n "$kpkg" ] || { cat "$work/update.log" >&2; echo "no kernel package behind linux-image-$flavour" >&2; exit 1; }
(cd "$work/debs" && apt-get download -qq "$kpkg" busybox-static ethtool libmnl0)

# Only the kernel image and the directories the NIC modules live in (the .deb has no modules.dep:
# depmod makes it at install time, so dependencies come from each module's .modinfo).
dpkg-deb --fsys-tarfile "$work/debs/${kpkg}_"*.deb | tar -x -C "$work/x" --wildcards './boot/vmlinuz-*' \
  './lib/modules/*/kernel/drivers/virtio/*' './lib/modules/*/kernel/drivers/net/*' './lib/modules/*/kernel/net/*'
for p in busybox-static ethtool libmnl0; do dpkg -x "$work/debs/${p}_"*.deb "$work/x"; done
cp "$work/x/boot/vmlinuz-"* "$work/out/vmlinuz"
cp "$work/x/bin/busybox" "$work/out/busybox"
cp "$(find "$work/x" -path '*sbin/ethtool' -type f | head -1)" "$work/out/ethtool"
cp -L "$(find "$work/x" -name 'libmnl.so.0' | head -1)" "$work/out/libmnl.so.0"
add_module() { # name: its dependencies first, then itself; built-in ones are not found and skipped
  local f dep
  grep -qx "$1" "$work/out/mods/order" 2>/dev/null && return 0
  f=$(find "$work/x/lib/modules" -name "$1.ko" -o -name "${1//_/-}.ko" | head -1)
  [ -n "$f" ] || return 0
  for dep in $(tr '\0' '\n' < "$f" | sed -n 's/^depends=//p' | tr ',' ' '); do add_module "$dep"; done
  cp "$f" "$work/out/mods/$1.ko"
  echo "$1" >> "$work/out/mods/order"
}
touch "$work/out/mods/order"
add_module virtio_mmio
add_module virtio_net
echo "$kpkg" > "$work/out/kernel-package"
touch "$work/out/complete.v2"
rm -rf "$dest" && mv "$work/out" "$dest"
echo "$dest"
