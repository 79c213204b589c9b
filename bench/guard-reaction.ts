// Section 6, run inside the benchmark's namespace: how long the guard takes from a kernel-facility
// "hw csum failure" record arriving on its log (a FIFO standing in for /dev/kmsg) until
// rx-checksum is off and persisted (under a temporary root that says udev is installed, so a
// systemd .link file is written, as on most systems). Measured with the
// addon's poll handle waking the watcher, and with the timer fallback (the binding without
// FdWatch, default 250 ms interval) it replaces, in the same run.
//   guard-reaction.ts IFNAME TRIALS  → prints {"poll": [ns...], "timer": [ns...]}
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { binding, NativeBinding, useBinding } from '../ts/binding';
import { setFeaturesSync } from '../ts/core/device';
import { GuardAction, startGuard } from '../ts/doctor';

const [ifname, trialsArg] = process.argv.slice(2);
const trials = Number(trialsArg);

const UDEV = parseInt(spawnSync('udevadm', ['--version'], { encoding: 'utf8' }).stdout, 10);
let seq = 1;
async function once(dir: string, mode: 'poll' | 'timer'): Promise<number> {
  setFeaturesSync(ifname, { 'rx-checksum': true });
  const fifo = path.join(dir, `kmsg-${seq}`);
  const root = path.join(dir, `root-${seq}`);
  fs.mkdirSync(path.join(root, 'var/lib/dpkg'), { recursive: true });
  fs.writeFileSync(path.join(root, 'var/lib/dpkg/status'), `Package: udev\nStatus: install ok installed\nVersion: ${UDEV}.1-1\n\n`);
  if (spawnSync('mkfifo', [fifo]).status !== 0) throw new Error('mkfifo failed');
  const writer = fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  const guard = startGuard({ interfaces: [ifname], kmsgPath: fifo, root });
  try {
    if (guard.watcher.mode !== mode) throw new Error(`the watcher is in ${guard.watcher.mode} mode, not ${mode}`);
    await new Promise((r) => guard.watcher.once('live', r));
    await new Promise((r) => setTimeout(r, 300)); // past the timer's quick re-read after the backlog
    const acted = new Promise<GuardAction>((r) => guard.once('action', r));
    const s = seq++;
    const start = process.hrtime.bigint();
    fs.writeSync(writer, `4,${s},${s * 1000},-;${ifname}: hw csum failure\n`);
    const action = await acted;
    const ns = Number(process.hrtime.bigint() - start);
    if (action.error || !action.applied?.changed || !action.persisted) throw new Error(`the guard did not act: ${action.message}`);
    return ns;
  } finally {
    guard.close();
    fs.closeSync(writer);
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-bench-guard-'));
  const real = binding();
  const timerOnly: NativeBinding = { ...real, FdWatch: undefined };
  const out: Record<'poll' | 'timer', number[]> = { poll: [], timer: [] };
  try {
    for (let i = 0; i < trials; i++) {
      useBinding(real);
      out.poll.push(await once(dir, 'poll'));
      useBinding(timerOnly);
      out.timer.push(await once(dir, 'timer'));
    }
  } finally {
    useBinding(real);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((e) => {
  process.stderr.write(`guard-reaction: ${(e as Error).stack}\n`);
  process.exitCode = 1;
});
