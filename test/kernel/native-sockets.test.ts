// Ownership of the cached control sockets, against the real kernel: releaseSockets() while other
// threads (worker_threads reading, the thread pool writing) use the sockets must never close a
// descriptor under a call in flight (EBADF, or worse an ioctl on a reused descriptor number).
import assert from 'assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as api from '../../ts/index';
import { TestNetns } from '../helpers/netns';

const DIST = path.join(__dirname, '..', '..', 'dist', 'index.js');

// Runs inside the test namespace: workers read its v0 (own namespace) and, by path, the other
// namespace's v0; one worker keeps a setFeatures in the thread pool; the main thread releases the
// sockets in a loop until every worker is done. Prints the errors seen, by code.
const RACE = `
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
const api = require(process.env.NICOFF_DIST);
if (isMainThread) {
  const [other, readers, reads] = process.argv.slice(2);
  const errors = {};
  let done = 0;
  let releases = 0;
  const count = (m) => { for (const [k, v] of Object.entries(m)) errors[k] = (errors[k] || 0) + v; };
  const total = Number(readers) + 1;
  for (let i = 0; i < total; i++) {
    const w = new Worker(__filename, { workerData: { i, other, reads: Number(reads), writer: i === 0 } });
    w.on('message', count);
    w.on('error', (e) => count({ [e.code || 'worker error: ' + e.message]: 1 }));
    w.on('exit', () => {
      if (++done === total) { console.log(JSON.stringify({ errors, releases })); process.exit(0); }
    });
  }
  const loop = () => { for (let i = 0; i < 50; i++) { api.releaseSockets(); releases++; } setImmediate(loop); };
  loop();
} else {
  const { i, other, reads, writer } = workerData;
  const errors = {};
  const fail = (e) => { errors[e.code || e.message] = (errors[e.code || e.message] || 0) + 1; };
  const opts = i % 2 ? { netns: other } : undefined;
  if (writer) {
    (async () => {
      for (let n = 0; n < reads / 100; n++) {
        try { await api.setFeatures('v0', { 'tx-nocache-copy': n % 2 === 0 }, { netns: other }); } catch (e) { fail(e); }
      }
      parentPort.postMessage(errors);
    })();
  } else {
    for (let n = 0; n < reads; n++) {
      try { api.getFeatures('v0', opts); } catch (e) { fail(e); }
    }
    parentPort.postMessage(errors);
  }
}`;

describe('native: cached socket ownership (real kernel)', function () {
  this.timeout(120_000);
  let here: TestNetns;
  let other: TestNetns;
  let dir: string;
  before(() => {
    here = TestNetns.create('own');
    other = TestNetns.create('oth');
    here.addVeth('v0', 'v1');
    other.addVeth('v0', 'v1');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-race-'));
    fs.writeFileSync(path.join(dir, 'race.js'), RACE);
  });
  after(() => {
    api.releaseSockets();
    here.destroy();
    other.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('8 workers read and the thread pool writes while releaseSockets() runs in a loop: no call fails', () => {
    const r = spawnSync('ip', ['netns', 'exec', here.name, process.execPath, path.join(dir, 'race.js'), other.name, '8', '20000'], {
      encoding: 'utf8',
      env: { ...process.env, NICOFF_DIST: DIST },
      timeout: 100_000,
    });
    assert.equal(r.signal, null, `the child was killed (${r.signal})`);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { errors: Record<string, number>; releases: number };
    assert.ok(out.releases > 1000, `releaseSockets ran ${out.releases} times`);
    assert.deepEqual(out.errors, {});
  });

  it('releaseSockets() closes every cached socket (and spare dump socket) at once when no call is using it', () => {
    const fds = (): number => fs.readdirSync('/proc/self/fd').length;
    api.releaseSockets();
    const before = fds();
    api.getFeatures('v0', { netns: here.name });
    api.getFeatures('v0', { netns: other.name });
    api.getFeatures('lo');
    // per namespace path its SIOCETHTOOL socket and a spare rtnetlink socket (made on the same
    // thread, for listing); one SIOCETHTOOL socket for this namespace
    assert.equal(fds(), before + 2 + 2 + 1);
    api.listInterfaces();
    assert.equal(fds(), before + 2 + 2 + 1 + 1, 'this namespace keeps a spare for dumps too');
    api.releaseSockets();
    assert.equal(fds(), before);
    assert.equal(api.getFeatures('v0', { netns: here.name })['rx-gro']!.available, true);
    api.releaseSockets();
  });
});
