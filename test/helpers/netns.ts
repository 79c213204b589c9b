// Throwaway network namespaces for tests against the real kernel. Every namespace made here is
// named "nicoff-<pid>-<n>" and deleted in after-hooks, on process exit, and by the root hook
// (test/helpers/root-hooks.ts) which also sweeps namespaces left by a killed run.
import { spawnSync, SpawnSyncReturns } from 'child_process';
import { processAlive as alive } from '../../ts/pid';

export const PREFIX = 'nicoff-';
let counter = 0;
const live = new Set<string>();

export interface RunResult {
  stdout: string;
  stderr: string;
  status: number | null;
}

export function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): RunResult {
  const r: SpawnSyncReturns<string> = spawnSync(cmd, args, { encoding: 'utf8', input: opts.input, env: opts.env ?? process.env });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

export function must(cmd: string, args: string[]): string {
  const r = run(cmd, args);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

export class TestNetns {
  readonly name: string;

  private constructor(name: string) {
    this.name = name;
  }

  static create(tag = 't'): TestNetns {
    const name = `${PREFIX}${process.pid}-${tag}${counter++}`;
    must('ip', ['netns', 'add', name]);
    live.add(name);
    const ns = new TestNetns(name);
    ns.ip('link', 'set', 'lo', 'up');
    return ns;
  }

  /** A namespace with a given name (for re-creation tests); still deleted like the others. */
  static createNamed(name: string): TestNetns {
    must('ip', ['netns', 'add', name]);
    live.add(name);
    return new TestNetns(name);
  }

  /** `ip -n NAME ...` */
  ip(...args: string[]): string {
    return must('ip', ['-n', this.name, ...args]);
  }

  /** Runs a command inside the namespace. */
  exec(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): RunResult {
    return run('ip', ['netns', 'exec', this.name, cmd, ...args], opts);
  }

  addVeth(a: string, b: string): void {
    this.ip('link', 'add', a, 'type', 'veth', 'peer', 'name', b);
  }

  addBridge(name: string): void {
    this.ip('link', 'add', name, 'type', 'bridge');
  }

  addTap(name: string): void {
    this.ip('tuntap', 'add', 'dev', name, 'mode', 'tap');
  }

  up(...devs: string[]): void {
    for (const d of devs) this.ip('link', 'set', d, 'up');
  }

  /** The real ethtool, run inside the namespace: the oracle. */
  ethtool(...args: string[]): RunResult {
    return this.exec('ethtool', args);
  }

  /** `ethtool --json -k DEV`, parsed. */
  ethtoolJson(dev: string): Record<string, { active: boolean; fixed: boolean | null; requested: boolean | null }> {
    const r = this.ethtool('--json', '-k', dev);
    if (r.status !== 0) throw new Error(`ethtool --json -k ${dev}: ${r.stderr}`);
    const [obj] = JSON.parse(r.stdout);
    delete obj.ifname;
    return obj;
  }

  destroy(): void {
    if (!live.has(this.name)) return;
    run('ip', ['netns', 'del', this.name]);
    live.delete(this.name);
  }
}

/** Namespaces this process made that still exist. */
export function liveNamespaces(): string[] {
  return [...live];
}

/** Deletes every namespace this process made (also registered for process exit). */
export function destroyAll(): void {
  for (const name of [...live]) {
    run('ip', ['netns', 'del', name]);
    live.delete(name);
  }
}

/** Deletes namespaces left over by earlier, killed runs (never those of a live test process). */
export function sweepStale(): void {
  const r = run('ip', ['netns', 'list']);
  for (const line of r.stdout.split('\n')) {
    const name = line.split(' ')[0];
    const m = /^nicoff-(\d+)-/.exec(name);
    if (m && !alive(Number(m[1]))) run('ip', ['netns', 'del', name]);
  }
}

process.on('exit', destroyAll);
