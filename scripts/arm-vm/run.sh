#!/usr/bin/env bash
# Boots a Debian ARM kernel under qemu-system with an initramfs holding busybox, official ARM
# Node binaries and an app directory, and runs `node smoke.js eth0` there with each Node.
# Usage: scripts/arm-vm/run.sh armhf|arm64 APP_DIR NODE_BINARY...
#   APP_DIR: a directory with smoke.js and node_modules/ (the installed package).
#   NODE_BINARY: an official node for armv7l or arm64 (scripts/prebuilds/fetch-node.sh);
#   the 32-bit one also runs on the arm64 kernel (compat ioctls, like 32-bit Raspberry Pi OS on a Pi 3/4).
# Prints the VM console; the VM's lines start with "VM:" and the smoke test's with PASS/FAIL.
# The guest NIC is user-mode networking with restrict=on: nothing leaves this machine.
set -euo pipefail
kernel_arch=$1 app=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
deb=$(bash "$here/fetch-debian.sh" "$kernel_arch")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
R=$work/root
mkdir -p "$R/bin" "$R/lib" "$R/proc" "$R/sys" "$R/dev" "$R/mods" "$R/nodes" "$R/app"
cp "$deb/busybox" "$R/bin/busybox"
cp "$deb/mods/"* "$R/mods/"
cp "$here/init" "$R/init" && chmod 755 "$R/init"
cp -r "$app/." "$R/app/"

# Each userland gets the C/C++ runtime of its arch from the cross toolchain's lib dir, in the
# multiarch dir its ld.so searches, so 32- and 64-bit userlands can share one root.
add_runtime() { # triple ldso
  [ -e "$R/lib/$2" ] && return 0
  mkdir -p "$R/lib/$1"
  cp -L "/usr/$1/lib/$2" "$R/lib/"
  for f in libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 libstdc++.so.6 libgcc_s.so.1 libatomic.so.1; do
    cp -L "/usr/$1/lib/$f" "$R/lib/$1/"
  done
}
case $kernel_arch in # ethtool, the oracle, is the kernel's arch
  armhf) add_runtime arm-linux-gnueabihf ld-linux-armhf.so.3; cp "$deb/libmnl.so.0" "$R/lib/arm-linux-gnueabihf/" ;;
  arm64) add_runtime aarch64-linux-gnu ld-linux-aarch64.so.1; cp "$deb/libmnl.so.0" "$R/lib/aarch64-linux-gnu/" ;;
  *) echo "usage: $0 armhf|arm64 APP_DIR NODE_BINARY..." >&2; exit 2 ;;
esac
cp "$deb/ethtool" "$R/bin/ethtool"
for n in "$@"; do
  case $(od -An -tx1 -j4 -N1 "$n" | tr -d ' ') in # ELF class: 01 32-bit, 02 64-bit
    01) add_runtime arm-linux-gnueabihf ld-linux-armhf.so.3; label=armv7l ;;
    02) add_runtime aarch64-linux-gnu ld-linux-aarch64.so.1; label=arm64 ;;
  esac
  mkdir -p "$R/nodes/$label" && cp "$n" "$R/nodes/$label/node"
done
(cd "$R" && find . | cpio -o -H newc --quiet) > "$work/initrd.cpio"

case $kernel_arch in
  armhf) qemu=(qemu-system-arm -M virt -cpu cortex-a7 -m 1024) ;;      # Pi 2: Cortex-A7
  arm64) qemu=(qemu-system-aarch64 -M virt -cpu cortex-a72 -m 1536) ;;  # Pi 4: Cortex-A72
esac
"${qemu[@]}" -smp 1 -display none -no-reboot -monitor none -serial stdio \
  -kernel "$deb/vmlinuz" -initrd "$work/initrd.cpio" \
  -append "console=ttyAMA0 rdinit=/init panic=-1 quiet" \
  -netdev user,id=n0,restrict=on -device virtio-net-device,netdev=n0 </dev/null
