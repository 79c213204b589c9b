// `sudo npm run bench`: how fast the native path is, each figure against its comparison measured
// in the same run. Builds the C floor, makes throwaway namespaces (always deleted), prints a
// table and writes bench/results/latest.json (`--readme`: and the table in docs/benchmark.md). `--quick` for a
// short smoke run (writes nothing).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type * as Api from '../ts/index';
import { buildNative } from './c-floor';
import type { InsideConfig } from './inside';
import { BenchNetns, createNetns, destroyNetns, installCleanup, sweepStale } from './netns';
import { measureScale, ScalePoint } from './scale';
import { markdown, row, Row, single } from './table';
import { median } from './timing';

const root = path.join(__dirname, '..');
const tsx = require.resolve('tsx/cjs');
const FEATURE = 'rx-gro'; // changeable on veth, and switching it changes nothing else
const SIZES = [1, 10, 100, 1000];

function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

function child(ns: BenchNetns, script: string, args: string[], nodeFlags: string[] = [], env: NodeJS.ProcessEnv = process.env): unknown {
  const r = spawnSync('ip', ['netns', 'exec', ns.name, process.execPath, ...nodeFlags, '-r', tsx, path.join(__dirname, script), ...args], {
    encoding: 'utf8',
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 << 20,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${script} failed (${r.signal ? `killed by ${r.signal}` : `exit ${r.status}`})`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last);
}

function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    kernel: os.release(),
    node: process.version,
    ethtool: (spawnSync('ethtool', ['--version'], { encoding: 'utf8' }).stdout ?? '').trim(),
    commit: git.status === 0 ? git.stdout.trim() : 'unknown',
    date: new Date().toISOString(),
  };
}

interface Inside {
  medians: Record<string, number>;
  series: Record<string, number[]>;
  cliCommand: string;
}

interface RssSample {
  calls: number;
  rss: number;
  heapUsed: number;
}

interface PerCall {
  calls: number;
  bytes: number;
}

interface Alloc {
  addonGet: PerCall;
  addonGetNetns: PerCall;
  getFeatures: PerCall;
  getFeaturesNetns: PerCall;
  jsHeapBytesPerGetFeatures: number;
}

/** Nanoseconds from a failure record written to the guard's log until it had acted, per trial. */
interface Reaction {
  poll: number[];
  timer: number[];
}

/** Section 7 (bench/log-scan.ts): nanoseconds per scan of hostile and real log input. */
type LogScan = Record<'long80k' | 'long80kFloor' | 'line10m' | 'line10mFloor' | 'kernelLog' | 'kernelLogFloor' | 'kernelLogBytes', number>;

function logScanRows(l: LogScan): Row[] {
  const mb = (l.kernelLogBytes / 1e6).toFixed(0);
  return [
    row('7', 'doctor: an 80 000-character line before " eth9: hw csum failure"', l.long80k, 'splitting it into lines (readLines)', l.long80kFloor),
    row('7', 'doctor: a 10 MB line (cut at 64 KiB)', l.line10m, 'splitting it into lines (readLines)', l.line10mFloor),
    row('7', `doctor: ${mb} MB of a real kernel log (5.10 skb_dump fixture, repeated)`, l.kernelLog, 'splitting it into lines (readLines)', l.kernelLogFloor),
  ];
}

function rows(m: Record<string, number>, cliCommand: string, scale: ScalePoint[], rss: RssSample[], alloc: Alloc, reaction: Reaction): Row[] {
  const out: Row[] = [
    row('1', 'getFeatures', m.getFeatures, 'C floor: GFEATURES', m.floorGet, { max: 2 }),
    row('1', 'getFeatures', m.getFeatures, 'spawn `ethtool -k` + parse', m.ethtoolK, { min: 300 }, true),
    row('1', 'getFeatures', m.getFeatures, 'C floor: GSSET_INFO+GSTRINGS+GFEATURES', m.floorGetFull),
    row('1', 'getFeatures `{ netns }`', m.getFeaturesNetns, 'C floor: GFEATURES', m.floorGet, { max: 2 }),
    row('2', 'setFeatures (Promise)', m.setFeatures, 'C floor: SFEATURES+GFEATURES', m.floorSet, { max: 2 }),
    row('2', 'setFeaturesSync', m.setFeaturesSync, 'C floor: SFEATURES+GFEATURES', m.floorSet),
    row('2', 'setFeatures (Promise)', m.setFeatures, 'C floor: GFEATURES+SFEATURES+GFEATURES', m.floorSetRead),
    row('2', 'setFeatures (Promise)', m.setFeatures, 'setFeaturesSync + a thread-pool round trip (`fs.promises.access`)', m.setFeaturesSync + m.threadPoolRoundTrip),
    row('2', 'setFeatures (Promise)', m.setFeatures, 'spawn `ethtool -K`', m.ethtoolBigK, undefined, true),
  ];
  const ten = scale.find((p) => p.veths === 10);
  for (const p of scale) {
    if (!ten) break;
    const target = p.veths === 1000 ? { max: 1.2 } : undefined;
    out.push(row('3', `getAllFeatures, ${p.veths} veth${p.veths === 1 ? '' : 's'}: per interface`, p.perInterface, 'the same, 10 veths', ten.perInterface, target));
  }
  out.push(row('4', `\`${cliCommand}\` (process)`, m.cli, '`node -e 0`', m.nodeE0, { max: 1.3 }));
  out.push(row('4', `\`${cliCommand}\` (process)`, m.cli, '`ethtool -k` (process)', m.ethtoolKProcess));
  const first = rss[0];
  const last = rss[rss.length - 1];
  const calls = (n: number): string => n.toLocaleString('en-US');
  out.push(row('5', `RSS after ${calls(last.calls)} getFeatures`, last.rss, `after the first ${calls(first.calls)}`, first.rss, { max: 1.02 }, false, 'bytes'));
  out.push(row('5', `JS heap in use after ${calls(last.calls)} (after gc)`, last.heapUsed, `after the first ${calls(first.calls)}`, first.heapUsed, { max: 1.02 }, false, 'bytes'));
  out.push(single('5', 'addon: mallocs per getFeatures', alloc.addonGet.calls, 'count'));
  out.push(single('5', 'addon: mallocs per getFeatures `{ netns }`', alloc.addonGetNetns.calls, 'count'));
  out.push(single('5', 'addon: malloc bytes per getFeatures `{ netns }`', alloc.addonGetNetns.bytes, 'bytes'));
  out.push(single('5', 'JS heap allocated per getFeatures (the result)', alloc.jsHeapBytesPerGetFeatures, 'bytes'));
  const what = 'guard: failure record → rx-checksum off and persisted';
  out.push(row('6', what, median(reaction.poll), 'the 1 s the guard is allowed', 1e9, { max: 1 }));
  out.push(row('6', what, median(reaction.poll), 'the same on the timer fallback (250 ms)', median(reaction.timer), undefined, true));
  return out;
}

/** Replaces the table between the bench markers of docs/benchmark.md. */
function updateReadme(block: string): void {
  const file = path.join(root, 'docs', 'benchmark.md');
  const text = fs.readFileSync(file, 'utf8');
  const start = '<!-- bench:table:start -->';
  const end = '<!-- bench:table:end -->';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`docs/benchmark.md has no ${start} … ${end} markers`);
  fs.writeFileSync(file, `${text.slice(0, a + start.length)}\n${block}\n${text.slice(b)}`);
  process.stdout.write('docs/benchmark.md table updated\n');
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the benchmark makes network namespaces: run it as root (sudo npm run bench)');
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const rounds = quick ? 3 : 7;
  if (!fs.existsSync(path.join(root, 'dist/index.js'))) throw new Error('dist/ is missing: run npm run build:ts first');
  installCleanup();
  sweepStale();
  const native = buildNative();
  process.on('exit', () => fs.rmSync(native.dir, { recursive: true, force: true }));
  const api = require('../dist/index') as typeof Api;

  log('1, 2, 4: reads, sets and CLI start-up on a veth');
  const ns = createNetns(2, 'main');
  const ifname = ns.ifaces[0];
  const cfg: InsideConfig = { floor: native.floor, ifname, netns: ns.name, feature: FEATURE, rounds, quick };
  const inside = child(ns, 'inside.ts', [JSON.stringify(cfg)]) as Inside;

  log('5: memory');
  const rss = (child(ns, 'memory-child.ts', ['rss', ifname], ['--expose-gc']) as { samples: RssSample[] }).samples;
  const alloc = child(ns, 'memory-child.ts', ['alloc', ifname, ns.name], ['--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64'], {
    ...process.env,
    LD_PRELOAD: native.mallocCount,
  }) as Alloc;

  log('6: guard reaction');
  const reaction = child(ns, 'guard-reaction.ts', [ifname, String(quick ? 3 : 10)]) as Reaction;
  destroyNetns(ns);

  log('3: getAllFeatures per interface');
  const namespaces: BenchNetns[] = [];
  let scale: ScalePoint[];
  try {
    for (const size of quick ? [1, 10, 100] : SIZES) {
      const t0 = Date.now();
      namespaces.push(createNetns(size, `s${size}-`));
      log(`  ${size} veths created in ${Date.now() - t0} ms`);
    }
    scale = await measureScale(namespaces, rounds, quick, log);
  } finally {
    api.releaseSockets(); // a cached socket would keep a deleted namespace alive
    for (const sns of namespaces) destroyNetns(sns);
  }

  log('7: log scanning, hostile input');
  const scan = spawnSync(process.execPath, ['-r', tsx, path.join(__dirname, 'log-scan.ts'), String(rounds)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (scan.status !== 0) throw new Error('log-scan.ts failed');
  const logScan = JSON.parse(scan.stdout.trim().split('\n').pop()!) as LogScan;

  const table = [...rows(inside.medians, inside.cliCommand, scale, rss, alloc, reaction), ...logScanRows(logScan)];
  const result = { machine: machine(), quick, rounds, feature: FEATURE, table, medians: inside.medians, series: inside.series, scale, rss, alloc, reaction, logScan };
  const text = markdown(table);
  process.stdout.write(`\n${text}\n\n`);
  const m = result.machine;
  process.stdout.write(`Machine: ${m.cpu}, ${m.cores} cores, Linux ${m.kernel}, Node.js ${m.node}, ${m.ethtool}; commit ${m.commit}\n`);
  if (!quick) {
    const file = path.join(__dirname, 'results', 'latest.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    process.stdout.write(`Written to ${path.relative(process.cwd(), file)}\n`);
  }
  if (argv.includes('--readme') && !quick) {
    updateReadme(`${text}\n\nMachine: ${m.cpu}, ${m.cores} cores, Linux ${m.kernel}, Node.js ${m.node}, ${m.ethtool}; commit ${m.commit}, ${String(m.date).slice(0, 10)}.`);
  }
  const missed = table.filter((r) => r.met === false);
  if (missed.length) process.stdout.write(`Targets missed: ${missed.map((r) => `${r.section} ${r.what} vs ${r.vs}`).join('; ')}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
