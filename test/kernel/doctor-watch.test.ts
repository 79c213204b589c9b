// How the live watcher learns of new records: the addon's FdWatch (a libuv poll handle) on the
// real /dev/kmsg and on a FIFO, a timer only where epoll cannot watch (a regular file). Each
// wake-up test sets the timer interval to an hour, so a record seen within the test's timeout
// can only have been noticed through the poll. The markers written to /dev/kmsg are harmless
// user-space lines (no "hw csum failure").
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { binding } from '../../ts/binding';
import { KernelLogWatcher, watchKernelLog } from '../../ts/doctor';
import type { LiveFailure } from '../../ts/doctor';
import { KMSG_PATH, readRingBuffer } from '../../ts/doctor/log-sources';

const HOUR = 3_600_000;
const DIST = path.join(__dirname, '..', '..', 'dist', 'index.js');

const once = (w: KernelLogWatcher, event: string) => new Promise<void>((resolve) => w.once(event, () => resolve()));

/** Lets a timer-driven watcher's quick re-read after the backlog pass, so that only a wake-up
 *  from the poll can notice what is written next. */
const settle = () => new Promise((r) => setTimeout(r, 100));

/** Resolves when `cond` holds, checking after every turn of the event loop's timers. */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

function runNode(code: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('doctor: the live watcher waits on the log with epoll (FdWatch)', function () {
  this.timeout(15_000);
  let dir: string;
  let watcher: KernelLogWatcher | undefined;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-watch-'));
  });
  afterEach(() => {
    watcher?.close();
    watcher = undefined;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('/dev/kmsg: a line written after the backlog wakes the watcher at once', async () => {
    // Only this test's own record is looked at: the ring may hold anything else (other runs'
    // records, even a real report), so the backlog is skipped and the marker found by its text.
    watcher = watchKernelLog({ intervalMs: HOUR, newOnly: true });
    const failures: LiveFailure[] = [];
    watcher.on('failure', (f: LiveFailure) => failures.push(f));
    await once(watcher, 'live');
    assert.equal(watcher.mode, 'poll');
    await settle();
    const marker = `nic-offload test: watcher wake-up ${randomBytes(4).toString('hex')} eth9: hw csum failure`;
    fs.writeFileSync(KMSG_PATH, `${marker}\n`);
    let seq = -1;
    readRingBuffer((r) => {
      if (r.message === marker) seq = r.seq;
    });
    assert.ok(seq >= 0, 'the marker is in the ring buffer');
    await until(() => watcher!.stats.lastSeq >= seq);
    assert.deepEqual(failures.filter((f) => f.seq === seq), [], 'a line from user space is never a failure');
  });

  it('a FIFO: records written in bursts are all read, however they are split', async () => {
    const fifo = path.join(dir, 'kmsg');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const writer = fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    try {
      watcher = watchKernelLog({ kmsgPath: fifo, intervalMs: HOUR });
      await once(watcher, 'live');
      assert.equal(watcher.mode, 'poll');
      await settle();
      const text = Array.from({ length: 300 }, (_, i) => `6,${i},${i * 1000},-;line ${i}\n`).join('');
      for (let at = 0; at < text.length; at += 997) {
        fs.writeSync(writer, text.slice(at, at + 997));
        await new Promise((r) => setImmediate(r));
      }
      await until(() => watcher!.stats.records === 300);
      assert.equal(watcher.stats.kernelRecords, 300);
    } finally {
      fs.closeSync(writer);
    }
  });

  it('a regular file cannot be polled (epoll refuses it): it is read on the timer', async () => {
    const file = path.join(dir, 'saved');
    fs.writeFileSync(file, '6,1,1000,-;first\n');
    watcher = watchKernelLog({ kmsgPath: file, intervalMs: 10 });
    await once(watcher, 'live');
    assert.equal(watcher.mode, 'timer');
    fs.appendFileSync(file, '6,2,2000,-;second\n');
    await until(() => watcher!.stats.records === 2);
  });

  it('close() releases the handle; a ref\'d watcher keeps the process alive, unref() lets it end', () => {
    const script = (after: string) => `
      const w = require(${JSON.stringify(DIST)}).watchKernelLog({ intervalMs: ${HOUR} });
      const keep = setTimeout(() => {}, ${HOUR});
      w.on('live', () => { console.log(w.mode); clearTimeout(keep); ${after} });`;
    assert.deepEqual(runNode(script('w.close();')), { status: 0, out: 'poll\n' });
    assert.deepEqual(runNode(script('w.unref();')), { status: 0, out: 'poll\n' });
    // the control: left alone, the watcher is what keeps the process running
    const r = spawnSync(process.execPath, ['-e', script('')], { encoding: 'utf8', timeout: 1500 });
    assert.equal(r.signal, 'SIGTERM', 'still watching when killed');
    assert.equal(r.stdout, 'poll\n');
  });

  it('a worker thread may exit while its watcher is open and being woken', async () => {
    const code = `
      const { parentPort, workerData } = require('worker_threads');
      const w = require(workerData.dist).watchKernelLog({ intervalMs: ${HOUR} });
      w.on('live', () => {
        parentPort.postMessage(w.mode);
        require('fs').writeFileSync('/dev/kmsg', 'nic-offload test: worker exit with an open watcher\\n');
        setImmediate(() => process.exit(7));
      });`;
    for (let i = 0; i < 5; i++) {
      const mode = await new Promise<string>((resolve, reject) => {
        let m = '';
        new Worker(code, { eval: true, workerData: { dist: DIST } })
          .on('message', (x: string) => (m = x))
          .on('error', reject)
          .on('exit', (c) => (c === 7 ? resolve(m) : reject(new Error(`worker exit ${c}`))));
      });
      assert.equal(mode, 'poll');
    }
  });

  it('the native FdWatch refuses bad descriptors and arguments with errors, never a crash', () => {
    const FdWatch = binding().FdWatch!;
    const Ctor = FdWatch as unknown as new (...a: unknown[]) => unknown;
    assert.throws(() => new Ctor(), TypeError);
    assert.throws(() => new Ctor('3', () => {}), TypeError);
    assert.throws(() => new Ctor(3, 'not a function'), TypeError);
    assert.throws(() => new Ctor(-1, () => {}), RangeError);
    assert.throws(() => new Ctor(1.5, () => {}), RangeError);
    assert.throws(() => new FdWatch(2 ** 31 - 1, () => {}), { syscall: 'uv_poll_init', errno: 9 });
    const file = path.join(dir, 'plain');
    fs.writeFileSync(file, '');
    const fd = fs.openSync(file, 'r');
    const kmsg = fs.openSync(KMSG_PATH, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      assert.throws(() => new FdWatch(fd, () => {}), { syscall: 'uv_poll_init', errno: 1 });
      const w = new FdWatch(kmsg, () => {});
      w.start();
      assert.throws(() => new FdWatch(kmsg, () => {}), { errno: 17 }, 'one watch per descriptor and loop');
      w.close();
      w.close();
      assert.throws(() => w.start(), /the watch is closed/);
    } finally {
      fs.closeSync(fd);
      fs.closeSync(kmsg);
    }
  });
});
