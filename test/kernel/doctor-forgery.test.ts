// Kernel records that carry text an unprivileged user chose (a program's file name with
// newlines in a segfault report or a NULL-argv warning) must never count as a report, nor name
// the device of a real "<unknown>" one: in every form the doctor and the guard read. The
// headline counts only as the start of a record; later lines belong to their record. The same
// record text as a record of its own is a real report (the control that shows the tests can fail).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { scanStream, scanText, watchKernelLog } from '../../ts/doctor';
import type { LiveFailure } from '../../ts/doctor';
import { forgedName, kmsgLine, nullArgvRecord, segfaultRecord } from '../helpers/forgers';
import { journalctl, kernelEntry, writeJournal } from '../helpers/journal';
import { pinnedDmesg } from '../helpers/pinned-render';

const NAME = 'nfforged0';
const HEAD = `${NAME}: hw csum failure`;
const FORGED = [segfaultRecord(forgedName([HEAD])), nullArgvRecord(`/tmp/d/${forgedName([HEAD])}`)];

const names = async (text: string) => [...(await scanStream(Readable.from([text]))).entries.keys()];

describe('doctor: forged headlines inside kernel records', function () {
  this.timeout(30000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-forgery-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('control: the headline as a record of its own counts, in each form below', async () => {
    assert.deepEqual(await names(`${kmsgLine(3, 1, 1000, HEAD)}\n`), [NAME]);
    assert.deepEqual(await names(`Dec  2 17:45:31 pi kernel: [ 3212.326587] ${HEAD}\n`), [NAME]);
    assert.deepEqual(await names(`<3>[ 3212.326587] ${HEAD}\n`), [NAME]);
  });

  for (const [i, record] of FORGED.entries()) {
    const what = i === 0 ? 'segfault report' : 'NULL-argv warning';
    it(`${what}: a copy of /dev/kmsg (the record, newlines as \\x0a)`, async () => {
      assert.deepEqual(await names(`${kmsgLine(6, 462, 3212326587, record)}\n`), []);
    });

    it(`${what}: rsyslog (#012 for the newlines)`, async () => {
      assert.deepEqual(await names(`Dec  2 17:45:31 pi kernel: [ 3212.326587] ${record.replace(/\n/g, '#012')}\n`), []);
      assert.deepEqual(await names(`2026-12-02T17:45:31.326587+00:00 pi kernel: ${record.replace(/\n/g, '#012')}\n`), []);
    });

    it(`${what}: the syslog(2) form (each line with the record's prefix), as the real dmesg -F renders it`, async () => {
      const raw = path.join(dir, `raw-${i}.txt`);
      const lines = record.split('\n').map((l) => `<6>[ 3212.326587] ${l}`);
      fs.writeFileSync(raw, `<6>[ 3212.100000] usb 1-1: new device\n${lines.join('\n')}\n<6>[ 3212.400000] usb 1-1: gone\n`);
      assert.deepEqual(await names(fs.readFileSync(raw, 'utf8')), [], 'the raw text');
      for (const args of [[], ['-r'], ['-x']]) {
        const text = pinnedDmesg(raw, args, { boot: '2026-12-01 00:00:00', tz: 'UTC', locale: 'C' });
        assert.ok(text.includes(HEAD), 'dmesg printed the forged line');
        assert.deepEqual(await names(text), [], `dmesg ${args.join(' ')}`);
      }
    });

    it(`${what}: the journal (MESSAGE with newlines), printed by the real journalctl`, async () => {
      const file = path.join(dir, `forged-${i}.journal`);
      writeJournal(file, [{ ...kernelEntry(6, 3212326587n, record), _HOSTNAME: 'pi' }]);
      for (const output of ['json', 'short', 'short-monotonic', 'short-iso']) {
        const text = journalctl(file, output);
        assert.ok(text.includes(NAME), `journalctl -o ${output} printed it`);
        assert.deepEqual(await names(text), [], `journalctl -o ${output}`);
      }
    });

    it(`${what}: the guard's watcher on kmsg records`, async () => {
      const file = path.join(dir, `kmsg-${i}`);
      fs.writeFileSync(file, `${kmsgLine(6, 462, 3212326587, record)}\n${kmsgLine(3, 463, 3212400000, 'eth7: hw csum failure')}\n`);
      const w = watchKernelLog({ kmsgPath: file });
      const seen: LiveFailure[] = [];
      w.on('failure', (f: LiveFailure) => seen.push(f));
      await new Promise((resolve) => w.once('live', resolve));
      w.close();
      assert.deepEqual(seen.map((f) => f.ifname), ['eth7'], 'only the real record after it');
    });
  }

  it('a record holding "dev name=" or "iif=" lines does not name the device of a real "<unknown>"', () => {
    const fake = segfaultRecord(forgedName(['skb len=1 headroom=0 headlen=1 tailroom=0', 'hash(0x0 sw=0 l4=0) proto=0x0800 pkttype=0 iif=7', 'dev name=eth9 feat=0x0']));
    const log = [
      kmsgLine(3, 10, 1000, '<unknown>: hw csum failure'),
      kmsgLine(6, 11, 1001, fake),
      kmsgLine(3, 12, 1002, 'skb len=90 headroom=78 headlen=90 tailroom=1436\nhash(0x0 sw=0 l4=0) proto=0x0800 pkttype=0 iif=2'),
      kmsgLine(3, 13, 1003, 'dev name=eth0 feat=0x0'),
    ];
    const out = scanText(log.join('\n'));
    assert.deepEqual(out.map((e) => [e.printedName, e.resolvedBy, e.ifname, e.iif]), [['<unknown>', 'unresolved', undefined, undefined]]);
    // Without the forger in between, the same dump names it.
    const real = scanText([log[0], log[2], log[3]].join('\n'));
    assert.deepEqual(real.map((e) => [e.resolvedBy, e.ifname]), [['dev-name', 'eth0']]);
  });
});
