// Bad input and missing privilege against the real kernel: clear errors, nothing changed, no crash.
import assert from 'assert/strict';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { binding } from '../../ts/binding';
import * as api from '../../ts/index';
import { TestNetns } from '../helpers/netns';

const DIST = path.join(__dirname, '..', '..', 'dist', 'index.js');

describe('core: errors, privilege and abuse (real kernel)', () => {
  let ns: TestNetns;
  before(() => {
    ns = TestNetns.create('err');
    ns.addVeth('v0', 'v1');
  });
  after(() => {
    api.releaseSockets();
    ns.destroy();
  });

  it('a missing interface is ENODEV naming it and its namespace', async () => {
    assert.throws(() => api.getFeatures('nosuch0', { netns: ns.name }), (e: api.NicOffloadError) => {
      assert.equal(e.code, 'ENODEV');
      assert.equal(e.errno, 19);
      assert.equal(e.syscall, 'ioctl');
      // GSSET_INFO if this process has not read the kernel's names yet, else GFEATURES
      assert.ok(['ETHTOOL_GSSET_INFO/GSTRINGS', 'ETHTOOL_GFEATURES'].includes(e.command!), e.command);
      assert.equal(e.ifname, 'nosuch0');
      assert.match(e.message, new RegExp(`"nosuch0" in network namespace ${ns.name}`));
      return true;
    });
    await assert.rejects(api.setFeatures('nosuch0', { rx: false }, { netns: ns.name }), { code: 'ENODEV' });
    assert.throws(() => api.getDriverInfo('nosuch0', { netns: ns.name }), { code: 'ENODEV' });
  });

  it('a missing namespace is ENOENT with a hint', () => {
    assert.throws(() => api.getFeatures('lo', { netns: 'nicoff-no-such-ns' }), (e: api.NicOffloadError) => {
      assert.equal(e.code, 'ENOENT');
      assert.match(e.message, /network namespace .*nicoff-no-such-ns does not exist/);
      return true;
    });
    assert.throws(() => api.listInterfaces({ netns: '/nonexistent/ns' }), { code: 'ENOENT' });
  });

  it('a file that is not a namespace is refused (EINVAL from setns)', () => {
    assert.throws(() => api.getFeatures('lo', { netns: '/proc/self/status' }), (e: api.NicOffloadError) => e.code === 'EINVAL' && e.syscall === 'setns');
  });

  it('a command the driver lacks is EOPNOTSUPP (errno 95), with its message', () => {
    assert.throws(() => api.getDriverInfo('lo', { netns: ns.name }), (e: api.NicOffloadError) => {
      assert.equal(e.code, 'EOPNOTSUPP');
      assert.equal(e.errno, 95);
      assert.equal(e.command, 'ETHTOOL_GDRVINFO');
      assert.equal(e.message, `ETHTOOL_GDRVINFO is not supported by interface "lo" in network namespace ${ns.name}`);
      return true;
    });
  });

  it('an unknown feature changes nothing, even with valid names beside it', async () => {
    const before = api.getFeatures('v0', { netns: ns.name });
    await assert.rejects(api.setFeatures('v0', new Map([['gro', !before['rx-gro']!.active], ['generic-recieve-offload', false]]), { netns: ns.name }), (e: api.NicOffloadError) => {
      assert.equal(e.code, 'ERR_UNKNOWN_FEATURE');
      assert.ok(e.suggestions!.includes('generic-receive-offload'));
      return true;
    });
    assert.deepEqual(api.getFeatures('v0', { netns: ns.name }), before);
  });

  it('setting without CAP_NET_ADMIN is EPERM saying which privilege is missing; reading still works', () => {
    const script = `
      const api = require(${JSON.stringify(DIST)});
      const out = { read: Object.keys(api.getFeatures('v0')).length };
      try { api.setFeaturesSync('v0', { gro: !api.getFeatures('v0')['rx-gro'].active }); out.set = 'succeeded'; }
      catch (e) { out.code = e.code; out.message = e.message; out.errno = e.errno; }
      console.log(JSON.stringify(out));`;
    const r = ns.exec('setpriv', ['--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', process.execPath, '-e', script]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.ok(out.read > 0);
    assert.equal(out.code, 'EPERM');
    assert.equal(out.errno, 1);
    assert.match(out.message, /needs CAP_NET_ADMIN/);
  });

  it('the native functions throw on wrong argument types instead of crashing', () => {
    const b = binding() as unknown as Record<string, (...a: unknown[]) => unknown>;
    const u32 = new Uint32Array(8);
    const abuse: Array<[string, unknown[]]> = [
      ['featureNames', []],
      ['featureNames', [1, 2]],
      ['featureNames', ['', {}]],
      ['getFeatures', ['', 'lo']],
      ['getFeatures', ['', 'lo', new Uint8Array(32)]],
      ['getFeatures', ['', 'lo', [1, 2, 3]]],
      ['getFeatures', [null, 'lo', u32]],
      ['setFeatures', ['', 'lo', u32]],
      ['setFeatures', ['', 'lo', u32, new Int32Array(8)]],
      ['setFeaturesAsync', ['', 'lo', 'x', u32]],
      ['driverInfo', [Symbol('x'), 'lo']],
      ['listInterfaces', [42]],
      ['featureNames', ['', 'lo\0x']],
    ];
    for (const [fn, args] of abuse) {
      assert.throws(() => b[fn](...args), TypeError, `${fn}(${args.map(String).join(', ')})`);
    }
    assert.throws(() => b.setFeatures('', 'lo', new Uint32Array(2), new Uint32Array(3)), RangeError);
    // Values the kernel refuses come back as errors, not crashes.
    assert.throws(() => b.getFeatures('', 'x'.repeat(100), u32), (e: { errno?: number }) => e.errno === 36);
    assert.throws(() => b.setFeatures(`/var/run/netns/${ns.name}`, 'v0', new Uint32Array(1), new Uint32Array(1)), (e: { errno?: number }) => e.errno === 22);
    assert.equal(b.getFeatures('', 'lo', new Uint32Array(0)), Math.ceil(api.getFeatureNames('lo').length / 32));
  });

  it('loads and works in worker_threads, several at once', async () => {
    const code = `
      const { parentPort, workerData } = require('worker_threads');
      const api = require(workerData.dist);
      const f = api.getFeatures('v0', { netns: workerData.ns });
      api.setFeatures('v0', { 'tx-nocache-copy': workerData.on }, { netns: workerData.ns })
        .then((r) => parentPort.postMessage({ n: Object.keys(f).length, sent: r.sent }), (e) => parentPort.postMessage({ error: e.message }));`;
    const run = (on: boolean) =>
      new Promise<{ n: number; error?: string }>((resolve, reject) => {
        const w = new Worker(code, { eval: true, workerData: { dist: DIST, ns: ns.name, on } });
        w.once('message', resolve);
        w.once('error', reject);
      });
    const results = await Promise.all([run(true), run(true), run(true)]);
    for (const r of results) {
      assert.equal(r.error, undefined);
      assert.equal(r.n, Object.keys(api.getFeatures('v0', { netns: ns.name })).length);
    }
    assert.equal(api.getFeatures('v0', { netns: ns.name })['tx-nocache-copy']!.active, true);
  });
});
