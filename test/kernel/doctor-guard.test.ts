// The guard end to end: the real CLI as a child process, reading kmsg records from a FIFO
// (standing in for /dev/kmsg), acting on veth devices in a throwaway namespace and persisting
// under a temporary root. The real ethtool inside the namespace is the oracle for the device
// state, listPersisted() for what was recorded.
import { strict as assert } from 'assert';
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { listPersisted } from '../../ts/persist';
import { must, TestNetns } from '../helpers/netns';

const REPO = path.join(__dirname, '..', '..');
const CLI = [process.execPath, '--require', 'tsx/cjs', path.join(REPO, 'ts', 'cli', 'main.ts')] as const;

let seq = 5000;
function rec(priority: number, message: string, dict: Record<string, string> = {}): string {
  const s = seq++;
  return `${priority},${s},${s * 1000},-;${message.replace(/\n/g, '\\x0a')}\n${Object.entries(dict).map(([k, v]) => ` ${k}=${v}\n`).join('')}`;
}

/** A temp root where persistence detection finds this machine's udev (so it uses .link files). */
function makeRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-guard-root-'));
  fs.mkdirSync(path.join(root, 'var/lib/dpkg'), { recursive: true });
  const version = parseInt(must('udevadm', ['--version']), 10);
  fs.writeFileSync(path.join(root, 'var/lib/dpkg/status'), `Package: udev\nStatus: install ok installed\nVersion: ${version}.1-1\n\n`);
  return root;
}

class GuardProcess {
  readonly child: ChildProcess;
  out = '';
  err = '';
  private waiters: Array<() => void> = [];

  constructor(args: string[]) {
    this.child = spawn(CLI[0], [...CLI.slice(1), 'guard', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => this.got(d, 'out'));
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => this.got(d, 'err'));
    this.child.on('exit', () => this.got('', 'out'));
  }

  private got(d: string, which: 'out' | 'err'): void {
    this[which] += d;
    for (const w of this.waiters.splice(0)) w();
  }

  lines(): string[] {
    return (this.out + this.err).split('\n').filter(Boolean);
  }

  /** Resolves with the first output line matching `re` (the test's timeout bounds the wait). */
  async line(re: RegExp): Promise<string> {
    for (;;) {
      const l = this.lines().find((x) => re.test(x));
      if (l) return l;
      if (this.child.exitCode !== null) throw new Error(`guard exited (${this.child.exitCode}): ${this.out}${this.err}`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((r) => this.child.once('exit', (code) => r(code)));
    this.child.kill('SIGTERM');
    return exited;
  }
}

describe('doctor: guard end to end (CLI child process, namespace, FIFO as /dev/kmsg)', function () {
  this.timeout(60000);
  let ns: TestNetns;
  let dir: string;
  let root: string;
  let fifo: string;
  let writer: number;
  let guard: GuardProcess;

  const rxActive = (dev: string): boolean => ns.ethtoolJson(dev)['rx-checksumming'].active;

  before(async () => {
    ns = TestNetns.create('guard');
    ns.addVeth('eth0', 'peer0');
    ns.addVeth('eth1', 'peer1');
    ns.addBridge('br0');
    ns.ip('link', 'set', 'eth1', 'master', 'br0');
    ns.up('eth0', 'peer0', 'eth1', 'peer1', 'br0');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-guard-e2e-'));
    root = makeRoot();
    fifo = path.join(dir, 'kmsg');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    writer = fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    guard = new GuardProcess(['--kmsg', fifo, '--netns', ns.name, '--root', root]);
    await guard.line(/watching .* for "hw csum failure" on every interface/);
  });

  after(async () => {
    await guard?.stop();
    if (writer !== undefined) fs.closeSync(writer);
    ns?.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('starts with rx-checksum on everywhere (ethtool)', () => {
    for (const dev of ['eth0', 'eth1', 'peer0']) assert.equal(rxActive(dev), true, dev);
  });

  it('user-space records change nothing; a kernel record for br0 turns off its port eth1 and persists it', async () => {
    fs.writeSync(writer, rec(1 * 8 + 3, 'eth0: hw csum failure'));
    fs.writeSync(writer, rec(1 * 8 + 0, 'veth peer0: hw csum failure'));
    fs.writeSync(writer, rec(1 * 8 + 3, '<unknown>: hw csum failure'));
    fs.writeSync(writer, rec(1 * 8 + 3, 'dev name=eth0 feat=0x0000010000004833'));
    fs.writeSync(writer, rec(3, 'br0: hw csum failure'));
    const line = await guard.line(/guard: eth1: /);
    assert.match(line, /^nic-offload guard: eth1: kernel reported "hw csum failure" on br0 \(a bridge over eth1\) \(kmsg seq \d+, [\d.]+ s after boot\); turned rx-checksum off; persisted it with systemd-link \(\/etc\/systemd\/network\/10-nic-offload-eth1\.link/);
    assert.equal(rxActive('eth1'), false, 'ethtool: eth1 rx-checksum off');
    assert.equal(rxActive('eth0'), true, 'ethtool: eth0 untouched by the spoofs');
    assert.equal(rxActive('peer0'), true, 'ethtool: peer0 untouched by the spoofs');
    const persisted = listPersisted({ root });
    assert.deepEqual(persisted.map((p) => [p.ifname, p.settings]), [['eth1', { rx: false }]]);
    assert.ok(fs.existsSync(path.join(root, persisted[0].files[0])), 'the .link file is under the temp root');
    assert.deepEqual(guard.lines().filter((l) => / eth0: | peer0: /.test(l)), [], 'no line about the spoofed devices');
  });

  it('a 5.16+ record for eth0 turns eth0 off once, however often it repeats', async () => {
    const netdev = rec(3, 'veth eth0-bus eth0: hw csum failure', { SUBSYSTEM: 'net', DEVICE: '+net:eth0' });
    fs.writeSync(writer, netdev + rec(3, 'eth0: hw csum failure') + rec(3, 'eth0: hw csum failure'));
    await guard.line(/guard: eth0: /);
    assert.equal(rxActive('eth0'), false, 'ethtool: eth0 rx-checksum off');
    // A sentinel after more eth0 records: when its line appears, the eth0 records were handled.
    fs.writeSync(writer, rec(3, 'eth0: hw csum failure') + rec(3, 'skb len=60 headroom=64 headlen=60 tailroom=132\nhash(0x0 sw=0 l4=0) proto=0x0800 pkttype=0 iif=1'));
    const skb = rec(3, 'skb len=60 headroom=64 headlen=60 tailroom=132\nhash(0x0 sw=0 l4=0) proto=0x0800 pkttype=0 iif=0');
    fs.writeSync(writer, rec(3, '(NULL net_device): hw csum failure') + skb + rec(3, 'dev name=peer0 feat=0x0000010000004833') + rec(4, 'CPU: 0 PID: 0 Comm: swapper/0'));
    await guard.line(/guard: peer0: /);
    assert.equal(guard.lines().filter((l) => /guard: eth0: /.test(l)).length, 1, 'one line for eth0');
    assert.equal(rxActive('peer0'), false, 'ethtool: peer0 off ("(NULL net_device)" resolved by dev name=)');
    assert.deepEqual(listPersisted({ root }).map((p) => p.ifname).sort(), ['eth0', 'eth1', 'peer0']);
  });

  it('stops on SIGTERM with status 0', async () => {
    assert.equal(await guard.stop(), 0);
  });
});
