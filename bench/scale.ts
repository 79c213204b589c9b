// Section 3: getAllFeatures over namespaces holding 1, 10, 100 and 1000 veths; cost per interface.
import type * as Api from '../ts/index';
import { BenchNetns } from './netns';
import { median, nsPerCall } from './timing';

// eslint-disable-next-line @typescript-eslint/no-require-imports
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

export function measureScale(ns: BenchNetns, rounds: number, quick: boolean): ScalePoint {
  const all = api.getAllFeatures({ netns: ns.name });
  const interfaces = Object.keys(all).length;
  if (interfaces !== ns.ifaces.length + 1) {
    throw new Error(`getAllFeatures read ${interfaces} interfaces in ${ns.name}, expected ${ns.ifaces.length + 1}`);
  }
  // About the same number of interface reads per round at every size.
  const reads = quick ? 5000 : 50000;
  const calls = Math.max(3, Math.round(reads / interfaces));
  const perCall: number[] = [];
  for (let r = 0; r < rounds; r++) perCall.push(nsPerCall(calls, () => api.getAllFeatures({ netns: ns.name })));
  const m = median(perCall);
  return { veths: ns.ifaces.length, interfaces, perCall: m, perInterface: m / interfaces, rounds: perCall.map((x) => x / interfaces) };
}
