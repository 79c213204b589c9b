// Builds bench/c-floor.c with the system's cc into a temporary directory and runs it.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export type FloorMode = 'get' | 'get-full' | 'set' | 'set-read';

/** Compiles the floor (and the malloc counter) into a fresh temp dir; returns the dir. */
export function buildNative(): { dir: string; floor: string; mallocCount: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nic-offload-bench-'));
  const floor = path.join(dir, 'c-floor');
  const mallocCount = path.join(dir, 'malloc-count.so');
  cc(['-O2', '-Wall', '-o', floor, path.join(__dirname, 'c-floor.c')]);
  cc(['-O2', '-Wall', '-shared', '-fPIC', '-o', mallocCount, path.join(__dirname, 'malloc-count.c')]);
  return { dir, floor, mallocCount };
}

function cc(args: string[]): void {
  const r = spawnSync('cc', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run cc (install gcc): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`cc ${args.join(' ')} failed:\n${r.stderr}`);
}

/** Nanoseconds per iteration as the floor program measures it (in this process's namespace). */
export function runFloor(floor: string, mode: FloorMode, ifname: string, iters: number, feature?: string): number {
  const args = [mode, ifname, String(iters)];
  if (feature) args.push(feature);
  const r = spawnSync(floor, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`c-floor ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return (JSON.parse(r.stdout) as { ns_per_op: number }).ns_per_op;
}
