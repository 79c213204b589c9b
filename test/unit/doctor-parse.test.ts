// The "hw csum failure" scanner against fixtures written from the kernel's format strings
// (test/fixtures/kernel-log/*/NAME.expect.json says what each holds), and the rendered fixtures
// committed from the real dmesg and journalctl (test/kernel/doctor-renderings.test.ts renders
// them anew with the real tools at pinned dates).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { scanStream, scanText } from '../../ts/doctor';
import { CsumFailureDetector, HEADLINE, LogLineParser, matchHeadline } from '../../ts/doctor/parse';
import type { FailureTally } from '../../ts/doctor/report';
import { check, expectation, FIXTURES, fixtures } from '../helpers/kernel-log-fixtures';
import { withPinnedProcess } from '../helpers/pinned-render';
async function scanString(text: string): Promise<FailureTally> {
  return scanStream(Readable.from([text]), { now: new Date('2025-12-01T00:00:00Z') });
}

// The renderings below run at a pinned boot time, zone and locale (test/helpers/pinned-render.ts).
describe('doctor: syslog, journalctl and /dev/kmsg fixtures', () => {
  for (const dir of ['syslog', 'journal', 'kmsg', 'rendered']) {
    for (const file of fixtures(dir)) {
      it(`${dir}/${path.basename(file)}`, async () => {
        const exp = expectation(file);
        const text = fs.readFileSync(file, 'utf8');
        // A rendered fixture is read as the doctor would read it on the machine that printed it.
        const pin = exp.env ? { boot: '', tz: exp.env.TZ, locale: exp.env.LC_ALL } : { boot: '', tz: 'UTC', locale: 'C' };
        const now = exp.now ? new Date(exp.now) : new Date('2025-12-01T00:00:00Z');
        const tally = await withPinnedProcess(pin, () => scanStream(Readable.from([text]), { now }));
        check(tally, exp, { uptime: true, stamp: true }, path.basename(file));
      });
    }
  }

  it('scanText gives the same failures as scanStream, one per sighting', async () => {
    const file = path.join(FIXTURES, 'raw', '5.10-skb-dump.txt');
    const text = fs.readFileSync(file, 'utf8');
    const events = scanText(text);
    assert.deepEqual(
      events.map((e) => [e.ifname, e.printedName, e.resolvedBy]),
      [
        ['br0', 'br0', 'headline'],
        ['br0', 'br0', 'headline'],
        ['eth0', '<unknown>', 'dev-name'],
      ],
    );
    const tally = await scanString(text);
    assert.equal(tally.total, events.length);
  });

  it('a fixture with CRLF line ends scans the same', async () => {
    const file = path.join(FIXTURES, 'syslog', 'kern.log');
    const exp = expectation(file);
    const crlf = fs.readFileSync(file, 'utf8').replace(/\n/g, '\r\n');
    check(await scanString(crlf), exp, { uptime: true, stamp: true }, 'crlf');
  });
});

describe('doctor: headline matching', () => {
  // Message texts as each kernel's format string produces them.
  const cases: Array<[string, string, string?, string?]> = [
    ['eth0: hw csum failure', 'eth0'],
    ['<unknown>: hw csum failure', '<unknown>'],
    ['(NULL net_device): hw csum failure', '(NULL net_device)'],
    ['smsc95xx 1-1.1:1.0 eth0: hw csum failure', 'eth0', 'smsc95xx', '1-1.1:1.0'],
    ['bcmgenet fd580000.ethernet eth0: hw csum failure', 'eth0', 'bcmgenet', 'fd580000.ethernet'],
    ['mlx5_core 0000:01:00.0 enp1s0f0np0: hw csum failure', 'enp1s0f0np0', 'mlx5_core', '0000:01:00.0'],
    ['br-client: hw csum failure', 'br-client'],
    ['cilium_host: hw csum failure', 'cilium_host'],
    ['r8169 0000:02:00.0 eth0 (unregistering): hw csum failure', 'eth0', 'r8169', '0000:02:00.0'],
    ['bond0 (unregistered): hw csum failure', 'bond0'],
  ];
  for (const [text, name, driver, bus] of cases) {
    it(`"${text}"`, () => {
      const m = HEADLINE.exec(text);
      assert.ok(m, 'the message regex matches');
      assert.equal(m![3], name);
      assert.equal(m![1], driver);
      assert.equal(m![2], bus);
      assert.equal(new LogLineParser().parse(`[    1.000000] ${text}`)?.message, text, 'after a dmesg prefix');
    });
  }

  for (const text of [
    'eth0: hw csum failures are fun',
    'udp v4 hw csum failure.',
    'IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready',
    'openvswitch: Fix setting ipv6 fields causing hw csum failure in mlx5',
    'x[1234]: segfault at 0 ip 0000 sp 0000 error 6 in eth0: hw csum failure',
    `${'a'.repeat(500)} eth0: hw csum failure`,
  ]) {
    it(`not a headline: "${text}"`, () => {
      assert.equal(matchHeadline(text), undefined);
    });
  }
});

describe('doctor: device name resolution', () => {
  const feedAll = (lines: string[]) => {
    const d = new CsumFailureDetector();
    const p = new LogLineParser();
    const out = lines.flatMap((l) => {
      const e = p.parse(l);
      return e ? d.feed(e) : [];
    });
    return [...out, ...d.end()];
  };

  it('a named headline is reported at once, before the dump', () => {
    const d = new CsumFailureDetector();
    assert.equal(d.feed({ message: 'eth0: hw csum failure', kernel: true }).length, 1);
  });

  it('"<unknown>" waits for dev name=, and a stack start ends the wait', () => {
    const d = new CsumFailureDetector();
    assert.equal(d.feed({ message: '<unknown>: hw csum failure', kernel: true }).length, 0);
    const out = d.feed({ message: 'CPU: 0 PID: 0 Comm: swapper/0 Not tainted 5.2.0 #1', kernel: true });
    assert.deepEqual(out.map((e) => [e.printedName, e.resolvedBy, e.ifname]), [['<unknown>', 'unresolved', undefined]]);
  });

  it('lines from user space cannot resolve a pending "<unknown>"', () => {
    const out = feedAll([
      '<3>[  5.0] <unknown>: hw csum failure',
      '<14>[  5.1] skb len=1 headroom=0 headlen=1 tailroom=0',
      '<14>[  5.1] hash(0x0 sw=0 l4=0) proto=0x0800 pkttype=0 iif=7',
      '<3>[  5.2] skb len=90 headroom=78 headlen=90 tailroom=1436',
      '<3>[  5.2] hash(0x0 sw=0 l4=0) proto=0x0800 pkttype=0 iif=2',
      '<14>[  5.3] dev name=wlan0 feat=0x0',
      '<3>[  5.4] dev name=eth0 feat=0x0x0000010000004833',
    ]);
    assert.deepEqual(out.map((e) => e.ifname), ['eth0']);
  });

  it('"dev name=" counts only right after the skb_dump record that follows the headline', () => {
    const skb = ['<3>[  5.1] skb len=90 headroom=78 headlen=90 tailroom=1436', '<3>[  5.1] hash(0x0 sw=0 l4=0) proto=0x0800 pkttype=0 iif=2'];
    // No skb record: a "dev name=" line of another record does not name it.
    assert.deepEqual(feedAll(['<3>[  5.0] <unknown>: hw csum failure', '<3>[  5.2] dev name=eth0 feat=0x0']).map((e) => [e.resolvedBy, e.iif]), [['unresolved', undefined]]);
    // Another kernel record between the dump and "dev name=": iif is kept, the name is not taken.
    const between = feedAll(['<3>[  5.0] <unknown>: hw csum failure', ...skb, '<6>[  5.15] usb 1-1: reset', '<3>[  5.2] dev name=eth0 feat=0x0']);
    assert.deepEqual(between.map((e) => [e.resolvedBy, e.iif]), [['unresolved', 2]]);
    // iif= outside the skb record does not count.
    const stray = feedAll(['<3>[  5.0] <unknown>: hw csum failure', '<3>[  5.1] hash(0x0 sw=0 l4=0) proto=0x0800 pkttype=0 iif=9']);
    assert.deepEqual(stray.map((e) => [e.resolvedBy, e.iif]), [['unresolved', undefined]]);
  });

  it('a second headline settles the first one unresolved', () => {
    const out = feedAll(['<unknown>: hw csum failure', 'eth1: hw csum failure']);
    assert.deepEqual(out.map((e) => [e.printedName, e.resolvedBy]), [['<unknown>', 'unresolved'], ['eth1', 'headline']]);
  });

  it('the wait is bounded: dev name= far after the headline does not attach', () => {
    const noise = Array.from({ length: 40 }, (_, i) => `usb 1-1: noise ${i}`);
    const out = feedAll(['<unknown>: hw csum failure', ...noise, 'dev name=eth0 feat=0x0']);
    assert.deepEqual(out.map((e) => [e.printedName, e.resolvedBy]), [['<unknown>', 'unresolved']]);
  });
});

describe('doctor: log line prefixes', () => {
  const p = () => new LogLineParser(new Date('2025-12-01T00:00:00Z'));

  it('syslog dates take the year that does not lie in the future', () => {
    const line = p().parse('Dec 31 23:59:59 host kernel: eth0: hw csum failure')!;
    assert.equal(line.date?.getFullYear(), 2024);
    const line2 = p().parse('Nov 30 10:00:00 host kernel: eth0: hw csum failure')!;
    assert.equal(line2.date?.getFullYear(), 2025);
  });

  it('a syslog tag other than "kernel" is not the kernel', () => {
    assert.equal(p().parse('Nov 25 14:24:07 raspberrypi pi: eth0: hw csum failure')!.kernel, false);
    assert.equal(p().parse('Nov 25 14:24:07 raspberrypi kernel: eth0: hw csum failure')!.kernel, true);
    assert.equal(p().parse('Nov 25 14:24:07 raspberrypi kernel[0]: eth0: hw csum failure')!.kernel, true);
  });

  it('journalctl short-precise stamps', () => {
    const line = p().parse('Nov 25 14:08:52.873210 pi4 kernel: br0: hw csum failure')!;
    assert.equal(line.message, 'br0: hw csum failure');
    assert.equal(line.date?.getMilliseconds(), 873);
  });

  it('kmsg dictionary lines are not messages', () => {
    const parser = p();
    assert.equal(parser.parse('3,1,2,-;eth0: hw csum failure')!.message, 'eth0: hw csum failure');
    assert.equal(parser.parse(' SUBSYSTEM=usb'), undefined);
  });
});
