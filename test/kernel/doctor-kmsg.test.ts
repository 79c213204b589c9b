// The real /dev/kmsg: its records parse, and what user space writes into it carries a
// non-kernel facility whatever "<N>" prefix it asks for (devkmsg_write() never grants facility
// 0). That is what keeps the guard from being triggered by anyone who can write to the log.
// The markers written here are harmless text (no "hw csum failure").
import { strict as assert } from 'assert';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import { matchHeadline, scanKernelLog } from '../../ts/doctor';
import type { KmsgRecord } from '../../ts/doctor/kmsg';
import { KMSG_PATH, KmsgSource, readRingBuffer } from '../../ts/doctor/log-sources';
import { TestNetns } from '../helpers/netns';

describe('doctor: the real /dev/kmsg', () => {
  it('is read non-blocking, one record per read, every record parses', () => {
    // A record of the kernel's own that this test makes, whatever else the ring holds: a bridge
    // prints "BR: port 1(PORT) entered blocking state" when a port joins it.
    const ns = TestNetns.create('kmsg');
    const br = `nobr${randomBytes(3).toString('hex')}`;
    try {
      ns.addBridge(br);
      ns.addVeth('kv0', 'kv1');
      ns.ip('link', 'set', 'kv0', 'master', br);
    } finally {
      ns.destroy();
    }
    const src = new KmsgSource(KMSG_PATH);
    assert.equal(src.device, true);
    const seqs: number[] = [];
    const mine: KmsgRecord[] = [];
    src.drain((r) => {
      seqs.push(r.seq);
      if (r.message.startsWith(`${br}: port 1(kv0)`)) mine.push(r);
    });
    src.close();
    assert.ok(mine.length > 0, `the bridge's record "${br}: port 1(kv0) ..." is in the ring buffer`);
    for (const r of mine) assert.equal(r.facility, 0, 'and comes from the kernel itself');
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], 'sequence numbers increase');
  });

  it('lines user space writes get facility LOG_USER, even when they ask for facility 0', () => {
    const nonce = randomBytes(6).toString('hex');
    const asked: Array<[string, number | undefined]> = [
      ['', undefined],
      ['<0>', 0],
      ['<3>', 3],
      ['<6>', 6],
    ];
    const fd = fs.openSync(KMSG_PATH, 'w');
    try {
      for (const [prefix, n] of asked) fs.writeSync(fd, `${prefix}nic-offload test: facility check ${nonce} ${n ?? 'default'}\n`);
    } finally {
      fs.closeSync(fd);
    }
    const mine: KmsgRecord[] = [];
    readRingBuffer((r) => {
      if (r.message.includes(nonce)) mine.push(r);
    });
    assert.equal(mine.length, asked.length, 'every marker is in the ring buffer');
    for (const r of mine) assert.equal(r.facility, 1, `"${r.message}" has facility LOG_USER`);
    for (const [, level] of asked) {
      if (level === undefined) continue;
      const r = mine.find((m) => m.message.endsWith(` ${level}`))!;
      assert.equal(r.level, level, 'the level asked for is kept');
    }
  });

  it('a headline written from user space is in the log but never counted', () => {
    const name = `nicofftest${randomBytes(2).toString('hex')}`;
    const fd = fs.openSync(KMSG_PATH, 'w');
    try {
      fs.writeSync(fd, `<0>${name}: hw csum failure\n`);
    } finally {
      fs.closeSync(fd);
    }
    let rec: KmsgRecord | undefined;
    readRingBuffer((r) => {
      if (r.message.startsWith(`${name}:`)) rec = r;
    });
    assert.ok(rec, 'the line is in the ring buffer');
    assert.equal(matchHeadline(rec.message)?.printedName, name, 'its text is a real headline');
    const tally = scanKernelLog();
    assert.equal(tally.entries.has(name), false, 'but the doctor does not count it');
  });
});
