// The doctor's checksum error counters on the real kernel: frames with wrong checksums are sent over
// a veth inside a throwaway namespace (an AF_PACKET socket, test/helpers/send-bad-csum.py), the
// namespace's stack drops and counts them, and the doctor (the CLI, as a process) reports exactly
// that change, before and after --fix, through an `ip netns` name and through /proc/PID/ns/net.
// nstat(8) inside the namespace is the oracle. With rx-checksum off the count still grows: turning
// offload off does not cure a corrupting sender.
import { strict as assert } from 'assert';
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { binArgv } from '../helpers/cli-run';
import { must, TestNetns } from '../helpers/netns';

const SENDER = path.join(__dirname, '..', 'helpers', 'send-bad-csum.py');
const LOG = 'v0: hw csum failure\n';

interface Counts {
  source: string;
  counters: Record<string, number>;
  total: number;
}

/** The CLI reading the log from stdin (never this machine's /dev/kmsg). */
function doctor(args: string[], log = LOG): { status: number | null; stdout: string; stderr: string } {
  const [node, ...rest] = binArgv('doctor', '--log', '-', ...args);
  const r = spawnSync(node, rest, { encoding: 'utf8', input: log });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('doctor: InCsumErrors of the namespace, moved by real bad-checksum frames', function () {
  this.timeout(60000);
  let ns: TestNetns;
  let root: string;
  let mac: string;

  /** nstat's absolute values (no history file read or written): the oracle. */
  const nstat = (): Record<string, number> => {
    const r = ns.exec('nstat', ['-asz']);
    assert.equal(r.status, 0, r.stderr);
    const out: Record<string, number> = {};
    for (const m of r.stdout.matchAll(/^(\w+)InCsumErrors\s+(\d+)/gm)) out[m[1]] = Number(m[2]);
    return out;
  };
  const send = (...kinds: string[]): void => {
    const r = ns.exec('python3', [SENDER, 'v1', mac, ...kinds]);
    assert.equal(r.status, 0, r.stderr);
  };
  const report = (args: string[] = []): { json: { inCsumErrors: { before: Counts; after?: Counts }; kernel: string; findings: Array<{ devices: Array<{ ifname: string; driver?: string; knownBugs?: { causes: unknown[] } }> }> }; status: number | null } => {
    const r = doctor(['--json', '--netns', ns.name, ...args]);
    assert.ok(r.status === 2 || r.status === 3, `${r.status}: ${r.stderr}`);
    return { json: JSON.parse(r.stdout), status: r.status };
  };

  before(() => {
    ns = TestNetns.create('csum');
    ns.addVeth('v0', 'v1');
    ns.ip('addr', 'add', '10.77.0.1/24', 'dev', 'v0');
    ns.ip('addr', 'add', 'fd77::1/64', 'dev', 'v0', 'nodad');
    ns.up('v0', 'v1');
    mac = ns.exec('cat', ['/sys/class/net/v0/address']).stdout.trim();
    assert.match(mac, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-csum-root-'));
    fs.mkdirSync(path.join(root, 'var/lib/dpkg'), { recursive: true });
    const udev = parseInt(must('udevadm', ['--version']), 10);
    fs.writeFileSync(path.join(root, 'var/lib/dpkg/status'), `Package: udev\nStatus: install ok installed\nVersion: ${udev}.1-1\n\n`);
  });
  after(() => {
    ns?.destroy();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('reads the namespace\'s counters, as nstat shows them, and the running kernel', () => {
    const { json } = report();
    const before = json.inCsumErrors.before;
    assert.equal(before.source, `nsenter --net=/var/run/netns/${ns.name} -- cat /proc/self/net/snmp /proc/self/net/snmp6 /proc/self/net/netstat`);
    assert.deepEqual(before.counters, nstat());
    assert.deepEqual(Object.keys(before.counters).sort(), ['Icmp', 'Icmp6', 'IpExt', 'Tcp', 'Udp', 'Udp6', 'UdpLite', 'UdpLite6']);
    assert.equal(json.inCsumErrors.after, undefined);
    assert.equal(json.kernel, os.release());
    const d = json.findings[0].devices[0];
    assert.equal(d.ifname, 'v0');
    assert.equal(d.driver, 'veth');
    assert.deepEqual(d.knownBugs!.causes, [], 'no known cause for veth');
  });

  it('frames with wrong UDP, TCP, ICMP, UDP6, ICMP6 and IPv4 header sums move exactly their counters', () => {
    const was = report().json.inCsumErrors.before.counters;
    send('udp4=2', 'tcp4=1', 'icmp4=3', 'udp6=4', 'icmp6=1', 'ip4hdr=2');
    const now = report().json.inCsumErrors.before;
    const delta: Record<string, number> = {};
    for (const k of Object.keys(now.counters)) if (now.counters[k] !== was[k]) delta[k] = now.counters[k] - was[k];
    assert.deepEqual(delta, { Udp: 2, Tcp: 1, Icmp: 3, Udp6: 4, Icmp6: 1, IpExt: 2 });
    assert.deepEqual(now.counters, nstat(), 'as nstat counts them');
    const text = doctor(['--netns', ns.name]).stdout;
    assert.match(text, new RegExp(`Checksum errors the stack counted in the namespace of these devices \\(InCsumErrors in /proc/net/snmp, snmp6 and netstat\\): ${now.total} \\(`));
  });

  it('--fix: counters before and after; with rx-checksum off, bad frames are still counted (a corrupting sender is not cured)', () => {
    assert.equal(ns.ethtoolJson('v0')['rx-checksumming'].active, true);
    const fixed = report(['--fix', '--trust-log', '--root', root]);
    assert.equal(fixed.status, 3, 'handled');
    assert.equal(ns.ethtoolJson('v0')['rx-checksumming'].active, false, 'rx off, as ethtool shows');
    const { before, after } = fixed.json.inCsumErrors;
    assert.ok(after, 'an "after" reading');
    assert.equal(after.total, before.total, 'nothing was sent meanwhile');

    send('udp4=3', 'tcp4=2');
    const later = report().json.inCsumErrors.before;
    assert.equal(later.counters.Udp - after.counters.Udp, 3);
    assert.equal(later.counters.Tcp - after.counters.Tcp, 2);
    const text = doctor(['--netns', ns.name]).stdout;
    assert.match(text, /If the count keeps growing after rx off, packets reach this machine corrupted: look at the network/);
    assert.match(text, /Turning offload off here does not cure a corrupting sender\./);
  });

  it('--netns /proc/PID/ns/net reads /proc/PID/net of that process: the same counters', async () => {
    let child: ChildProcess | undefined;
    try {
      child = spawn('ip', ['netns', 'exec', ns.name, 'sleep', '600'], { stdio: 'ignore' });
      // `ip netns exec` execs sleep in place: the child's pid is the process in the namespace.
      const pid = child.pid!;
      for (let i = 0; i < 100 && fs.readlinkSync(`/proc/${pid}/ns/net`) === fs.readlinkSync('/proc/self/ns/net'); i++) await new Promise((r) => setTimeout(r, 20));
      const byName = report().json.inCsumErrors.before;
      const r = doctor(['--json', '--netns', `/proc/${pid}/ns/net`]);
      const byPid = JSON.parse(r.stdout).inCsumErrors.before as Counts;
      assert.equal(byPid.source, `/proc/${pid}/net/snmp`);
      assert.deepEqual(byPid.counters, byName.counters);
    } finally {
      if (child && child.exitCode === null) {
        const gone = new Promise((r) => child!.once('exit', r));
        child.kill('SIGKILL');
        await gone;
      }
    }
  });

  it('a namespace that is not there: an error when devices must be looked up, "unreadable" counters otherwise', () => {
    const gone = `${ns.name}-gone`;
    const r = doctor(['--json', '--netns', gone]);
    assert.equal(r.status, 1, r.stdout);
    assert.equal(JSON.parse(r.stdout).error.code, 'ENOENT');
    const none = doctor(['--json', '--netns', gone], '');
    assert.equal(none.status, 0, 'nothing found');
    const reading = JSON.parse(none.stdout).inCsumErrors.before;
    assert.equal(reading.source, `netns ${gone}`);
    assert.match(reading.error.message, new RegExp(`^nsenter --net=/var/run/netns/${gone} .*: nsenter: .*No such file or directory`));
    assert.match(doctor(['--netns', gone], '').stdout, /: unreadable \(nsenter /);
  });
});
