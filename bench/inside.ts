// Runs inside the benchmark namespace (started with `ip netns exec`), so that ethtool and the C
// floor are spawned exactly as a user would, with no namespace switching in their way.
// Sections 1 (reads), 2 (sets) and 4 (CLI start-up). Prints one JSON object on stdout.
import * as fs from 'fs';
import * as path from 'path';
import { runFloor } from './c-floor';
import { ethtoolGet, ethtoolSet } from './ethtool-spawn';
import { median, nsPerCall, nsPerCallAsync, processNs } from './timing';
import type * as Api from '../ts/index';

export interface InsideConfig {
  floor: string;
  ifname: string;
  netns: string;
  /** A changeable feature of the veth to switch off and on. */
  feature: string;
  rounds: number;
  quick: boolean;
}

export type Series = Record<string, number[]>;

const api = require('../dist/index') as typeof Api;
const root = path.join(__dirname, '..');

function log(msg: string): void {
  process.stderr.write(`  ${msg}\n`);
}

function push(s: Series, key: string, v: number): void {
  (s[key] ??= []).push(v);
}

function reads(c: InsideConfig): Series {
  const n = c.quick ? 20000 : 200000;
  const spawns = c.quick ? 5 : 30;
  // The two ways must agree before their speed is compared.
  const ours = api.getFeatures(c.ifname);
  const theirs = ethtoolGet(c.ifname);
  for (const [name, st] of Object.entries(ours)) {
    if (theirs[name] && theirs[name].active !== st.active) throw new Error(`getFeatures and ethtool -k disagree on ${name}`);
  }
  const s: Series = {};
  for (let r = 0; r < c.rounds; r++) {
    log(`reads, round ${r + 1}/${c.rounds}`);
    push(s, 'getFeatures', nsPerCall(n, () => api.getFeatures(c.ifname)));
    push(s, 'getFeaturesNetns', nsPerCall(n, () => api.getFeatures(c.ifname, { netns: c.netns })));
    push(s, 'floorGet', runFloor(c.floor, 'get', c.ifname, n));
    push(s, 'floorGetFull', runFloor(c.floor, 'get-full', c.ifname, n / 4));
    push(s, 'ethtoolK', nsPerCall(spawns, () => ethtoolGet(c.ifname)));
  }
  return s;
}

async function sets(c: InsideConfig): Promise<Series> {
  const n = c.quick ? 2000 : 20000;
  const spawns = c.quick ? 5 : 30;
  const f = c.feature;
  const s: Series = {};
  // Off then on: every call changes something, so every call really sends SFEATURES.
  api.setFeaturesSync(c.ifname, { [f]: true });
  if (!api.setFeaturesSync(c.ifname, { [f]: false }).changed) throw new Error(`switching ${f} off on ${c.ifname} changed nothing`);
  if (!api.setFeaturesSync(c.ifname, { [f]: true }).changed) throw new Error(`switching ${f} on on ${c.ifname} changed nothing`);
  for (let r = 0; r < c.rounds; r++) {
    log(`sets, round ${r + 1}/${c.rounds}`);
    push(s, 'setFeatures', await nsPerCallAsync(n, (i) => api.setFeatures(c.ifname, { [f]: i % 2 === 1 })));
    push(s, 'setFeaturesSync', nsPerCall(n, (i) => api.setFeaturesSync(c.ifname, { [f]: i % 2 === 1 })));
    push(s, 'floorSet', runFloor(c.floor, 'set', c.ifname, n, f));
    push(s, 'floorSetRead', runFloor(c.floor, 'set-read', c.ifname, n, f));
    push(s, 'ethtoolBigK', nsPerCall(spawns, (i) => ethtoolSet(c.ifname, f, i % 2 === 1)));
    // Any Promise API backed by the libuv thread pool pays this round trip (setFeatures does).
    push(s, 'threadPoolRoundTrip', await nsPerCallAsync(n, () => fs.promises.access('/')));
  }
  return s;
}

/** Whether `show` is implemented yet (another issue writes it); until then --version stands in. */
function cliArgs(c: InsideConfig): { args: string[]; command: string } {
  const main = path.join(root, 'dist/cli/main.js');
  try {
    processNs(process.execPath, [main, 'show', c.ifname]);
    return { args: [main, 'show', c.ifname], command: `nic-offload show ${c.ifname}` };
  } catch {
    return { args: [main, '--version'], command: 'nic-offload --version (show not implemented yet)' };
  }
}

function cli(c: InsideConfig): { series: Series; command: string } {
  const runs = c.quick ? 5 : 25;
  const { args, command } = cliArgs(c);
  const s: Series = {};
  for (let r = 0; r < runs; r++) {
    // Interleaved so that a slow moment of the machine hits all three alike.
    push(s, 'cli', processNs(process.execPath, args));
    push(s, 'nodeE0', processNs(process.execPath, ['-e', '0']));
    push(s, 'ethtoolKProcess', processNs('ethtool', ['-k', c.ifname]));
  }
  return { series: s, command };
}

async function main(): Promise<void> {
  const c = JSON.parse(process.argv[2]) as InsideConfig;
  const read = reads(c);
  const set = await sets(c);
  log('CLI start-up');
  const start = cli(c);
  api.releaseSockets();
  const medians: Record<string, number> = {};
  for (const [k, v] of Object.entries({ ...read, ...set, ...start.series })) medians[k] = median(v);
  process.stdout.write(JSON.stringify({ medians, series: { ...read, ...set, ...start.series }, cliCommand: start.command }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
