// The watcher's side of the FdWatch contract, with a fake FdWatch the test triggers by hand: it is
// armed only after the backlog, re-armed after the kernel flagged an error (libuv stops the watch
// then), and a failure to arm it closes the watcher with an 'error'. test/kernel/doctor-watch
// covers the real one.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NativeBinding, NativeFdWatch, useBinding } from '../../ts/binding';
import { KernelLogWatcher } from '../../ts/doctor';
import { FakeBinding } from '../helpers/fake-binding';

class FakeFdWatch implements NativeFdWatch {
  static last: FakeFdWatch | undefined;
  static failWith: Error | undefined;
  starts = 0;
  closed = false;
  refd = true;
  failStart = false;
  constructor(
    readonly fd: number,
    readonly onReady: (status: number) => void,
  ) {
    if (FakeFdWatch.failWith) throw FakeFdWatch.failWith;
    FakeFdWatch.last = this;
  }
  start(): void {
    if (this.failStart) throw Object.assign(new Error('uv_poll_start failed: Bad file descriptor'), { errno: 9 });
    this.starts++;
  }
  stop(): void {}
  ref(): void {
    this.refd = true;
  }
  unref(): void {
    this.refd = false;
  }
  close(): void {
    this.closed = true;
  }
}

describe('doctor: the watcher drives its FdWatch (fake poll handle)', () => {
  let dir: string;
  let fifo: string;
  let writer: number;
  let prev: NativeBinding | undefined;
  let watcher: KernelLogWatcher | undefined;
  const live = (w: KernelLogWatcher) => new Promise<void>((r) => w.once('live', () => r()));

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-watch-unit-'));
    fifo = path.join(dir, 'kmsg');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    writer = fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    const fake = Object.assign(new FakeBinding([]), { FdWatch: FakeFdWatch });
    prev = useBinding(fake);
    FakeFdWatch.last = undefined;
    FakeFdWatch.failWith = undefined;
  });
  afterEach(() => {
    watcher?.close();
    watcher = undefined;
    useBinding(prev);
    fs.closeSync(writer);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is armed once the backlog is read, and reads what is there whenever it fires', async () => {
    fs.writeSync(writer, '6,1,1000,-;backlog\n');
    watcher = new KernelLogWatcher({ kmsgPath: fifo }).start();
    assert.equal(watcher.mode, 'poll');
    const poll = FakeFdWatch.last!;
    assert.equal(poll.starts, 0, 'not before the backlog');
    await live(watcher);
    assert.equal(poll.starts, 1);
    assert.equal(watcher.stats.records, 1);
    fs.writeSync(writer, '6,2,2000,-;new\n6,3,3000,-;newer\n');
    poll.onReady(0);
    assert.equal(watcher.stats.records, 3);
    assert.equal(poll.starts, 1, 'a readable event leaves the watch running');
    watcher.unref();
    assert.equal(poll.refd, false);
    watcher.close();
    assert.equal(poll.closed, true);
  });

  it('after an error status (libuv stopped the watch) it reads, then arms the watch again', async () => {
    watcher = new KernelLogWatcher({ kmsgPath: fifo }).start();
    await live(watcher);
    const poll = FakeFdWatch.last!;
    fs.writeSync(writer, '6,4,4000,-;after the gap\n');
    poll.onReady(-9);
    assert.equal(watcher.stats.records, 1);
    assert.equal(poll.starts, 2);
  });

  it('a watch that cannot be armed again closes the watcher with an error', async () => {
    watcher = new KernelLogWatcher({ kmsgPath: fifo }).start();
    await live(watcher);
    const poll = FakeFdWatch.last!;
    const errors: Error[] = [];
    watcher.on('error', (e: Error) => errors.push(e));
    poll.failStart = true;
    poll.onReady(-9);
    assert.deepEqual(errors.map((e) => e.message), ['uv_poll_start failed: Bad file descriptor']);
    assert.equal(watcher.closed, true);
    assert.equal(poll.closed, true);
  });

  it('a regular file (EPERM from the poll) falls back to the timer; other errors are thrown and close the log', () => {
    FakeFdWatch.failWith = Object.assign(new Error('uv_poll_init failed: Operation not permitted'), { errno: 1 });
    watcher = new KernelLogWatcher({ kmsgPath: fifo }).start();
    assert.equal(watcher.mode, 'timer');
    watcher.close();
    FakeFdWatch.failWith = Object.assign(new Error('uv_poll_init failed: Bad file descriptor'), { errno: 9 });
    const w = new KernelLogWatcher({ kmsgPath: fifo });
    const fds = () => fs.readdirSync('/proc/self/fd').length;
    const before = fds();
    assert.throws(() => w.start(), /Bad file descriptor/);
    assert.equal(fds(), before, 'the log was closed again');
    assert.equal(w.closed, false, 'never started');
  });

  it('without FdWatch in the binding (an older addon, a fake) it reads on the timer', async () => {
    useBinding(new FakeBinding([]));
    watcher = new KernelLogWatcher({ kmsgPath: fifo, intervalMs: 5 }).start();
    assert.equal(watcher.mode, 'timer');
    await live(watcher);
    fs.writeSync(writer, '6,5,5000,-;timer\n');
    while (watcher.stats.records < 1) await new Promise((r) => setTimeout(r, 5));
  });
});
