// Section 7, hostile log input: how long the doctor takes over lines made to be slow (the audit's
// 80 000-character line before " eth9: hw csum failure", which the old unanchored pattern took
// 6 s over, and a 10 MB line), against only splitting the same bytes into lines (readLines, the
// floor every scan pays), and over a real kernel log for comparison.
//   log-scan.ts ROUNDS  → prints {"long80k": ns, "long80kFloor": ns, "line10m": ns, "line10mFloor": ns, "kernelLog": ns, "kernelLogFloor": ns}
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { scanStream } from '../ts/doctor';
import { readLines } from '../ts/doctor/log-sources';
import { median } from './timing';

const rounds = Number(process.argv[2] ?? 5);

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    await fn();
    t.push(Number(process.hrtime.bigint() - start));
  }
  return median(t);
}

const stream = (b: Buffer) => Readable.from([b]);
async function split(b: Buffer): Promise<void> {
  for await (const l of readLines(stream(b), 'bench')) void l;
}

async function main(): Promise<void> {
  const long80k = Buffer.from(`${'a'.repeat(80000)} eth9: hw csum failure\n`);
  const line10m = Buffer.from(`${'x'.repeat(10 << 20)} eth9: hw csum failure\n`);
  const raw = fs.readFileSync(path.join(__dirname, '..', 'test', 'fixtures', 'kernel-log', 'raw', '5.10-skb-dump.txt'));
  const kernelLog = Buffer.concat(Array.from({ length: 2000 }, () => raw)); // ~11 MB of real lines
  const out = {
    long80k: await time(() => scanStream(stream(long80k))),
    long80kFloor: await time(() => split(long80k)),
    line10m: await time(() => scanStream(stream(line10m))),
    line10mFloor: await time(() => split(line10m)),
    kernelLog: await time(() => scanStream(stream(kernelLog))),
    kernelLogFloor: await time(() => split(kernelLog)),
    kernelLogBytes: kernelLog.length,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
