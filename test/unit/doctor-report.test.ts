// The doctor's report and --fix on a fake kernel: bridges and bonds map to their ports, VLANs and
// macvlans to the device they sit on,
// "<unknown>" with only iif= maps through the ifindex, rx-checksum states, persistence calls.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { NativeBinding, useBinding } from '../../ts/binding';
import { applyFix, buildReport, diagnose, FailureTally, scanText } from '../../ts/doctor';
import { DoctorExit, doctorExitStatus } from '../../ts/cli/exit-status';
import { formatReport } from '../../ts/doctor/format';
import { MAX_TALLY_NAMES } from '../../ts/doctor/report';
import { DoctorFake, FakeLink, FakePersistence } from '../helpers/doctor-fakes';

const RAW = path.join(__dirname, '..', 'fixtures', 'kernel-log', 'raw');

function tallyOf(fixture: string): FailureTally {
  const t = new FailureTally();
  for (const ev of scanText(fs.readFileSync(path.join(RAW, fixture), 'utf8'))) t.add(ev, fixture);
  return t;
}

describe('doctor: report and --fix (fake kernel)', () => {
  let prev: NativeBinding | undefined;
  let fake: DoctorFake;
  let persistence: FakePersistence;
  const setup = (links: FakeLink[]): void => {
    fake = new DoctorFake(links);
    prev = useBinding(fake);
  };
  beforeEach(() => {
    persistence = new FakePersistence();
  });
  afterEach(() => useBinding(prev));

  it('bond0 in the log means its port eth0; the fix is rx off there, never on the bond', async () => {
    setup([
      { name: 'eth0', index: 2, master: 'bond0', driver: 'smsc95xx' },
      { name: 'bond0', index: 3, kind: 'bond', rx: 'fixed-off' },
    ]);
    const report = buildReport(tallyOf('4.14-bond.txt'), ['4.14-bond.txt'], { persistence });
    assert.equal(report.findings.length, 1);
    const f = report.findings[0];
    assert.equal(f.name, 'bond0');
    assert.equal(f.kind, 'bond');
    assert.deepEqual(f.lower, ['eth0']);
    assert.deepEqual(
      f.devices.map((d) => [d.ifname, d.driver, d.rxChecksum, d.fix, d.command]),
      [['eth0', 'smsc95xx', 'on', 'rx off', 'ethtool -K eth0 rx off']],
    );
    assert.deepEqual(f.devices[0].persist, { backend: 'systemd-link', reason: 'test detection for eth0' });
    assert.equal(doctorExitStatus(report), DoctorExit.NEEDS_FIX);
    assert.deepEqual(fake.setCalls(), [], 'the report changes nothing');
    assert.equal(persistence.calls.length, 0, 'the report persists nothing');

    await applyFix(report, { trustLog: true, persistence, root: '/tmp/x' });
    assert.equal(fake.rxOn('eth0'), false, 'rx-checksum is off on the port');
    assert.deepEqual(fake.setCalls(), ['eth0'], 'only the port was changed');
    assert.deepEqual(persistence.calls.map((c) => [c.ifname, c.changes, c.opts.apply, c.opts.root]), [['eth0', { 'rx-checksum': false }, false, '/tmp/x']]);
    assert.equal(doctorExitStatus(report), DoctorExit.HANDLED);
  });

  it('a bridge over a bond over a NIC reaches the NIC; two names for one NIC fix it once', async () => {
    setup([
      { name: 'eth0', index: 2, master: 'bond0' },
      { name: 'bond0', index: 3, kind: 'bond', master: 'br0', rx: 'fixed-off' },
      { name: 'br0', index: 4, kind: 'bridge', rx: 'fixed-off' },
    ]);
    // 5.10 fixture: br0 twice, and "<unknown>" resolved to eth0 by the dump's dev name= line.
    const report = buildReport(tallyOf('5.10-skb-dump.txt'), ['x'], { persistence });
    assert.deepEqual(report.findings.map((f) => [f.name, f.count, f.lower]), [['br0', 2, ['eth0']], ['eth0', 1, undefined]]);
    await applyFix(report, { trustLog: true, persistence });
    assert.deepEqual(fake.setCalls(), ['eth0']);
    assert.deepEqual(persistence.calls.map((c) => c.ifname), ['eth0']);
    assert.equal(report.needsFix, false);
  });

  it('a VLAN means the device it sits on (IFLA_LINK), through a bond down to its ports', async () => {
    setup([
      { name: 'eth0', index: 2, master: 'bond0' },
      { name: 'eth1', index: 3, master: 'bond0' },
      { name: 'bond0', index: 4, kind: 'bond', rx: 'fixed-off' },
      { name: 'bond0.100', index: 5, kind: 'vlan', link: 'bond0', rx: 'fixed-off' },
      { name: 'eth2', index: 6 },
      { name: 'mv0', index: 7, kind: 'macvlan', link: 'eth2', rx: 'fixed-off' },
    ]);
    const tally = new FailureTally();
    for (const ev of scanText('[  10.0] bond0.100: hw csum failure\n[  11.0] mv0: hw csum failure\n')) tally.add(ev, 'x');
    const report = buildReport(tally, ['x'], { persistence });
    assert.deepEqual(
      report.findings.map((f) => [f.name, f.kind, f.lower, f.devices.map((d) => d.ifname)]),
      [
        ['bond0.100', 'vlan', ['eth0', 'eth1'], ['eth0', 'eth1']],
        ['mv0', 'macvlan', ['eth2'], ['eth2']],
      ],
    );
    const text = formatReport(report);
    assert.match(text, /bond0\.100 is a vlan: the fault is in the NICs below it: eth0, eth1/);
    assert.match(text, /mv0 is a macvlan: the fault is in the NIC below it: eth2/);
    await applyFix(report, { trustLog: true, persistence });
    assert.deepEqual(fake.setCalls().sort(), ['eth0', 'eth1', 'eth2']);
  });

  it('a veth is its own NIC (its IFLA_LINK is its peer); a VLAN whose device is elsewhere has none here', () => {
    setup([
      { name: 'veth0', index: 2, kind: 'veth', link: 'veth1' },
      { name: 'veth1', index: 3, kind: 'veth', link: 'veth0' },
      { name: 'vl9', index: 4, kind: 'vlan', rx: 'fixed-off' },
    ]);
    const tally = new FailureTally();
    for (const ev of scanText('veth0: hw csum failure\nvl9: hw csum failure\n')) tally.add(ev, 'x');
    const report = buildReport(tally, ['x'], { persistence });
    assert.deepEqual(
      report.findings.map((f) => [f.name, f.lower, f.devices.map((d) => d.ifname)]),
      [
        ['veth0', undefined, ['veth0']],
        ['vl9', [], []],
      ],
    );
    assert.match(formatReport(report), /vl9 is a vlan with no device below it here now/);
  });

  it('"(NULL net_device)" with only iif=3 is named through the ifindex', () => {
    setup([{ name: 'eno1', index: 3, driver: 'e1000e' }]);
    const report = buildReport(tallyOf('6.12-null-iif.txt'), ['x'], { persistence });
    const f = report.findings[0];
    assert.equal(f.name, 'eno1');
    assert.equal(f.printedName, '(NULL net_device)');
    assert.equal(f.resolvedBy, 'iif');
    assert.equal(f.devices[0].driver, 'e1000e');
  });

  it('rx-checksum already off: nothing to change live, --fix still persists it', async () => {
    setup([{ name: 'eth0', index: 2, rx: 'off' }]);
    const report = buildReport(tallyOf('4.14-legacy.txt'), ['x'], { persistence });
    assert.equal(report.findings[0].devices[0].fix, null);
    assert.equal(doctorExitStatus(report), DoctorExit.HANDLED);
    await applyFix(report, { trustLog: true, persistence });
    assert.deepEqual(fake.setCalls(), []);
    assert.deepEqual(persistence.calls.map((c) => c.ifname), ['eth0']);
  });

  it('rx-checksum fixed on: reported, nothing attempted', async () => {
    setup([{ name: 'eth0', index: 2, rx: 'fixed-on' }]);
    const report = buildReport(tallyOf('4.14-legacy.txt'), ['x'], { persistence });
    const d = report.findings[0].devices[0];
    assert.equal(d.rxChecksum, 'on');
    assert.equal(d.rxChecksumFixed, true);
    assert.equal(d.fix, null);
    assert.equal(d.persist, undefined, 'nothing to persist where nothing can change');
    assert.equal(doctorExitStatus(report), DoctorExit.NEEDS_FIX, 'the problem stays');
    assert.match(formatReport(report), /rx-checksum cannot be turned off on eth0/);
    await applyFix(report, { trustLog: true, persistence });
    assert.deepEqual(fake.setCalls(), []);
    assert.deepEqual(persistence.calls, []);
  });

  it('an interface that is not here is reported as such, with nothing to change', () => {
    setup([{ name: 'wlan0', index: 2 }]);
    const report = buildReport(tallyOf('4.14-legacy.txt'), ['x'], { persistence });
    assert.equal(report.findings[0].present, false);
    assert.deepEqual(report.findings[0].devices, []);
    // Absent is not handled: nothing is known of the device (its own exit status).
    assert.equal(report.absent, true);
    assert.equal(doctorExitStatus(report), DoctorExit.ABSENT);
    assert.match(formatReport(report), /no such interface here now/);
    assert.match(formatReport(report), /nothing is known of its rx-checksum/);
  });

  it('--fix on a report from unverified sources is refused unless trustLog, and nothing is sent', async () => {
    setup([{ name: 'eth0', index: 2 }]);
    const report = buildReport(tallyOf('4.14-legacy.txt'), ['/var/log/kern.log'], { persistence });
    assert.equal(report.verified, false);
    await assert.rejects(applyFix(report, { persistence }), { code: 'ERR_UNVERIFIED_LOG', message: /may have forged/ });
    assert.deepEqual(fake.setCalls(), []);
    assert.deepEqual(persistence.calls, []);
    const ring = buildReport(tallyOf('4.14-legacy.txt'), ['/dev/kmsg'], { persistence, verified: true });
    await applyFix(ring, { persistence });
    assert.equal(fake.rxOn('eth0'), false, 'a verified report is acted on');
  });

  it('--fix --dry-run sends nothing and asks persistence for a dry run', async () => {
    setup([{ name: 'eth0', index: 2 }]);
    const report = buildReport(tallyOf('4.14-legacy.txt'), ['x'], { persistence });
    await applyFix(report, { trustLog: true, persistence, dryRun: true });
    assert.equal(fake.rxOn('eth0'), true);
    assert.deepEqual(fake.setCalls(), []);
    assert.equal(persistence.calls[0].opts.dryRun, true);
    assert.equal(doctorExitStatus(report), DoctorExit.NEEDS_FIX);
    assert.match(formatReport(report), /would turn rx-checksum off/);
  });

  it('a persistence failure is reported per device and keeps the exit status at "needs fix"', async () => {
    setup([{ name: 'eth0', index: 2 }]);
    persistence.fail = Object.assign(new Error('refusing: /etc/systemd/network/x.link is a symlink to /dev/null'), { code: 'ERR_PERSIST_REFUSED' });
    const report = buildReport(tallyOf('4.14-legacy.txt'), ['x'], { persistence });
    await applyFix(report, { trustLog: true, persistence });
    const d = report.findings[0].devices[0];
    assert.deepEqual(d.error, { message: 'refusing: /etc/systemd/network/x.link is a symlink to /dev/null', code: 'ERR_PERSIST_REFUSED' });
    assert.equal(doctorExitStatus(report), DoctorExit.NEEDS_FIX);
  });

  it('nothing found: exit status 0', async () => {
    setup([{ name: 'eth0', index: 2 }]);
    const file = path.join(RAW, 'user-spoof.txt');
    const report = await diagnose({ logs: [file], persistence });
    assert.equal(report.found, false);
    assert.equal(doctorExitStatus(report), DoctorExit.CLEAN);
    assert.match(formatReport(report), /No "hw csum failure" found/);
  });

  it('diagnose reads several logs, gzip included, into one tally', async () => {
    setup([{ name: 'eth0', index: 2 }]);
    const zlib = await import('zlib');
    const tmp = fs.mkdtempSync(path.join(require('os').tmpdir(), 'nicoff-doc-'));
    try {
      const gz = path.join(tmp, 'kern.log.2.gz');
      fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(path.join(RAW, '4.14-legacy.txt'))));
      const report = await diagnose({ logs: [path.join(RAW, '4.14-legacy.txt'), gz], persistence });
      assert.equal(report.findings[0].count, 6);
      assert.equal(report.findings[0].first.source, path.join(RAW, '4.14-legacy.txt'));
      assert.equal(report.findings[0].last.source, gz);
      fs.writeFileSync(path.join(tmp, 'bad.gz'), 'not gzip');
      await assert.rejects(diagnose({ logs: [path.join(tmp, 'bad.gz')], persistence }), { code: 'ERR_LOG_FORMAT' });
      await assert.rejects(diagnose({ logs: [path.join(tmp, 'missing')], persistence }), { code: 'ENOENT' });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('the tally keeps a bounded number of names', () => {
    const t = new FailureTally();
    for (let i = 0; i < MAX_TALLY_NAMES + 50; i++) t.add({ printedName: `x${i}`, ifname: `x${i}`, resolvedBy: 'headline' });
    assert.equal(t.entries.size, MAX_TALLY_NAMES);
    assert.equal(t.overflow, 50);
    assert.equal(t.total, MAX_TALLY_NAMES + 50);
  });
});
