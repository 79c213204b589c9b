// /dev/kmsg records (Documentation/ABI/testing/dev-kmsg) and the non-blocking reader, on files
// and FIFOs standing in for the device.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isKernelRecord, KmsgFramer, parseKmsgRecord, unescapeKmsg } from '../../ts/doctor/kmsg';
import { KmsgSource } from '../../ts/doctor/log-sources';
import type { KmsgRecord } from '../../ts/doctor/kmsg';

describe('doctor: kmsg records', () => {
  it('parses the header, the facility and level, and the dictionary', () => {
    const r = parseKmsgRecord('3,817,612034512,-;smsc95xx 1-1.1:1.0 eth0: hw csum failure\n SUBSYSTEM=usb\n DEVICE=+usb:1-1.1:1.0\n')!;
    assert.deepEqual(r, {
      priority: 3,
      facility: 0,
      level: 3,
      seq: 817,
      usec: 612034512,
      flags: '-',
      message: 'smsc95xx 1-1.1:1.0 eth0: hw csum failure',
      dict: { SUBSYSTEM: 'usb', DEVICE: '+usb:1-1.1:1.0' },
    });
    assert.equal(isKernelRecord(r), true);
  });

  it('a record from user space carries a non-kernel facility', () => {
    // "<3>text" written to /dev/kmsg becomes 1 << 3 | 3 = 11 (LOG_USER, err).
    const r = parseKmsgRecord('11,900,1,-;eth0: hw csum failure')!;
    assert.equal(r.facility, 1);
    assert.equal(r.level, 3);
    assert.equal(isKernelRecord(r), false);
  });

  it('accepts fields the kernel may add before ";" (caller id)', () => {
    const r = parseKmsgRecord('6,5,7,c,caller=T12;NET: Registered PF_INET6 protocol family')!;
    assert.equal(r.flags, 'c');
    assert.equal(r.message, 'NET: Registered PF_INET6 protocol family');
  });

  it('decodes \\xNN escapes as bytes: newlines of multi-line printks, backslashes, UTF-8', () => {
    assert.equal(unescapeKmsg('skb len=90\\x0amac=(64,14)'), 'skb len=90\nmac=(64,14)');
    assert.equal(unescapeKmsg('a\\x5cb'), 'a\\b');
    assert.equal(unescapeKmsg('caf\\xc3\\xa9'), 'café');
    assert.equal(unescapeKmsg('no escapes'), 'no escapes');
  });

  it('is not fooled by text that is not a record', () => {
    for (const t of ['', 'eth0: hw csum failure', '<3>eth0: hw csum failure', '3,x,1,-;a', ' SUBSYSTEM=usb']) {
      assert.equal(parseKmsgRecord(t), undefined, JSON.stringify(t));
    }
  });
});

describe('doctor: KmsgFramer (records from a byte stream)', () => {
  it('joins records split anywhere, attaches dictionary lines, and ends the last on flush', () => {
    const text = '6,1,10,-;first\n SUBSYSTEM=usb\n3,2,20,-;eth0: hw csum failure\n4,3,30,-;CPU: 0\n';
    for (let cut = 1; cut < text.length; cut++) {
      const f = new KmsgFramer();
      const got = [...f.push(text.slice(0, cut)), ...f.push(text.slice(cut)), ...f.flush()];
      assert.deepEqual(got.map((r) => [r.seq, r.message]), [[1, 'first'], [2, 'eth0: hw csum failure'], [3, 'CPU: 0']], `cut at ${cut}`);
      assert.deepEqual(got[0].dict, { SUBSYSTEM: 'usb' });
    }
  });

  it('drops an over-long line and keeps memory bounded', () => {
    const f = new KmsgFramer(64);
    const out: KmsgRecord[] = [];
    for (let i = 0; i < 1000; i++) out.push(...f.push('x'.repeat(1000)));
    out.push(...f.push('\n3,9,1,-;eth0: hw csum failure\n'), ...f.flush());
    assert.deepEqual(out.map((r) => r.seq), [9]);
    assert.ok(((f as unknown as { partial: string }).partial.length) <= 64);
  });

  it('keeps at most a few dictionary keys per record', () => {
    const f = new KmsgFramer();
    const lines = Array.from({ length: 100 }, (_, i) => ` K${i}=v`).join('\n');
    const [r] = [...f.push(`6,1,1,-;m\n${lines}\n`), ...f.flush()];
    assert.ok(Object.keys(r.dict).length <= 8);
  });
});

describe('doctor: KmsgSource on stand-ins for /dev/kmsg', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-kmsg-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads a file of records, then reports nothing more', () => {
    const file = path.join(dir, 'kmsg');
    fs.writeFileSync(file, '6,1,1,-;a\n3,2,2,-;b\n');
    const src = new KmsgSource(file);
    const got: number[] = [];
    src.drain((r) => got.push(r.seq));
    src.drain((r) => got.push(r.seq));
    src.close();
    assert.deepEqual(got, [1, 2]);
    assert.equal(src.device, false);
  });

  it('reads a FIFO without blocking, and a writer closing it is not the end', () => {
    const fifo = path.join(dir, 'kmsg');
    const r = spawnSync('mkfifo', [fifo]);
    assert.equal(r.status, 0);
    const src = new KmsgSource(fifo);
    const got: number[] = [];
    src.drain((rec) => got.push(rec.seq));
    assert.equal(got.length, 0, 'empty FIFO: drain returns at once');
    fs.writeFileSync(fifo, '3,7,1,-;eth0: hw csum failure\n');
    src.drain((rec) => got.push(rec.seq));
    fs.writeFileSync(fifo, '3,8,2,-;eth1: hw csum failure\n');
    src.drain((rec) => got.push(rec.seq));
    src.close();
    assert.deepEqual(got, [7, 8]);
  });

  it('open errors name the path and carry the errno code', () => {
    assert.throws(() => new KmsgSource(path.join(dir, 'missing')), (e: Error & { code?: string }) => e.code === 'ENOENT' && /missing: no such file/.test(e.message));
    assert.throws(() => new KmsgSource(dir), (e: Error & { code?: string }) => e.code === 'EISDIR');
  });
});
