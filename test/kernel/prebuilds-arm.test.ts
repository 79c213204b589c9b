// The ARM prebuilds on real ARM kernels: Debian's armmp kernel under qemu-system-arm (-M virt
// -cpu cortex-a7, the Pi 2's core) and its arm64 kernel under qemu-system-aarch64, each booting
// an initramfs with official ARM Node binaries and the packed package, which runs
// test/arm/smoke.js: read the virtio NIC's features and change one through SIOCETHTOOL.
// (qemu-user cannot do this: it answers SIOCETHTOOL with ENOSYS.) Also `npm run test:arm`.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { fetchNode, NODES, Packed, packAndInstall, removeDir, ROOT, sh } from '../arm/packed';

/** Boots the VM; returns the console and, per Node label, the smoke test's lines and exit code. */
function boot(kernelArch: 'armhf' | 'arm64', app: string, nodes: string[]) {
  const r = sh('bash', [path.join(ROOT, 'scripts/arm-vm/run.sh'), kernelArch, app, ...nodes], { timeout: 240_000 });
  const out = r.stdout + r.stderr;
  const runs = new Map<string, { lines: string[]; exit: number | undefined }>();
  let cur: { lines: string[]; exit: number | undefined } | undefined;
  for (const line of out.split(/\r?\n/)) {
    let m;
    if ((m = /^VM: node (\S+) exit=(\d+)/.exec(line))) {
      if (cur) cur.exit = Number(m[2]);
      cur = undefined;
    } else if ((m = /^VM: node (\S+)$/.exec(line))) {
      cur = { lines: [], exit: undefined };
      runs.set(m[1], cur);
    } else if (cur && /^(PASS|FAIL) /.test(line)) cur.lines.push(line);
  }
  return { status: r.status, out, kernel: /^VM: kernel (.*)$/m.exec(out)?.[1] ?? '', runs };
}

function assertSmoke(vm: ReturnType<typeof boot>, label: string, arch: RegExp): void {
  const run = vm.runs.get(label);
  assert.ok(run, `no smoke run for node ${label}; VM console:\n${vm.out}`);
  const failures = run.lines.filter((l) => l.startsWith('FAIL'));
  assert.deepStrictEqual(failures, [], run.lines.join('\n'));
  assert.strictEqual(run.exit, 0, run.lines.join('\n'));
  assert.ok(run.lines.includes('PASS smoke'), run.lines.join('\n'));
  assert.ok(run.lines.some((l) => /^PASS change \S+ (on->off|off->on) \(ETHTOOL_SFEATURES\)/.test(l)), 'no feature was changed');
  assert.ok(run.lines.some((l) => l.startsWith('PASS kernel log watch (libuv poll on /dev/kmsg): mode=poll')), 'the kmsg watch');
  assert.match(run.lines.find((l) => l.startsWith('PASS load'))!, arch);
}

describe('prebuilds on ARM kernels (qemu-system, official ARM Node)', function () {
  this.timeout(600_000);
  let packed: Packed | undefined;
  let armv7l = '';
  let arm64 = '';

  before(() => {
    packed = packAndInstall();
    fs.copyFileSync(path.join(ROOT, 'test/arm/smoke.js'), path.join(packed.app, 'smoke.js'));
    armv7l = fetchNode(NODES.armv7l[0], NODES.armv7l[1]);
    arm64 = fetchNode(NODES.arm64[0], NODES.arm64[1]);
  });
  after(() => removeDir(packed?.dir));

  it('armv7 kernel (cortex-a7, like a Pi 2), armv7l Node 18: reads and changes the virtio NIC', () => {
    const vm = boot('armhf', packed!.app, [armv7l]);
    assert.match(vm.kernel, /-armmp armv7l$/, vm.out);
    assertSmoke(vm, 'armv7l', /prebuilds\/linux-arm\/nic-offload\.glibc\.node on node v18\.\S+ arm$/);
  });

  describe('arm64 kernel (cortex-a72, like a Pi 4)', () => {
    let vm: ReturnType<typeof boot>;
    before(() => {
      vm = boot('arm64', packed!.app, [arm64, armv7l]);
      assert.match(vm.kernel, /-arm64 aarch64$/, vm.out);
    });

    it('arm64 Node 22: reads and changes the virtio NIC', () => {
      assertSmoke(vm, 'arm64', /prebuilds\/linux-arm64\/nic-offload\.glibc\.node on node v22\.\S+ arm64$/);
    });

    it('armv7l Node 18 on the 64-bit kernel (32-bit Raspberry Pi OS on a Pi 3/4): compat ioctls work', () => {
      assertSmoke(vm, 'armv7l', /prebuilds\/linux-arm\/nic-offload\.glibc\.node on node v18\.\S+ arm$/);
    });
  });
});
