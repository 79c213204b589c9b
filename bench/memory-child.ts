// Memory checks, each in a fresh process inside the benchmark namespace:
//   rss IFACE          RSS and heap after 1e3, 1e4, 1e5 and 1e6 getFeatures calls (gc() before each)
//   alloc IFACE NETNS  malloc calls/bytes per call on the main thread (needs LD_PRELOAD of
//                      malloc-count.so) and JS heap bytes per getFeatures call (needs a new space
//                      large enough that no scavenge runs during the loop)
import type * as Api from '../ts/index';
import type * as Binding from '../ts/binding';
import * as v8 from 'v8';

const api = require('../dist/index') as typeof Api;
const { binding } = require('../dist/binding') as typeof Binding;

declare const gc: () => void;

function settle(): void {
  for (let i = 0; i < 3; i++) gc();
}

function rss(ifname: string): unknown {
  const samples: Array<{ calls: number; rss: number; heapUsed: number; external: number }> = [];
  let done = 0;
  for (const target of [1e3, 1e4, 1e5, 1e6]) {
    for (; done < target; done++) api.getFeatures(ifname);
    settle();
    const m = process.memoryUsage();
    samples.push({ calls: target, rss: m.rss, heapUsed: m.heapUsed, external: m.external });
  }
  return { samples };
}

function mallocs(): [number, number] {
  const v = process.env.NIC_BENCH_MALLOCS;
  if (!v) throw new Error('malloc-count.so is not preloaded');
  const [calls, bytes] = v.split(' ').map(Number);
  return [calls, bytes];
}

function perCall(n: number, fn: () => unknown): { calls: number; bytes: number } {
  for (let i = 0; i < n; i++) fn(); // warm-up: JIT, caches, first-call allocations
  const [c0, b0] = mallocs();
  for (let i = 0; i < n; i++) fn();
  const [c1, b1] = mallocs();
  return { calls: (c1 - c0) / n, bytes: (b1 - b0) / n };
}

function newSpaceUsed(): number {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_used_size ?? NaN;
}

function jsBytesPerCall(ifname: string): number {
  const n = 5000;
  for (let i = 0; i < 20000; i++) api.getFeatures(ifname);
  for (let attempt = 0; attempt < 5; attempt++) {
    settle();
    const before = newSpaceUsed();
    for (let i = 0; i < n; i++) api.getFeatures(ifname);
    const after = newSpaceUsed();
    if (after > before) return (after - before) / n; // no scavenge in between
  }
  throw new Error('a scavenge ran during every attempt; raise --min-semi-space-size');
}

function alloc(ifname: string, netns: string): unknown {
  const b = binding();
  const blocks = new Uint32Array(api.getFeatureSnapshot(ifname).words * 4);
  const nsPath = `/var/run/netns/${netns}`;
  return {
    addonGet: perCall(100000, () => b.getFeatures('', ifname, blocks)),
    addonGetNetns: perCall(100000, () => b.getFeatures(nsPath, ifname, blocks)),
    getFeatures: perCall(100000, () => api.getFeatures(ifname)),
    getFeaturesNetns: perCall(100000, () => api.getFeatures(ifname, { netns })),
    jsHeapBytesPerGetFeatures: jsBytesPerCall(ifname),
  };
}

const [mode, ifname, netns] = process.argv.slice(2);
const out = mode === 'rss' ? rss(ifname) : alloc(ifname, netns);
api.releaseSockets();
process.stdout.write(JSON.stringify(out) + '\n');
