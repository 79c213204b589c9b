// Timing helpers: per-call wall time of a loop, repeated in rounds; the median is reported.
import { spawnSync } from 'child_process';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nanoseconds per call of `fn` over `n` calls, after n/10 warm-up calls. */
export function nsPerCall(n: number, fn: (i: number) => unknown): number {
  for (let i = 0; i < Math.ceil(n / 10); i++) fn(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / n;
}

/** The same for an async function, awaited one call at a time. */
export async function nsPerCallAsync(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.ceil(n / 10); i++) await fn(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn(i);
  return Number(process.hrtime.bigint() - start) / n;
}

/** Wall time of one whole process, in nanoseconds (spawn to exit). Throws if it fails. */
export function processNs(cmd: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const ns = Number(process.hrtime.bigint() - start);
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.toString().trim()}`);
  return ns;
}
