// Throwaway namespaces holding N veth interfaces, for the benchmark only.
// Every namespace is named "nicbench-<pid>-<n>" and deleted on normal exit, on SIGINT/SIGTERM,
// on an uncaught error, and at start-up if a killed earlier run left one behind.
import { spawnSync } from 'child_process';
import { processAlive as alive } from '../ts/pid';

const PREFIX = 'nicbench-';
const live = new Set<string>();
let counter = 0;

function ip(args: string[], input?: string): string {
  const r = spawnSync('ip', args, { encoding: 'utf8', input, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed (${r.status}): ${r.stderr.trim()}`);
  return r.stdout;
}

export interface BenchNetns {
  /** Name as `ip netns` and the `{ netns }` option take it. */
  name: string;
  /** Interfaces created in it (lo excluded), in creation order. */
  ifaces: string[];
  /** The namespace holding the odd peer, if any. */
  peerNs?: string;
}

/**
 * A namespace holding exactly `count` veth interfaces, created with one `ip -batch` run. Veths
 * come in pairs; for an odd count the last peer lives in a second throwaway namespace.
 */
export function createNetns(count: number, tag = 'n'): BenchNetns {
  const name = add(tag);
  const ifaces: string[] = [];
  const lines: string[] = [];
  let peerNs: string | undefined;
  for (let i = 0; ifaces.length < count; i++) {
    const a = `va${i}`;
    const b = `vb${i}`;
    if (ifaces.length + 1 === count) {
      peerNs = peerNs ?? add(`${tag}peer`);
      lines.push(`link add ${a} type veth peer name ${b} netns ${peerNs}`);
      ifaces.push(a);
    } else {
      lines.push(`link add ${a} type veth peer name ${b}`);
      ifaces.push(a, b);
    }
  }
  ip(['-n', name, '-batch', '-'], lines.join('\n') + '\n');
  return { name, ifaces, peerNs };
}

function add(tag: string): string {
  const name = `${PREFIX}${process.pid}-${tag}${counter++}`;
  ip(['netns', 'add', name]);
  live.add(name);
  return name;
}

export function destroyNetns(ns: BenchNetns): void {
  for (const name of [ns.name, ns.peerNs]) {
    if (name === undefined || !live.has(name)) continue;
    spawnSync('ip', ['netns', 'del', name]);
    live.delete(name);
  }
}

export function destroyAll(): void {
  for (const name of [...live]) {
    spawnSync('ip', ['netns', 'del', name]);
    live.delete(name);
  }
}

/** Deletes namespaces of earlier benchmark runs that were killed before they could clean up. */
export function sweepStale(): void {
  const out = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of out.split('\n')) {
    const m = /^nicbench-(\d+)-\S+/.exec(line);
    if (m && !alive(Number(m[1]))) spawnSync('ip', ['netns', 'del', m[0]]);
  }
}

let installed = false;

/** Cleanup on exit, Ctrl-C, kill and uncaught errors. */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.on('exit', destroyAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      destroyAll();
      process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
    });
  }
}
