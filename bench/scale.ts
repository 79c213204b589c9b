// Section 3: getAllFeatures over namespaces holding 1, 10, 100 and 1000 veths; cost per interface.
import type * as Api from '../ts/index';
import { BenchNetns } from './netns';
import { median, nsPerCall } from './timing';

const api = require('../dist/index') as typeof Api;

export interface ScalePoint {
  veths: number;
  /** Interfaces getAllFeatures read (the veths plus lo). */
  interfaces: number;
  /** Median nanoseconds per getAllFeatures call. */
  perCall: number;
  /** Median nanoseconds per interface read. */
  perInterface: number;
  rounds: number[];
}

/**
 * Rounds interleave the sizes (1, 10, 100, 1000, 1, 10, …) so that a busy moment of the machine
 * falls on all of them alike; each size gets about the same number of interface reads per round.
 */
export async function measureScale(namespaces: BenchNetns[], rounds: number, quick: boolean, log: (m: string) => void): Promise<ScalePoint[]> {
  const reads = quick ? 5000 : 30000;
  const points = namespaces.map((ns) => {
    const interfaces = Object.keys(api.getAllFeatures({ netns: ns.name })).length;
    if (interfaces !== ns.ifaces.length + 1) {
      throw new Error(`getAllFeatures read ${interfaces} interfaces in ${ns.name}, expected ${ns.ifaces.length + 1}`);
    }
    return { ns, interfaces, calls: Math.max(3, Math.round(reads / interfaces)), perCall: [] as number[] };
  });
  for (let r = 0; r < rounds; r++) {
    log(`  round ${r + 1}/${rounds}`);
    for (const p of points) {
      p.perCall.push(nsPerCall(p.calls, () => api.getAllFeatures({ netns: p.ns.name })));
      await new Promise((resolve) => setImmediate(resolve)); // lets Ctrl-C clean up now, not at the end
    }
  }
  return points.map((p) => {
    const m = median(p.perCall);
    return { veths: p.ns.ifaces.length, interfaces: p.interfaces, perCall: m, perInterface: m / p.interfaces, rounds: p.perCall.map((x) => x / p.interfaces) };
  });
}
