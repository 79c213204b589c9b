// Namespace paths the native layer must refuse or take whole, against the real kernel: files that
// are not network namespaces (a FIFO must not block open()), paths around the addon's stack
// buffer (never cut at a multi-byte character), and namespaces entered without /proc (sockets are
// made on a thread of their own, which never has to come back).
import assert from 'assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { binding } from '../../ts/binding';
import * as api from '../../ts/index';
import { binArgv } from '../helpers/cli-run';
import { PREFIX, TestNetns } from '../helpers/netns';

const DIST = path.join(__dirname, '..', '..', 'dist', 'index.js');
// A blocked open() would hang the child: the timeout turns that into a failure, not a hung mocha.
const CHILD_TIMEOUT_MS = 20_000;

interface Outcome {
  code?: string;
  errno?: number;
  syscall?: string;
  ok?: boolean;
}

/** Runs `calls` (JS returning an array of outcomes) in a child process with a time limit. */
function inChild(body: string, args: string[], wrap: (argv: string[]) => string[] = (a) => a): Outcome[][] {
  const script = `
    const api = require(${JSON.stringify(DIST)});
    const paths = process.argv.slice(1);
    const outcome = (fn) => { try { fn(); return { ok: true }; } catch (e) { return { code: e.code, errno: e.errno, syscall: e.syscall }; } };
    console.log(JSON.stringify(paths.map((p) => ${body})));`;
  const argv = wrap([process.execPath, '-e', script, ...args]);
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: CHILD_TIMEOUT_MS });
  assert.equal(r.signal, null, `the child was killed (${r.signal}): it hung`);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Outcome[][];
}

describe('native: namespace paths (real kernel)', () => {
  let ns: TestNetns;
  let dir: string;
  before(() => {
    ns = TestNetns.create('path');
    ns.addVeth('v0', 'v1');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-netns-'));
  });
  after(() => {
    api.releaseSockets();
    ns.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a FIFO, a device, a directory, a plain file or another namespace type is EINVAL, without blocking', () => {
    const fifo = path.join(dir, 'fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const plain = path.join(dir, 'plain');
    fs.writeFileSync(plain, 'not a namespace\n');
    const paths = [fifo, '/dev/null', dir, plain, '/proc/self/ns/uts', '/proc/self/status'];
    const body = `[
      outcome(() => api.getFeatures('lo', { netns: p })),
      outcome(() => api.listInterfaces({ netns: p })),
      outcome(() => api.setFeaturesSync('lo', { 'tx-nocache-copy': false }, { netns: p })),
      outcome(() => api.getDriverInfo('lo', { netns: p })),
    ]`;
    const results = inChild(body, paths);
    results.forEach((calls, i) => {
      for (const c of calls) assert.deepEqual(c, { code: 'EINVAL', errno: 22, syscall: 'setns' }, paths[i]);
    });
  });

  it('the CLI refuses a FIFO as --netns with the namespace message and exit status 1, without blocking', () => {
    const fifo = path.join(dir, 'cli-fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const [node, ...args] = binArgv('show', 'lo', '--netns', fifo);
    const r = spawnSync(node, args, { encoding: 'utf8', timeout: CHILD_TIMEOUT_MS });
    assert.equal(r.signal, null, 'nic-offload show --netns FIFO hung');
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`cannot enter network namespace ${fifo} \\(EINVAL\\): is it a network namespace file\\?`));
  });

  it('a path is used whole: one that would name another namespace if cut at a multi-byte character is ENOENT', () => {
    // The addon reads short strings into a 128-byte stack buffer. Each path below is 128 bytes
    // or more and ends in a 2-, 3- or 4-byte character that does not fit the buffer; what is left
    // without it names a real namespace, made here.
    const dirPrefix = '/var/run/netns/';
    const made: TestNetns[] = [];
    try {
      for (const tail of ['é', '€', '😀', '😀😀']) {
        // The longest prefix that leaves no room in 127 bytes for the tail's first character.
        const keep = 128 - Buffer.byteLength([...tail][0]);
        const name = `${PREFIX}${process.pid}-cut${made.length}-`.padEnd(keep - dirPrefix.length, 'x');
        const prefix = TestNetns.createNamed(name);
        made.push(prefix);
        const whole = `${dirPrefix}${name}${tail}`;
        assert.ok(Buffer.byteLength(whole) >= 128, whole);
        assert.deepEqual(api.listInterfaces({ netns: `${dirPrefix}${name}` }), ['lo']);
        assert.throws(() => api.getFeatures('lo', { netns: whole }), { code: 'ENOENT' }, whole);
        assert.throws(() => binding().getFeatures(whole, 'lo', new Uint32Array(8)), (e: { errno?: number }) => e.errno === 2, whole);
        assert.throws(() => api.listInterfaces({ netns: whole }), { code: 'ENOENT' }, whole);
      }
    } finally {
      api.releaseSockets();
      for (const m of made) m.destroy();
    }
  });

  it('the addon itself never shortens a path: far beyond PATH_MAX it is ENAMETOOLONG, not a prefix', () => {
    const long = `/var/run/netns/${ns.name}/${'é'.repeat(3000)}`;
    assert.throws(() => binding().getFeatures(long, 'v0', new Uint32Array(8)), (e: { errno?: number }) => e.errno === 36);
    assert.throws(() => binding().listInterfaces(long), (e: { errno?: number }) => e.errno === 36);
    assert.throws(() => api.getFeatures('v0', { netns: long }), { code: 'ERR_INVALID_NETNS' });
  });

  it('enters a namespace without /proc mounted (no thread ever has to find its way back)', () => {
    // A private mount namespace with an empty /proc: entering on the calling thread needed
    // /proc/thread-self/ns/net to return; a thread that only enters needs nothing from /proc.
    const body = `[
      outcome(() => { if (!api.listInterfaces({ netns: p }).includes('v0')) throw new Error('v0 missing'); }),
      outcome(() => { if (api.getFeatures('v0', { netns: p })['rx-gro'] === undefined) throw new Error('no rx-gro'); }),
    ]`;
    const wrap = (argv: string[]): string[] => ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs none /proc && exec "$@"', 'sh', ...argv];
    const [[list, read]] = inChild(body, [`/var/run/netns/${ns.name}`], wrap);
    assert.deepEqual(list, { ok: true });
    assert.deepEqual(read, { ok: true });
  });
});
