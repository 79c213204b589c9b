// The rtnetlink link dump against the real kernel: 2000 interfaces (many datagrams) and one link
// whose message alone is larger than the 32 KiB the dump used to read into, placed in the middle.
// `ip -o link` is the oracle.
import assert from 'assert/strict';
import * as path from 'path';
import { Worker } from 'worker_threads';
import * as api from '../../ts/index';
import { run, TestNetns } from '../helpers/netns';

const DIST = path.join(__dirname, '..', '..', 'dist', 'index.js');
const PAIRS = 1000;
const ALTNAMES = 400; // 400 * ~110 bytes of IFLA_ALT_IFNAME: a 44 KiB message (the kernel allows < 64 KiB)

function batch(ns: TestNetns, lines: string[]): void {
  const r = run('ip', ['-n', ns.name, '-batch', '-'], { input: lines.join('\n') + '\n' });
  assert.equal(r.status, 0, r.stderr);
}

/** index and name of every link, from `ip -o link` ("12: va@vb: <...> ..."). */
function oracle(ns: TestNetns): Array<[number, string]> {
  return ns
    .ip('-o', 'link', 'show')
    .trim()
    .split('\n')
    .map((line) => {
      const m = /^(\d+): ([^:@\s]+)[@:]/.exec(line);
      assert.ok(m, line);
      return [Number(m[1]), m[2]] as [number, string];
    });
}

describe('native: link dump (real kernel)', function () {
  this.timeout(120_000);
  let ns: TestNetns;
  before(() => {
    ns = TestNetns.create('dump');
    const pairs = (from: number, to: number): string[] =>
      Array.from({ length: to - from }, (_, k) => `link add a${from + k} type veth peer name b${from + k}`);
    batch(ns, pairs(0, PAIRS / 2));
    ns.addVeth('big0', 'big1');
    batch(ns, Array.from({ length: ALTNAMES }, (_, k) => `link property add dev big0 altname big0-alternative-name-${String(k).padStart(4, '0')}-${'x'.repeat(80)}`));
    batch(ns, pairs(PAIRS / 2, PAIRS));
  });
  after(() => {
    api.releaseSockets();
    ns.destroy();
  });

  it('lists every one of 2000+ interfaces, with its index, as ip -o link does', () => {
    const expected = oracle(ns);
    assert.equal(expected.length, 2 * PAIRS + 3); // lo, the pairs, big0 and big1
    assert.equal(ns.ip('link', 'show', 'big0').split('\n').filter((l) => l.includes('altname')).length, ALTNAMES);
    const links = api.listLinks({ netns: ns.name });
    assert.deepEqual(
      links.map((l) => [l.index, l.name]),
      expected,
    );
    const big0 = links.find((l) => l.name === 'big0')!;
    const big1 = links.find((l) => l.name === 'big1')!;
    assert.equal(big0.kind, 'veth');
    assert.equal(big0.link, big1.index);
    assert.match(big0.address, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
  });

  it('dumps at once from several threads, with releaseSockets() between: every one complete', async () => {
    // A cached namespace keeps one spare dump socket: concurrent dumps make their own, and a
    // socket goes back to the cache only after a dump read to its end.
    const code = `
      const { parentPort, workerData } = require('worker_threads');
      const api = require(workerData.dist);
      const counts = [];
      for (let i = 0; i < 10; i++) {
        counts.push(api.listLinks({ netns: workerData.ns }).length);
        if (workerData.release) api.releaseSockets();
      }
      parentPort.postMessage(counts);`;
    const expected = oracle(ns).length;
    const runs = [false, false, true, false].map(
      (release) =>
        new Promise<number[]>((resolve, reject) => {
          const w = new Worker(code, { eval: true, workerData: { dist: DIST, ns: ns.name, release } });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    );
    for (const counts of await Promise.all(runs)) assert.deepEqual(counts, Array(10).fill(expected));
    assert.deepEqual(api.listLinks({ netns: ns.name }).map((l) => [l.index, l.name]), oracle(ns));
  });

  it('getAllFeatures reads each of them', () => {
    const all = api.getAllFeatures({ netns: ns.name });
    assert.deepEqual(Object.keys(all), oracle(ns).map(([, name]) => name));
    assert.equal(all.big0['rx-gro']!.available, true);
  });
});
