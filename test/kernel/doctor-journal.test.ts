// The doctor on the systemd journal: every raw fixture stored as journald stores /dev/kmsg records
// (a real journal file, written by systemd-journal-remote) and printed by the real journalctl, in
// its JSON and text forms; spoofs that only the journal can tell apart; and `doctor --journal[=PATH]`,
// which runs journalctl itself.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { diagnose, parseJournalJson, scanStream } from '../../ts/doctor';
import { formatReport } from '../../ts/doctor/format';
import { journalctlArgs } from '../../ts/doctor/journal';
import { BOOT_USEC, entriesFromRaw, journalctl, JournalEntry, kernelEntry, writeJournal } from '../helpers/journal';
import { check, expectation, fixtures } from '../helpers/kernel-log-fixtures';
import { Pin, pinnedJournalctl, withPinnedProcess } from '../helpers/pinned-render';

const REPO = path.join(__dirname, '..', '..');

function doctor(args: string[], env: NodeJS.ProcessEnv = process.env): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(REPO, 'ts', 'cli', 'main.ts'), 'doctor', ...args], { cwd: REPO, encoding: 'utf8', env });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const scan = (text: string) => scanStream(Readable.from([text]));

describe('doctor: the systemd journal (real journal files, real journalctl)', function () {
  this.timeout(30000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-journal-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const file of fixtures('raw')) {
    const name = path.basename(file, '.txt');
    it(`${name}: stored by journald, printed by journalctl -o json and -o json-seq`, async () => {
      const journal = path.join(dir, `${name}.journal`);
      writeJournal(journal, entriesFromRaw(fs.readFileSync(file, 'utf8')));
      const exp = expectation(file);
      for (const output of ['json', 'json-seq']) {
        const tally = await scan(journalctl(journal, output));
        check(tally, exp, { uptime: true, stamp: false }, `journalctl -o ${output}`);
        for (const f of exp.failures) {
          if (f.firstUptime === undefined) continue;
          const first = [...tally.entries.values()].find((e) => e.name === f.name)!.first;
          assert.equal(first.date?.getTime(), Number(BOOT_USEC / 1000n) + Math.floor(f.firstUptime * 1000 + 1e-6), `${name}: the date journald stored`);
        }
      }
    });
  }

  it('only what journald took from the kernel counts: not logger(1), not stdout, not user lines in /dev/kmsg', async () => {
    const journal = path.join(dir, 'spoofs.journal');
    const base = { __REALTIME_TIMESTAMP: String(BOOT_USEC + 5000000n), __MONOTONIC_TIMESTAMP: '5000000', _BOOT_ID: '3f1c0d2e9b8a47c6a5d4e3f2a1b0c9d8' };
    const entries: JournalEntry[] = [
      { ...base, _TRANSPORT: 'syslog', SYSLOG_IDENTIFIER: 'kernel', SYSLOG_FACILITY: '0', PRIORITY: '3', MESSAGE: 'eth1: hw csum failure' },
      { ...base, _TRANSPORT: 'stdout', SYSLOG_IDENTIFIER: 'kernel', PRIORITY: '3', MESSAGE: 'eth2: hw csum failure' },
      { ...base, _TRANSPORT: 'journal', SYSLOG_IDENTIFIER: 'kernel', PRIORITY: '3', MESSAGE: 'eth3: hw csum failure' },
      kernelEntry((1 << 3) | 3, 6000000n, 'eth4: hw csum failure'), // user space wrote it into /dev/kmsg
      kernelEntry(3, 7000000n, 'eth0: hw csum failure'),
      kernelEntry(4, 7000100n, Buffer.from('skb len=84 headroom=78 \x1b[0m odd bytes')), // journalctl prints it as a byte array
    ];
    writeJournal(journal, entries);
    const printed = journalctl(journal);
    assert.match(printed, /"MESSAGE":\[115,107,98,/, 'a message with control characters comes as bytes');
    const tally = await scan(printed);
    assert.deepEqual([...tally.entries.keys()], ['eth0']);
    assert.equal(tally.entries.get('eth0')!.first.uptime, 7);

    const r = doctor([`--journal=${journal}`, '--json']);
    assert.equal(r.stderr, '');
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.sources, [journal]);
    assert.deepEqual(report.findings.map((f: { name: string; count: number }) => [f.name, f.count]), [['eth0', 1]]);
  });

  it('--journal=DIR reads every journal file in a directory (a copied /var/log/journal), every boot', async () => {
    const jdir = path.join(dir, 'var-log-journal');
    fs.mkdirSync(jdir);
    writeJournal(path.join(jdir, 'a.journal'), [kernelEntry(3, 1000000n, 'smsc95xx 1-1.1:1.0 eth0: hw csum failure')]);
    writeJournal(path.join(jdir, 'b.journal'), [kernelEntry(3, 2000000n, 'smsc95xx 1-1.1:1.0 eth0: hw csum failure')]);
    const report = await diagnose({ journal: jdir });
    assert.deepEqual(report.sources, [jdir]);
    assert.deepEqual(report.findings.map((f) => [f.name, f.count, f.driver]), [['eth0', 2, 'smsc95xx']]);
  });

  it('asks journalctl for the kernel transport of every boot, as JSON', () => {
    const file = path.join(dir, 'args.journal');
    writeJournal(file, [kernelEntry(6, 1n, 'hello')]);
    assert.deepEqual(journalctlArgs(), ['--no-pager', '--quiet', '--output=json', '_TRANSPORT=kernel']);
    assert.deepEqual(journalctlArgs(file), ['--no-pager', '--quiet', '--output=json', `--file=${file}`, '_TRANSPORT=kernel']);
    assert.deepEqual(journalctlArgs(dir).slice(3, 4), [`--directory=${dir}`]);
  });

  it('errors: a missing or unreadable journal, no journalctl, bad arguments', async () => {
    await assert.rejects(diagnose({ journal: path.join(dir, 'nope') }), { code: 'ENOENT', message: /no such file or directory/ });
    const text = path.join(dir, 'not-a-journal.txt');
    fs.writeFileSync(text, 'hello\n');
    await assert.rejects(diagnose({ journal: text }), { code: 'ERR_JOURNAL', message: /^journalctl failed: / });
    await assert.rejects(diagnose({ journal: 42 as unknown as string }), { code: 'ERR_INVALID_ARG_TYPE' });

    const noJournalctl = doctor(['--journal', '--json'], { ...process.env, PATH: path.join(dir, 'empty-bin') });
    assert.equal(noJournalctl.status, 1);
    assert.equal(JSON.parse(noJournalctl.stdout).error.code, 'ENOENT');
    const plain = doctor(['--journal'], { ...process.env, PATH: path.join(dir, 'empty-bin') });
    assert.equal(plain.stderr, 'nic-offload: cannot read the journal: journalctl is not installed here (no systemd journal); read a saved log with --log FILE\n');
    for (const [args, re] of [
      [['--journal='], /--journal= needs a journal file or directory/],
      [['--journal', 'x'], /unexpected argument "x"; a journal path goes as --journal=PATH/],
    ] as Array<[string[], RegExp]>) {
      const r = doctor(args);
      assert.equal(r.status, 1);
      assert.match(r.stderr, re);
    }
  });

  it('JSON lines that are not journal entries are read as text', () => {
    assert.equal(parseJournalJson('{"not":"an entry"}'), undefined);
    assert.equal(parseJournalJson('{broken'), undefined);
    assert.equal(parseJournalJson('[1,2]'), undefined);
    const multi = parseJournalJson('{"MESSAGE":["first value","second"],"_TRANSPORT":"kernel","SYSLOG_FACILITY":"0"}')!;
    assert.equal(multi.message, 'first value');
    assert.equal(multi.kernel, true);
  });

  it('when only the ring buffer was read and nothing was found, the report says where earlier boots are', () => {
    const empty = (sources: string[]) => formatReport({ sources, total: 0, overflow: 0, truncatedLines: 0, verified: true, oncePerBoot: false, found: false, needsFix: false, absent: false, findings: [], kernel: '6.1.0', inCsumErrors: { before: { source: '/proc/net/snmp', counters: {}, total: 0 } } });
    assert.match(empty(['/dev/kmsg']), /Only this boot's kernel ring buffer was read\. For earlier boots: --journal \(the systemd journal\), or --log \/var\/log\/kern\.log\./);
    assert.doesNotMatch(empty(['journal']), /earlier boots/);
    assert.doesNotMatch(empty(['/var/log/kern.log']), /earlier boots/);
  });
});

// journalctl's text forms, printed by the real journalctl in a pinned zone and locale from a
// journal whose dates are fixed (BOOT_USEC): the driver, bus id and stamp of the report survive
// each, and the date read back from the stamp is the one journald stored (to the printed precision).
describe('doctor: journalctl text output in pinned zones and locales', function () {
  this.timeout(60000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-journal-text-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const OUTPUTS: Array<[string, number | undefined]> = [
    ['short', 1],
    ['short-precise', 1e-6],
    ['short-iso', 1],
    ['short-iso-precise', 1e-6],
    ['short-full', 1],
    ['short-unix', 1e-6],
    ['short-monotonic', undefined],
    ['short-delta', undefined],
  ];
  const PINS: Pin[] = [
    { boot: '', tz: 'UTC', locale: 'C' },
    { boot: '', tz: 'Asia/Kolkata', locale: 'de_DE.UTF-8' },
    { boot: '', tz: 'America/St_Johns', locale: 'ja_JP.UTF-8' },
  ];
  for (const raw of ['6.1-netdev', '5.10-skb-dump']) {
    for (const pin of PINS) {
      it(`${raw}: journalctl -o short* with TZ=${pin.tz} LC_ALL=${pin.locale}`, async () => {
        const file = fixtures('raw').find((f) => path.basename(f) === `${raw}.txt`)!;
        const exp = expectation(file);
        const journal = path.join(dir, `${raw}-${pin.tz.replace('/', '_')}.journal`);
        writeJournal(journal, entriesFromRaw(fs.readFileSync(file, 'utf8')).map((e) => ({ ...e, _HOSTNAME: 'pi' })));
        for (const [output, step] of OUTPUTS) {
          const text = pinnedJournalctl(journal, output, pin);
          const now = new Date(Number(BOOT_USEC / 1000n) + 86400e3);
          const tally = await withPinnedProcess(pin, () => scanStream(Readable.from([text]), { now }));
          check(tally, exp, { uptime: step === undefined, stamp: false }, `journalctl -o ${output}`);
          const f = exp.failures[0];
          const first = [...tally.entries.values()].find((e) => e.name === f.name)!.first;
          assert.ok(first.stamp, `-o ${output}: a stamp`);
          if (step === undefined) continue;
          const at = Number(BOOT_USEC) / 1e6 + f.firstUptime!;
          const want = Math.floor(at / step + 1e-9) * step;
          assert.ok(first.date, `-o ${output}: a date from "${first.stamp}"`);
          assert.ok(Math.abs(first.date.getTime() / 1000 - want) < 0.001, `-o ${output}: "${first.stamp}" read as ${first.date.toISOString()}`);
        }
      });
    }
  }
});
