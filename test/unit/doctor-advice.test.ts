// The doctor's advice in the report (fake kernel): known bugs for the device's driver on the given
// kernel, a separate fault named as separate, and the stack's checksum error counters before and
// after --fix, in the report object (--json) and in the text.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { NativeBinding, useBinding } from '../../ts/binding';
import { applyFix, buildReport, FailureTally, scanText } from '../../ts/doctor';
import type { SnmpText } from '../../ts/doctor/csum-counters';
import { formatReport } from '../../ts/doctor/format';
import { DoctorFake, FakeLink, FakePersistence } from '../helpers/doctor-fakes';

const FIX = path.join(__dirname, '..', 'fixtures');
const fixture = (p: string): string => fs.readFileSync(path.join(FIX, p), 'utf8');

function tallyOf(text: string): FailureTally {
  const t = new FailureTally();
  for (const ev of scanText(text)) t.add(ev, 'x');
  return t;
}

/** A reader that records which namespace it was asked for and hands out the texts in turn. */
function snmpSequence(texts: string[]): { reader: (netns?: string) => SnmpText; asked: Array<string | undefined> } {
  const asked: Array<string | undefined> = [];
  return {
    asked,
    reader: (netns) => {
      asked.push(netns);
      const text = texts.shift();
      if (text === undefined) throw new Error('read more often than expected');
      return { source: `fake:${netns ?? '-'}`, text };
    },
  };
}

const udpOnly = (n: number): string => `Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors\nUdp: 90 1 ${n + 4} 9 0 0 ${n} 0 0\n`;

describe('doctor: advice from known bugs, and the checksum error counters (fake kernel)', () => {
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

  it('smsc95xx on 4.14.74: the 2018 wave with its upgrade remedy and sources; #2965 only as a separate fault', () => {
    setup([{ name: 'eth0', index: 2, driver: 'smsc95xx' }]);
    const snmp = snmpSequence([udpOnly(0)]);
    const report = buildReport(tallyOf('eth0: hw csum failure\n'), ['x'], { persistence, kernelRelease: '4.14.74-v7+', snmpReader: snmp.reader });
    assert.equal(report.kernel, '4.14.74-v7+');
    const d = report.findings[0].devices[0];
    assert.equal(d.fix, 'rx off', 'the fix stays rx off');
    const k = d.knownBugs!;
    assert.deepEqual([k.driver, k.driverFrom, k.kernel], ['smsc95xx', 'ethtool', '4.14.74-v7+']);
    assert.deepEqual(k.causes.map((c) => [c.id, c.kernelMatch, c.fixedIn]), [['pskb-trim-rcsum-2018', 'affected', '4.19 and 4.14.80']]);
    assert.deepEqual(k.separate.map((c) => c.id), ['smsc95xx-tx-2965']);

    // --json is JSON.stringify of the report: the remedy and the sources are in it.
    const json = JSON.parse(JSON.stringify(report));
    const cause = json.findings[0].devices[0].knownBugs.causes[0];
    assert.match(cause.remedy, /^upgrade the kernel to 4\.14\.80 or later/);
    assert.deepEqual(
      cause.sources.map((s: { ref: string }) => s.ref).filter((r: string) => /#(2712|2713|2716|2717)$/.test(r)),
      ['raspberrypi/linux#2712', 'raspberrypi/linux#2713', 'raspberrypi/linux#2716', 'raspberrypi/linux#2717'],
    );

    const text = formatReport(report);
    assert.match(text, /fix: rx off \(ethtool -K eth0 rx off\); tx offloads are not implicated\n/);
    assert.match(text, /known cause for smsc95xx: the 2018 wave: upstream commit 88078d98d1bb .* \(kernel 4\.14\.74 is in 4\.14\.71-4\.14\.79, 4\.18\.x; fixed in 4\.19 and 4\.14\.80\)/);
    assert.match(text, /remedy: upgrade the kernel to 4\.14\.80 or later/);
    assert.match(text, /sources: .*https:\/\/github\.com\/raspberrypi\/linux\/pull\/2716 https:\/\/github\.com\/raspberrypi\/linux\/pull\/2717/);
    // #2965 is named as its own fault, after the cause, with its own symptom, never as part of the fix.
    const separate = /also known for smsc95xx, a different fault \(not "hw csum failure", not part of this fix\): smsc95xx transmit checksums[^\n]*\n\s+[^\n]*TCP[^\n]*handshake/.exec(text);
    assert.ok(separate, text);
    assert.ok(text.indexOf(separate[0]) > text.indexOf('known cause for smsc95xx'));
    assert.match(text, /for that symptom: .*tx off.*not part of the "hw csum failure" fix/);
    assert.match(text, /https:\/\/github\.com\/raspberrypi\/linux\/issues\/2965/);
    assert.match(text, /Other remedies: the kernel upgrade named above/);
  });

  it('smsc95xx on 6.1: no known cause, and the ruled-out wave is named; the separate fault is still mentioned', () => {
    setup([{ name: 'eth0', index: 2, driver: 'smsc95xx' }]);
    const report = buildReport(tallyOf('eth0: hw csum failure\n'), ['x'], { persistence, kernelRelease: '6.1.0-rpi7-rpi-v8', snmpReader: snmpSequence([udpOnly(0)]).reader });
    const k = report.findings[0].devices[0].knownBugs!;
    assert.deepEqual(k.causes, []);
    assert.deepEqual(k.ruledOut.map((r) => r.id), ['pskb-trim-rcsum-2018']);
    const text = formatReport(report);
    assert.match(text, /no known cause on record for smsc95xx on kernel 6\.1\.0; not this kernel: the 2018 wave: .* \(4\.14\.71-4\.14\.79, 4\.18\.x\)/);
    assert.match(text, /also known for smsc95xx, a different fault/);
    assert.match(text, /Other remedies: a newer kernel, where one fixes the cause/);
  });

  it('bcmgenet (Pi 4): a cause on every kernel, still open, and no upgrade is claimed to help', () => {
    setup([{ name: 'eth0', index: 2, driver: 'bcmgenet' }]);
    const report = buildReport(tallyOf('eth0: hw csum failure\n'), ['x'], { persistence, kernelRelease: '6.6.51+rpt-rpi-v8', snmpReader: snmpSequence([udpOnly(0)]).reader });
    const text = formatReport(report);
    assert.match(text, /known cause for bcmgenet: bcmgenet on the Raspberry Pi 4: reports with no known fix \(no kernel is known to fix it; open\)/);
    assert.match(text, /remedy: rx off, persisted; no kernel upgrade is known to help/);
    assert.match(text, /https:\/\/github\.com\/raspberrypi\/linux\/issues\/4184/);
    assert.doesNotMatch(text, /a different fault/);
  });

  it('a device that is not here: matched on the driver its 5.16+ log prefix named', () => {
    setup([{ name: 'wlan0', index: 2 }]);
    const report = buildReport(tallyOf(fixture('kernel-log/raw/6.1-netdev.txt')), ['x'], { persistence, kernelRelease: '6.1.21-v7+', snmpReader: snmpSequence([udpOnly(0)]).reader });
    const f = report.findings[0];
    assert.equal(f.present, false);
    assert.deepEqual([f.knownBugs!.driver, f.knownBugs!.driverFrom], ['smsc95xx', 'log']);
    assert.match(formatReport(report), /no known cause on record for smsc95xx \(named by the log\) on kernel 6\.1\.21/);
  });

  it('a driver with no entry (e1000e): says so; no entry invented', () => {
    setup([{ name: 'eno1', index: 2, driver: 'e1000e' }]);
    const report = buildReport(tallyOf('eno1: hw csum failure\n'), ['x'], { persistence, kernelRelease: '6.1.0', snmpReader: snmpSequence([udpOnly(0)]).reader });
    assert.deepEqual(report.findings[0].devices[0].knownBugs, { driver: 'e1000e', driverFrom: 'ethtool', kernel: '6.1.0', causes: [], separate: [], ruledOut: [] });
    assert.match(formatReport(report), /no known cause on record for e1000e on kernel 6\.1\.0\n/);
  });

  it('counters: read in the devices\' namespace before, and again after --fix; the text says what a growing count means', async () => {
    setup([{ name: 'eth0', index: 2, driver: 'smsc95xx' }]);
    const snmp = snmpSequence([udpOnly(2), fixture('proc-net/6.18-counting.snmp') + fixture('proc-net/6.18-counting.snmp6')]);
    const opts = { persistence, netns: 'pi', kernelRelease: '6.1.0', snmpReader: snmp.reader, links: [{ index: 2, name: 'eth0', master: 0, link: 0, kind: '', address: '', permAddress: '' }] };
    const report = buildReport(tallyOf('eth0: hw csum failure\n'), ['x'], opts);
    assert.deepEqual(report.inCsumErrors.before, { source: 'fake:pi', counters: { Udp: 2 }, total: 2 });
    assert.equal(report.inCsumErrors.after, undefined, 'no after before the fix');
    assert.match(formatReport(report), /Checksum errors the stack counted in the namespace of these devices \(InCsumErrors in \/proc\/net\/snmp, snmp6 and netstat\): 2 \(Udp 2\)\./);

    await applyFix(report, { ...opts, trustLog: true });
    assert.deepEqual(snmp.asked, ['pi', 'pi'], 'both readings in the namespace given');
    assert.deepEqual(report.inCsumErrors.after, { source: 'fake:pi', counters: { Icmp: 3, Tcp: 5, Udp: 7, UdpLite: 11, Icmp6: 17, Udp6: 19, UdpLite6: 23 }, total: 85 });
    const text = formatReport(report);
    assert.match(text, /before the fix 2 \(Udp 2\), after it 85 \(Icmp 3, Tcp 5, Udp 7, UdpLite 11, Icmp6 17, Udp6 19, UdpLite6 23\)\./);
    assert.match(text, /If the count keeps growing after rx off, packets reach this machine corrupted: look at the network/);
    assert.match(text, /Turning offload off here does not cure a corrupting sender\./);
    assert.equal(JSON.parse(JSON.stringify(report)).inCsumErrors.after.total, 85);
  });

  it('--fix --dry-run takes no "after" reading; nothing found still shows the counters', async () => {
    setup([{ name: 'eth0', index: 2 }]);
    const snmp = snmpSequence([udpOnly(0)]);
    const report = buildReport(tallyOf('eth0: hw csum failure\n'), ['x'], { persistence, snmpReader: snmp.reader });
    await applyFix(report, { trustLog: true, persistence, dryRun: true, snmpReader: snmp.reader });
    assert.equal(report.inCsumErrors.after, undefined);
    assert.equal(snmp.asked.length, 1);

    const none = buildReport(new FailureTally(), ['/dev/kmsg'], { snmpReader: snmpSequence([udpOnly(4)]).reader });
    assert.match(formatReport(none), /No "hw csum failure" found\.\n(.*\n)?Checksum errors the stack counted in this namespace .*: 4 \(Udp 4\)\.\nThey count packets whose checksum the stack itself found wrong/);
  });

  it('counters that cannot be read are reported as such; the report still stands', () => {
    setup([{ name: 'eth0', index: 2 }]);
    const report = buildReport(tallyOf('eth0: hw csum failure\n'), ['x'], {
      persistence,
      snmpReader: () => {
        throw Object.assign(new Error('nsenter: cannot open /var/run/netns/gone: No such file or directory'), {});
      },
    });
    assert.deepEqual(report.inCsumErrors.before, { source: '/proc/net/snmp', error: { message: 'nsenter: cannot open /var/run/netns/gone: No such file or directory' } });
    assert.match(formatReport(report), /\(InCsumErrors in \/proc\/net\/snmp, snmp6 and netstat\): unreadable \(nsenter: cannot open/);
  });
});
