// nic-offload doctor end to end: the real CLI reads a fixture log that names devices which exist
// in a throwaway namespace (a veth eth0 as the port of bridge br0), reports them, and --fix turns
// rx-checksum off and persists it under a temporary root. ethtool inside the namespace is the
// oracle for drivers and feature states.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { listPersisted } from '../../ts/persist';
import { must, TestNetns } from '../helpers/netns';
import { pinnedDmesg } from '../helpers/pinned-render';

const REPO = path.join(__dirname, '..', '..');
const FIXTURE = path.join(REPO, 'test', 'fixtures', 'kernel-log', 'raw', '5.10-skb-dump.txt');

function doctor(args: string[], input?: string, env: NodeJS.ProcessEnv = process.env): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(REPO, 'ts', 'cli', 'main.ts'), 'doctor', ...args], {
    cwd: REPO,
    encoding: 'utf8',
    input,
    env,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('doctor: CLI end to end (namespace, temp root)', function () {
  this.timeout(60000);
  let ns: TestNetns;
  let root: string;
  let common: string[];

  const rxActive = (dev: string): boolean => ns.ethtoolJson(dev)['rx-checksumming'].active;

  before(() => {
    ns = TestNetns.create('doctor');
    ns.addVeth('eth0', 'peer0');
    ns.addBridge('br0');
    ns.ip('link', 'set', 'eth0', 'master', 'br0');
    ns.up('eth0', 'peer0', 'br0');
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-doctor-root-'));
    fs.mkdirSync(path.join(root, 'var/lib/dpkg'), { recursive: true });
    const udev = parseInt(must('udevadm', ['--version']), 10);
    fs.writeFileSync(path.join(root, 'var/lib/dpkg/status'), `Package: udev\nStatus: install ok installed\nVersion: ${udev}.1-1\n\n`);
    common = ['--netns', ns.name, '--root', root];
  });

  after(() => {
    ns?.destroy();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('reports br0 as its port eth0, with the driver and rx-checksum state ethtool shows; changes nothing', () => {
    const r = doctor(['--log', FIXTURE, '--json', ...common]);
    assert.equal(r.status, 2, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(
      report.findings.map((f: { name: string; printedName: string; count: number; kind?: string; lower?: string[] }) => [f.name, f.printedName, f.count, f.kind, f.lower]),
      [
        ['br0', 'br0', 2, 'bridge', ['eth0']],
        ['eth0', '<unknown>', 1, 'veth', undefined],
      ],
    );
    const driver = /^driver: (\S+)/m.exec(ns.ethtool('-i', 'eth0').stdout)![1];
    for (const f of report.findings) {
      assert.equal(f.devices.length, 1);
      const d = f.devices[0];
      assert.equal(d.ifname, 'eth0');
      assert.equal(d.driver, driver, 'driver as ethtool -i says');
      assert.equal(d.rxChecksum, rxActive('eth0') ? 'on' : 'off', 'rx-checksum as ethtool -k says');
      assert.equal(d.fix, 'rx off');
      assert.equal(d.persist.backend, 'systemd-link');
    }
    assert.equal(rxActive('eth0'), true, 'still on: the doctor changed nothing');
    assert.deepEqual(fs.readdirSync(root), ['var'], 'nothing written under the root');
  });

  it('the text report names the fix and the persistence', () => {
    const r = doctor(['--log', FIXTURE, ...common]);
    assert.equal(r.status, 2);
    assert.match(r.stdout, /br0 is a bridge: the fault is in its port eth0/);
    assert.match(r.stdout, /fix: rx off \(ethtool -K eth0 rx off\); tx offloads are not implicated/);
    assert.match(r.stdout, /persist with systemd-link: /);
    assert.match(r.stdout, /Run "nic-offload doctor --fix"/);
  });

  it('reads the log from stdin with --log -', () => {
    const r = doctor(['--log', '-', '--json', ...common], fs.readFileSync(FIXTURE, 'utf8'));
    assert.equal(r.status, 2, r.stderr);
    assert.equal(JSON.parse(r.stdout).total, 3);
  });

  it('dmesg | doctor --log -: driver, bus id and stamp on days 1-9 and from the 10th, in any zone', () => {
    const netdev = path.join(REPO, 'test', 'fixtures', 'kernel-log', 'raw', '6.1-netdev.txt');
    for (const pin of [
      { boot: '2026-12-01 22:00:00', tz: 'UTC', locale: 'C' },
      { boot: '2026-12-25 22:00:00', tz: 'America/St_Johns', locale: 'C' },
    ]) {
      for (const args of [['--time-format', 'reltime'], ['-T'], ['--time-format', 'iso']]) {
        const log = pinnedDmesg(netdev, args, pin);
        const r = doctor(['--log', '-', '--json', ...common], log, { ...process.env, TZ: pin.tz });
        const what = `${pin.boot} ${args.join(' ')}`;
        const [f] = JSON.parse(r.stdout).findings;
        assert.equal(f.driver, 'smsc95xx', what);
        assert.equal(f.busId, '1-1.1:1.0', what);
        const line = log.split('\n').find((l) => l.includes('hw csum failure'))!;
        assert.ok(f.first.stamp && line.includes(f.first.stamp), `${what}: stamp "${f.first.stamp}" from "${line}"`);
        assert.ok(f.first.date, `${what}: a date`);
      }
    }
  });

  it('--fix on a --log file is refused without --trust-log (text can be forged), and changes nothing', () => {
    const r = doctor(['--log', FIXTURE, '--fix', ...common]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /ERR_UNVERIFIED_LOG|forged/);
    assert.equal(rxActive('eth0'), true);
    assert.deepEqual(listPersisted({ root }), []);
    const report = doctor(['--log', FIXTURE, ...common]);
    assert.match(report.stdout, /may have forged; only the ring buffer and the system journal come from the kernel itself/);
  });

  it('--fix --dry-run changes nothing', () => {
    const r = doctor(['--log', FIXTURE, '--fix', '--dry-run', '--trust-log', ...common]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stdout, /would turn rx-checksum off/);
    assert.match(r.stdout, /would persist with systemd-link/);
    assert.equal(rxActive('eth0'), true);
    assert.deepEqual(listPersisted({ root }), []);
  });

  it('--fix turns rx-checksum off (ethtool), persists it once, and exits 3', () => {
    const r = doctor(['--log', FIXTURE, '--fix', '--trust-log', ...common]);
    assert.equal(r.status, 3, r.stdout + r.stderr);
    assert.equal(rxActive('eth0'), false, 'ethtool: rx-checksum off');
    assert.equal(rxActive('peer0'), true, 'ethtool: the peer is untouched');
    assert.deepEqual(listPersisted({ root }).map((p) => [p.ifname, p.settings]), [['eth0', { rx: false }]]);
    assert.match(r.stdout, /turned rx-checksum off/);
    assert.match(r.stdout, /persisted with systemd-link: \/etc\/systemd\/network\/10-nic-offload-eth0\.link \(created\)/);
  });

  it('afterwards the same log reports the failures as handled (exit 3)', () => {
    const r = doctor(['--log', FIXTURE, ...common]);
    assert.equal(r.status, 3);
    assert.match(r.stdout, /eth0: driver \S+; rx-checksum off/);
    assert.match(r.stdout, /rx-checksum is off on every implicated device/);
  });

  it('a log without failures exits 0', () => {
    const r = doctor(['--log', '-', ...common], '[    1.000000] usb 1-1: new high-speed USB device\n');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /No "hw csum failure" found/);
  });

  it('bad command lines and unreadable logs: one line, exit 1', () => {
    const cases: Array<[string[], RegExp]> = [
      [['extra'], /unexpected argument "extra"/],
      [['--dry-run'], /--dry-run goes with --fix/],
      [['--log'], /--log needs a file name/],
      [['--log', '/nonexistent/kern.log'], /cannot read log file \/nonexistent\/kern\.log: no such file/],
      [['--log', FIXTURE, '--backend', 'bogus'], /unknown backend "bogus"/],
      [['--log', FIXTURE, '--netns', 'nicoff-no-such-ns'], /network namespace nicoff-no-such-ns does not exist/],
    ];
    for (const [args, re] of cases) {
      const r = doctor(args);
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    }
    const j = doctor(['--log', '/nonexistent/kern.log', '--json']);
    assert.equal(JSON.parse(j.stdout).error.code, 'ENOENT');
  });
});

describe('doctor: a macvlan in the log means the NIC below it (IFLA_LINK, real kernel)', function () {
  this.timeout(60000);
  let ns: TestNetns;
  let root: string;
  const rxActive = (dev: string): boolean => ns.ethtoolJson(dev)['rx-checksumming'].active;

  before(() => {
    ns = TestNetns.create('docmv');
    ns.addVeth('eth2', 'peer2');
    ns.ip('link', 'add', 'link', 'eth2', 'name', 'mv0', 'type', 'macvlan', 'mode', 'bridge');
    ns.up('eth2', 'peer2', 'mv0');
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-doctor-mv-'));
    fs.mkdirSync(path.join(root, 'var/lib/dpkg'), { recursive: true });
    const udev = parseInt(must('udevadm', ['--version']), 10);
    fs.writeFileSync(path.join(root, 'var/lib/dpkg/status'), `Package: udev\nStatus: install ok installed\nVersion: ${udev}.1-1\n\n`);
  });
  after(() => {
    ns?.destroy();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('reports mv0 as eth2, and --fix changes and persists eth2', () => {
    const log = '[  812.441023] mv0: hw csum failure\n';
    const r = doctor(['--log', '-', '--json', '--netns', ns.name, '--root', root], log);
    assert.equal(r.status, 2, r.stderr);
    const f = JSON.parse(r.stdout).findings[0];
    assert.deepEqual([f.name, f.kind, f.lower, f.devices.map((d: { ifname: string }) => d.ifname)], ['mv0', 'macvlan', ['eth2'], ['eth2']]);
    const fixed = doctor(['--log', '-', '--fix', '--trust-log', '--json', '--netns', ns.name, '--root', root], log);
    assert.equal(fixed.status, 3, fixed.stderr);
    const devices = JSON.parse(fixed.stdout).findings[0].devices;
    assert.deepEqual(devices.map((d: { ifname: string; applied?: { changed: boolean } }) => [d.ifname, d.applied?.changed]), [['eth2', true]]);
    assert.equal(rxActive('eth2'), false, 'rx-checksum off on the NIC below (ethtool)');
    // (the kernel then drops it on mv0 too: a macvlan's features follow its lower device)
    assert.deepEqual(listPersisted({ root }).map((p) => [p.ifname, p.backend, p.settings]), [['eth2', 'systemd-link', { rx: false }]]);
  });
});
