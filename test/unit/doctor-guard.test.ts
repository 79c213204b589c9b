// The guard on a fake /dev/kmsg (a FIFO the test writes records into), a fake kernel and a fake
// persistence. "Nothing happened" is checked without timing: a sentinel record for another
// interface is written after the records under test, and records are handled in order, so when
// the sentinel's action arrives every earlier record has been looked at.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { once } from 'events';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NativeBinding, useBinding } from '../../ts/binding';
import { Guard, GuardAction, GuardNotice, startGuard } from '../../ts/doctor';
import type { GuardOptions } from '../../ts/doctor';
import { DoctorFake, FakeLink, FakePersistence } from '../helpers/doctor-fakes';

let seq = 1000;
/** One /dev/kmsg record as the kernel formats it (newlines inside the message as \x0a). */
export function rec(priority: number, message: string, dict: Record<string, string> = {}): string {
  const s = seq++;
  const text = message.replace(/\\/g, '\\x5c').replace(/\n/g, '\\x0a');
  return `${priority},${s},${s * 1000},-;${text}\n${Object.entries(dict).map(([k, v]) => ` ${k}=${v}\n`).join('')}`;
}

const KERN_ERR = 3; // facility 0 (kernel), level 3
const USER_ERR = 1 * 8 + 3; // what "<3>text" written to /dev/kmsg becomes

const LINKS: FakeLink[] = [
  { name: 'eth0', index: 2, master: 'br0', driver: 'bcmgenet' },
  { name: 'eth1', index: 3, driver: 'smsc95xx' },
  { name: 'br0', index: 4, kind: 'bridge', rx: 'fixed-off' },
  { name: 'wlan0', index: 5, driver: 'brcmfmac' },
  { name: 'lo', index: 1, rx: 'fixed-off' },
  { name: 'eth1.10', index: 6, kind: 'vlan', link: 'eth1', rx: 'fixed-off' },
];

describe('doctor: guard (fake /dev/kmsg FIFO, fake kernel)', () => {
  let dir: string;
  let fifo: string;
  let writer: number;
  let prev: NativeBinding | undefined;
  let fake: DoctorFake;
  let persistence: FakePersistence;
  let guard: Guard | undefined;
  const actions: GuardAction[] = [];
  const notices: GuardNotice[] = [];

  const start = (opts: GuardOptions = {}): Guard => {
    guard = startGuard({ kmsgPath: fifo, intervalMs: 10, persistence, ...opts });
    guard.on('action', (a: GuardAction) => actions.push(a));
    guard.on('notice', (n: GuardNotice) => notices.push(n));
    return guard;
  };
  const write = (text: string): void => {
    fs.writeSync(writer, text);
  };
  /** Waits until an action for `ifname` arrives. */
  const actionFor = async (ifname: string): Promise<GuardAction> => {
    for (;;) {
      const a = actions.find((x) => x.ifname === ifname);
      if (a) return a;
      await once(guard!, 'action');
    }
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-guard-'));
    fifo = path.join(dir, 'kmsg');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    // Read-write, so opening never waits for a reader and the test can write before the guard starts.
    writer = fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    fake = new DoctorFake(LINKS);
    prev = useBinding(fake);
    persistence = new FakePersistence();
    actions.length = 0;
    notices.length = 0;
  });

  afterEach(async () => {
    guard?.close();
    await guard?.idle();
    guard = undefined;
    fs.closeSync(writer);
    useBinding(prev);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('turns rx-checksum off and persists it for a kernel record, and says so in one line', async () => {
    start();
    write(rec(KERN_ERR, 'smsc95xx 1-1.1:1.0 eth1: hw csum failure', { SUBSYSTEM: 'usb', DEVICE: '+usb:1-1.1:1.0' }));
    const a = await actionFor('eth1');
    assert.equal(fake.rxOn('eth1'), false);
    assert.deepEqual(persistence.calls.map((c) => [c.ifname, c.changes, c.opts.apply]), [['eth1', { 'rx-checksum': false }, false]]);
    assert.equal(a.rxBefore, 'on');
    assert.equal(a.failure.driver, 'smsc95xx');
    assert.doesNotMatch(a.message, /\n/);
    assert.match(a.message, /^eth1: kernel reported "hw csum failure" \(kmsg seq \d+, [\d.]+ s after boot\); turned rx-checksum off; persisted it with systemd-link \(\/etc\/systemd\/network\/10-nic-offload-eth1\.link\)$/);
  });

  it('never acts on records written from user space, whatever they say', async () => {
    start();
    write(rec(USER_ERR, 'eth0: hw csum failure'));
    write(rec(1 * 8 + 0, 'smsc95xx 1-1.1:1.0 wlan0: hw csum failure'));
    write(rec(USER_ERR, '<unknown>: hw csum failure'));
    write(rec(USER_ERR, 'dev name=wlan0 feat=0x0000010000004833'));
    write(rec(23 * 8 + 3, 'eth0: hw csum failure')); // local7
    write(rec(KERN_ERR, 'eth1: hw csum failure')); // the sentinel
    await actionFor('eth1');
    assert.deepEqual(actions.map((a) => a.ifname), ['eth1']);
    assert.deepEqual(notices, []);
    assert.equal(fake.rxOn('eth0'), true);
    assert.equal(fake.rxOn('wlan0'), true);
    assert.equal(guard!.watcher.stats.userRecords, 5);
  });

  it('a user record cannot name the device of a kernel "<unknown>" headline', async () => {
    start();
    write(rec(KERN_ERR, '<unknown>: hw csum failure'));
    write(rec(USER_ERR, 'dev name=wlan0 feat=0x0'));
    write(rec(KERN_ERR, 'skb len=221 headroom=82 headlen=221 tailroom=1233\nmac=(68,14) net=(82,20) trans=102\nhash(0x0 sw=0 l4=0) proto=0x0800 pkttype=2 iif=3'));
    write(rec(KERN_ERR, 'dev name=eth1 feat=0x0x0000010000004833'));
    const a = await actionFor('eth1');
    assert.equal(a.failure.printedName, '<unknown>');
    assert.equal(a.failure.resolvedBy, 'dev-name');
    assert.equal(fake.rxOn('wlan0'), true);
  });

  it('acts once per interface, however often the kernel repeats it', async () => {
    start();
    for (let i = 0; i < 5; i++) write(rec(KERN_ERR, 'eth1: hw csum failure'));
    write(rec(KERN_ERR, 'wlan0: hw csum failure'));
    await actionFor('wlan0');
    await guard!.idle();
    assert.deepEqual(actions.map((a) => a.ifname), ['eth1', 'wlan0']);
    assert.equal(persistence.calls.length, 2);
  });

  it('a bridge in the log means its ports', async () => {
    start();
    write(rec(KERN_ERR, 'br0: hw csum failure'));
    const a = await actionFor('eth0');
    assert.equal(a.reportedAs, 'br0');
    assert.match(a.message, /^eth0: kernel reported "hw csum failure" on br0 \(a bridge over eth0\)/);
    assert.equal(fake.rxOn('eth0'), false);
  });

  it('a VLAN in the log means the NIC it sits on; watching the NIC covers it', async () => {
    start({ interfaces: ['eth1'] });
    write(rec(KERN_ERR, 'eth1.10: hw csum failure'));
    const a = await actionFor('eth1');
    assert.equal(a.reportedAs, 'eth1.10');
    assert.match(a.message, /^eth1: kernel reported "hw csum failure" on eth1\.10 \(a vlan over eth1\)/);
    assert.equal(fake.rxOn('eth1'), false);
    assert.deepEqual(fake.setCalls(), ['eth1']);
  });

  it('watches only the interfaces given (a bridge given covers its ports)', async () => {
    start({ interfaces: ['wlan0', 'br0'] });
    write(rec(KERN_ERR, 'eth1: hw csum failure'));
    write(rec(KERN_ERR, 'eth0: hw csum failure'));
    write(rec(KERN_ERR, 'wlan0: hw csum failure'));
    await actionFor('wlan0');
    await guard!.idle();
    assert.deepEqual(actions.map((a) => a.ifname).sort(), ['eth0', 'wlan0']);
    assert.equal(fake.rxOn('eth1'), true);
    assert.deepEqual(notices.map((n) => [n.reason, n.failure.ifname]), [['not-watched', 'eth1']]);
  });

  it('notices, once, failures it cannot act on: no such device, rx-checksum fixed, unresolved', async () => {
    start();
    write(rec(KERN_ERR, 'eth9: hw csum failure'));
    write(rec(KERN_ERR, 'eth9: hw csum failure'));
    write(rec(KERN_ERR, 'lo: hw csum failure'));
    write(rec(KERN_ERR, '(NULL net_device): hw csum failure'));
    write(rec(4, 'CPU: 0 PID: 0 Comm: swapper/0 Not tainted 6.6.30 #0'));
    write(rec(KERN_ERR, 'eth1: hw csum failure'));
    await actionFor('eth1');
    await guard!.idle();
    assert.deepEqual(notices.map((n) => n.reason).sort(), ['fixed', 'not-present', 'unresolved']);
  });

  it('--dry-run changes nothing and says what it would do', async () => {
    start({ dryRun: true });
    write(rec(KERN_ERR, 'eth1: hw csum failure'));
    const a = await actionFor('eth1');
    assert.equal(fake.rxOn('eth1'), true);
    assert.deepEqual(fake.setCalls(), []);
    assert.equal(persistence.calls[0].opts.dryRun, true);
    assert.match(a.message, /would turn rx-checksum off; would persist it with systemd-link/);
  });

  it('acts on what the ring buffer held at start (5.14+ prints once per boot), unless newOnly', async () => {
    write(rec(KERN_ERR, 'eth1: hw csum failure'));
    start();
    const a = await actionFor('eth1');
    assert.equal((a.failure as { backlog?: boolean }).backlog, true);
  });

  it('newOnly skips the backlog and still acts on new records', async () => {
    write(rec(KERN_ERR, 'eth1: hw csum failure'));
    const g = start({ newOnly: true });
    // The backlog is read on the first turn; wait for it before writing the new record.
    while (g.watcher.stats.records < 1) await new Promise((r) => setTimeout(r, 5));
    write(rec(KERN_ERR, 'wlan0: hw csum failure'));
    await actionFor('wlan0');
    assert.deepEqual(actions.map((a) => a.ifname), ['wlan0']);
    assert.equal(fake.rxOn('eth1'), true);
  });

  it('a persistence failure is logged on the action; the interface is not retried', async () => {
    persistence.fail = new Error('disk full');
    start();
    write(rec(KERN_ERR, 'eth1: hw csum failure'));
    write(rec(KERN_ERR, 'eth1: hw csum failure'));
    write(rec(KERN_ERR, 'wlan0: hw csum failure'));
    const a = await actionFor('eth1');
    await actionFor('wlan0');
    assert.deepEqual(a.error, { message: 'disk full', code: undefined });
    assert.match(a.message, /turned rx-checksum off; failed: disk full$/);
    assert.equal(actions.filter((x) => x.ifname === 'eth1').length, 1);
  });

  it('rejects bad interface names before starting', () => {
    assert.throws(() => startGuard({ kmsgPath: fifo, interfaces: ['bad/name'] }), { code: 'ERR_INVALID_IFNAME' });
  });
});

describe('doctor: guard memory stays flat', () => {
  let prev: NativeBinding | undefined;
  let dir: string;
  beforeEach(() => {
    prev = useBinding(new DoctorFake(LINKS));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-guard-mem-'));
  });
  afterEach(() => {
    useBinding(prev);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('100 000 records of noise, spoofs and failures for made-up names leave bounded state', async () => {
    // A file stand-in read from its start: the whole backlog goes through the same path.
    const file = path.join(dir, 'kmsg');
    const fd = fs.openSync(file, 'w');
    let chunk = '';
    for (let i = 0; i < 100000; i++) {
      if (i % 4 === 0) chunk += rec(USER_ERR, `spoof${i}: hw csum failure`);
      else if (i % 4 === 1) chunk += rec(KERN_ERR, `made${i % 5000}: hw csum failure`);
      else if (i % 4 === 2) chunk += rec(KERN_ERR, '<unknown>: hw csum failure');
      else chunk += rec(6, `usb 1-1: noise ${i} ${'x'.repeat(i % 300)}`);
      if (chunk.length > 1 << 16) {
        fs.writeSync(fd, chunk);
        chunk = '';
      }
    }
    fs.writeSync(fd, chunk + rec(KERN_ERR, 'eth1: hw csum failure'));
    fs.closeSync(fd);
    const persistence = new FakePersistence();
    const g = startGuard({ kmsgPath: file, intervalMs: 10, persistence });
    let notices = 0;
    g.on('notice', () => notices++);
    try {
      while (!g.handled.has('eth1')) await once(g, 'failure');
      await g.idle();
      assert.equal(g.watcher.stats.records, 100001);
      assert.deepEqual([...g.handled], ['eth1'], 'only real links are remembered');
      const inner = g as unknown as { noticed: Set<string> };
      assert.ok(inner.noticed.size <= 64, `notices remembered: ${inner.noticed.size}`);
      assert.ok(notices <= 64);
      assert.ok(g.suppressedNotices > 0, 'the rest were only counted');
    } finally {
      g.close();
    }
  });
});
