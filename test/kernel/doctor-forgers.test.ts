// The forgers of the trust-boundary audit against the real kernel: as user nobody, a program
// whose file name holds "\nNAME: hw csum failure\n" segfaults (the kernel's segfault report
// prints the name), and one is launched with a NULL argv (the kernel's warning prints the path).
// The kernel writes both as its own records (facility 0) with the forged line inside. A guard
// replaying and following the real /dev/kmsg, the doctor on the ring buffer, and the doctor on
// the real dmesg's renderings must not act on them, for devices of those names that exist.
import { strict as assert } from 'assert';
import { randomBytes } from 'crypto';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Guard, scanKernelLog } from '../../ts/doctor';
import type { GuardAction, GuardNotice } from '../../ts/doctor';
import { readRingBuffer } from '../../ts/doctor/log-sources';
import { listPersisted } from '../../ts/persist';
import { must, TestNetns } from '../helpers/netns';

const REPO = path.join(__dirname, '..', '..');
/** "...\nNAME: hw csum failure..." inside a record: the names forged into kernel records. */
const INSIDE = /\n([A-Za-z0-9_.-]{1,15}): hw csum failure/g;

function asNobody(cmd: string[], cwd: string): void {
  spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', ...cmd], { cwd, stdio: 'ignore' });
}

function doctor(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(REPO, 'ts', 'cli', 'main.ts'), 'doctor', ...args], { cwd: REPO, encoding: 'utf8', input });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('doctor and guard: forged headlines in real kernel records (/dev/kmsg, user nobody)', function () {
  this.timeout(60000);
  let dir: string;
  let ns: TestNetns;
  let root: string;
  const segvName = `nf${randomBytes(3).toString('hex')}`;
  const argvName = `nf${randomBytes(3).toString('hex')}`;
  /** Forged records found in the ring: [kind, names inside]. */
  const forged: Array<{ kind: string; names: string[]; seq: number }> = [];

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-forgers-'));
    fs.chmodSync(dir, 0o755);
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-forgers-root-'));
    fs.writeFileSync(path.join(dir, 'segv.c'), 'int main(void) { *(volatile int *)0 = 1; return 0; }\n');
    fs.writeFileSync(path.join(dir, 'na.c'), '#include <unistd.h>\nint main(int c, char **v) { (void)c; execve(v[1], 0, 0); return 127; }\n');
    must('cc', ['-o', path.join(dir, 'segv'), path.join(dir, 'segv.c')]);
    must('cc', ['-o', path.join(dir, 'na'), path.join(dir, 'na.c')]);
    const segv = path.join(dir, `x\n${segvName}: hw csum failure\nz`);
    const target = path.join(dir, `x\n${argvName}: hw csum failure\nz`);
    fs.copyFileSync(path.join(dir, 'segv'), segv);
    fs.copyFileSync('/bin/true', target);
    fs.chmodSync(segv, 0o755);
    fs.chmodSync(target, 0o755);
    assert.equal(fs.readFileSync('/proc/sys/debug/exception-trace', 'utf8').trim(), '1', 'debug.exception-trace=1: the kernel reports segfaults');
    asNobody([segv], dir);
    asNobody([path.join(dir, 'na'), target], dir);
    readRingBuffer((r) => {
      if (r.facility !== 0) return;
      const names = [...r.message.matchAll(INSIDE)].map((m) => m[1]);
      if (!names.length) return;
      const kind = / with NULL argv/.test(r.message) ? 'null-argv' : /: segfault at /.test(r.message) ? 'segfault' : 'other';
      forged.push({ kind, names, seq: r.seq });
    });
    ns = TestNetns.create('forge');
    const all = [...new Set(forged.flatMap((f) => f.names))];
    all.forEach((n, i) => ns.addVeth(n, `fp${i}`));
    ns.up(...all);
  });

  after(() => {
    ns?.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('the kernel wrote the forgers as its own records, the forged line inside', () => {
    assert.ok(forged.some((f) => f.kind === 'segfault' && f.names.includes(segvName)), `the segfault report naming ${segvName} is in /dev/kmsg`);
    // The NULL-argv warning is printed once per boot (pr_warn_once): this run's, or an earlier one's.
    assert.ok(forged.some((f) => f.kind === 'null-argv'), 'a NULL-argv warning with a forged line is in /dev/kmsg (printed once per boot)');
  });

  it('a guard replaying and following /dev/kmsg acts on none of them', async () => {
    const guard = new Guard({ netns: ns.name, root });
    const actions: GuardAction[] = [];
    const notices: GuardNotice[] = [];
    guard.on('action', (a: GuardAction) => actions.push(a));
    guard.on('notice', (n: GuardNotice) => notices.push(n));
    guard.on('error', () => undefined);
    guard.start();
    try {
      await new Promise((resolve) => guard.watcher.once('live', resolve));
      // And live: a forger after the guard started.
      asNobody([path.join(dir, `x\n${segvName}: hw csum failure\nz`)], dir);
      const marker = `nic-offload test: forgers done ${randomBytes(4).toString('hex')}`;
      fs.writeFileSync('/dev/kmsg', `${marker}\n`);
      let markerSeq = -1;
      readRingBuffer((r) => {
        if (r.message === marker) markerSeq = r.seq;
      });
      while (guard.watcher.stats.lastSeq < markerSeq) await new Promise((r) => setTimeout(r, 20));
      await guard.idle();
    } finally {
      guard.close();
    }
    const names = new Set(forged.flatMap((f) => f.names));
    assert.deepEqual(actions.filter((a) => names.has(a.ifname)), [], 'no action');
    assert.deepEqual(notices.filter((n) => names.has(n.failure.ifname ?? '')), [], 'not even a notice');
    for (const n of names) assert.equal(ns.ethtoolJson(n)['rx-checksumming'].active, true, `ethtool: ${n} rx-checksum still on`);
    assert.deepEqual(listPersisted({ root }), [], 'nothing persisted');
  });

  it('the doctor on the ring buffer, and on the real dmesg renderings of it, counts none of them', () => {
    const names = new Set(forged.flatMap((f) => f.names));
    const tally = scanKernelLog();
    assert.deepEqual([...tally.entries.keys()].filter((k) => names.has(k)), [], 'scanKernelLog');
    const ring = doctor(['--json', '--netns', ns.name]);
    assert.deepEqual(JSON.parse(ring.stdout).findings.filter((f: { name: string }) => names.has(f.name)), [], 'doctor (ring buffer)');
    for (const args of [[], ['-x'], ['-T'], ['-S'], ['-S', '-r']]) {
      const text = must('dmesg', args);
      assert.ok([...names].every((n) => text.includes(`${n}: hw csum failure`)), `dmesg ${args.join(' ')} prints the forged lines`);
      const r = doctor(['--log', '-', '--json', '--netns', ns.name], text);
      assert.deepEqual(JSON.parse(r.stdout).findings.filter((f: { name: string }) => names.has(f.name)), [], `dmesg ${args.join(' ')} | doctor --log -`);
    }
  });
});
