// Faults and races with real processes: kill -9 a writer at random moments (the file is always
// the old or the new one, never torn, and the lock dies with the process), several
// `nic-offload persist` processes at once (the lock serializes them; no update is lost), and a
// full file system under --root (the error leaves device and files as they were).
import assert from 'assert/strict';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { listPersisted, persist } from '../../ts/persist';
import { writeSystemFile } from '../../ts/persist/system-files';
import { readState } from '../../ts/persist/state';
import { addUdev, ethtoolFeatures, TempRoot } from '../helpers/persist-roots';
import { must, TestNetns } from '../helpers/netns';
import { releaseSockets } from '../../ts/core/device';
import { BIG_A, BIG_B } from '../helpers/persist-crash-child';

const REPO = path.join(__dirname, '..', '..');
const CHILD = path.join(REPO, 'test', 'helpers', 'persist-crash-child.ts');
const DIST_CLI = path.join(REPO, 'dist', 'cli', 'main.js');
const IF = 'nofs0'; // absent here: every call uses apply: false, as image builders do

function exec(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Starts the child, waits for its first complete write, lets it run a random while, kills it with SIGKILL. */
async function killMidway(args: string[], maxMs: number): Promise<void> {
  const c = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), CHILD, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    c.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    c.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
  });
  await new Promise((r) => setTimeout(r, Math.random() * maxMs));
  const exited = new Promise((r) => c.on('exit', r));
  c.kill('SIGKILL');
  await exited;
}

describe('persist: crashes and concurrent writers (real processes)', function () {
  this.timeout(180000);
  let root: TempRoot;
  before(() => {
    assert.ok(fs.existsSync(DIST_CLI), `${DIST_CLI} is missing: run "npm run build:ts" first (npm test does)`);
    assert.ok(!fs.existsSync(`/sys/class/net/${IF}`));
  });
  beforeEach(() => {
    root = new TempRoot('safety');
    addUdev(root);
  });
  afterEach(() => root?.remove());

  it('kill -9 during atomic writes: the file is always one whole version; stale temp files are swept', async () => {
    const file = root.path('/etc/big.conf');
    const seen = new Set<string>();
    for (let i = 0; i < 15; i++) {
      await killMidway(['write', file], 60);
      const data = fs.readFileSync(file);
      assert.ok(data.equals(BIG_A) || data.equals(BIG_B), `torn file after kill ${i}: ${data.length} bytes`);
      seen.add(data[0] === 65 ? 'A' : 'B');
    }
    writeSystemFile('/', file, Buffer.from('final\n'), 0o644);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['big.conf'], 'temp files of killed writers are gone');
  });

  it('kill -9 during persist: files stay whole, the lock is released, the next persist converges', async () => {
    // The two renders the file can hold.
    await persist(IF, { rx: false }, { root: root.dir, apply: false, backend: 'systemd-link' });
    const link = '/etc/systemd/network/10-nic-offload-nofs0.link';
    const off = root.read(link);
    await persist(IF, { rx: true }, { root: root.dir, apply: false, backend: 'systemd-link' });
    const on = root.read(link);
    for (let i = 0; i < 10; i++) {
      await killMidway(['persist', root.dir, IF], 150);
      assert.ok([off, on].includes(root.read(link)), `torn .link file after kill ${i}`);
      readState(root.dir); // parses
      // The dead process held the lock: the kernel released it, so this does not wait 60 s.
      const r = await persist(IF, { rx: false }, { root: root.dir, apply: false, backend: 'systemd-link' });
      assert.equal(root.read(link), off);
      assert.deepEqual(r.settings, { rx: false });
    }
  });

  it('concurrent persist processes: every update is kept', async () => {
    const names = ['rx', 'tx', 'sg', 'tso', 'ufo', 'gso', 'gro', 'lro', 'rxvlan', 'txvlan', 'ntuple', 'rxhash'];
    const results = await Promise.all(names.map((n) => exec([DIST_CLI, 'persist', IF, n, 'off', '--no-apply', '--root', root.dir, '--backend', 'udev', '--json'])));
    for (const r of results) assert.equal(r.status, 0, r.stderr + r.stdout);
    const [entry] = listPersisted({ root: root.dir, ifname: IF });
    assert.deepEqual(Object.keys(entry.settings).sort(), [...names].sort());
    assert.ok(Object.values(entry.settings).every((v) => v === false));
  });

  it('concurrent persist processes on a .link file: the file ends with every key', async () => {
    const names = ['rx', 'tx', 'tso', 'gso', 'gro', 'lro', 'rxvlan', 'txvlan', 'ntuple'];
    const results = await Promise.all(names.map((n) => exec([DIST_CLI, 'persist', IF, n, 'off', '--no-apply', '--root', root.dir, '--backend', 'systemd-link'])));
    for (const r of results) assert.equal(r.status, 0, r.stderr);
    const text = root.read('/etc/systemd/network/10-nic-offload-nofs0.link');
    for (const key of ['ReceiveChecksumOffload', 'TransmitChecksumOffload', 'TCPSegmentationOffload', 'TCP6SegmentationOffload', 'GenericSegmentationOffload',
      'GenericReceiveOffload', 'LargeReceiveOffload', 'ReceiveVLANCTAGHardwareAcceleration', 'TransmitVLANCTAGHardwareAcceleration', 'NTupleFilter']) {
      assert.match(text, new RegExp(`\\n${key}=no\\n`), key);
    }
  });
});

describe('persist: a full file system under --root (tmpfs, a veth in a namespace, the CLI)', function () {
  this.timeout(60000);
  let mnt: TempRoot | undefined;
  let ns: TestNetns | undefined;
  afterEach(() => {
    if (mnt) {
      spawnSync('umount', [mnt.dir]);
      mnt.remove();
    }
    mnt = undefined;
    releaseSockets();
    ns?.destroy();
  });

  /** Fills the file system at `dir` up to the last byte. */
  function fill(dir: string): void {
    const fd = fs.openSync(path.join(dir, 'filler'), 'w');
    const block = Buffer.alloc(4096, 1);
    try {
      for (;;) fs.writeSync(fd, block);
    } catch (e) {
      assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
    } finally {
      fs.closeSync(fd);
    }
  }

  it('ENOSPC: exit 1 with code ENOSPC, the device unchanged, no file changed or left behind; with space, the same call works', () => {
    ns = TestNetns.create('enospc');
    ns.addVeth('eth7', 'eth7p');
    mnt = new TempRoot('enospc');
    must('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0755', 'tmpfs', mnt.dir]);
    addUdev(mnt);
    fs.mkdirSync(mnt.path('/etc/udev/rules.d'), { recursive: true });
    fill(mnt.dir);
    const before = Object.fromEntries(Object.entries(mnt.snapshot()).filter(([k]) => !k.startsWith('/var/lib/nic-offload')));
    assert.equal(ethtoolFeatures(ns, 'eth7')['rx-checksumming'], true);
    const argv = [DIST_CLI, 'persist', 'eth7', 'rx', 'off', '--netns', ns.name, '--root', mnt.dir, '--backend', 'udev', '--json'];
    const r = spawnSync(process.execPath, argv, { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.equal(ethtoolFeatures(ns, 'eth7')['rx-checksumming'], true, 'the device was not changed');
    const err = JSON.parse(r.stdout).error;
    assert.equal(err.code, 'ENOSPC');
    assert.match(err.message, /^cannot write \/var\/lib\/nic-offload\/persisted\.json under .*: .*; nothing was changed$/);
    const after = Object.fromEntries(Object.entries(mnt.snapshot()).filter(([k]) => !k.startsWith('/var/lib/nic-offload')));
    assert.deepEqual(after, before);
    assert.deepEqual(fs.readdirSync(mnt.path('/var/lib/nic-offload')), ['lock'], 'no temp file left');
    // The same call with room to write: the setup above was not what failed.
    fs.rmSync(mnt.path('/filler'));
    const ok = spawnSync(process.execPath, argv, { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.equal(ethtoolFeatures(ns, 'eth7')['rx-checksumming'], false);
    assert.ok(mnt.exists('/etc/udev/rules.d/90-nic-offload-eth7.rules'));
  });
});
