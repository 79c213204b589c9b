// Hostile log input: memory stays bounded and every pattern runs in linear time, whatever the
// line length. A long line is cut at MAX_LINE_BYTES and counted; a gzip bomb of zeros (one
// endless line) is read in flat memory. Times are the benchmark's business (bench section 7):
// these tests assert results, and the memory ceiling of a child process.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { MAX_LINE_BYTES, scanStream } from '../../ts/doctor';
import { readLines } from '../../ts/doctor/log-sources';

const REPO = path.join(__dirname, '..', '..');

describe('doctor: hostile log sizes', function () {
  this.timeout(120000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-bounds-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a line longer than MAX_LINE_BYTES is cut to it and counted; the lines around it are read', async () => {
    const stats = { truncated: 0 };
    const long = 'a'.repeat(MAX_LINE_BYTES * 3 + 7);
    const chunks = ['first\n', long.slice(0, 100000), `${long.slice(100000)}\nlast`];
    const lines: string[] = [];
    for await (const l of readLines(Readable.from(chunks.map((c) => Buffer.from(c))), 'x', stats)) lines.push(l);
    assert.deepEqual(lines.map((l) => l.length), [5, MAX_LINE_BYTES, 4]);
    assert.equal(stats.truncated, 1);
  });

  it('a 10 MB line ending in a headline is scanned, is no headline, and is counted as cut', async () => {
    const line = `${'x'.repeat(10 << 20)} eth9: hw csum failure\n<3>[    1.000000] eth1: hw csum failure\n`;
    const tally = await scanStream(Readable.from([line]));
    assert.deepEqual([...tally.entries.keys()], ['eth1']);
    assert.equal(tally.truncatedLines, 1);
  });

  it('an 80 000-character line before a headline (the quadratic case) is no headline', async () => {
    const tally = await scanStream(Readable.from([`${'a'.repeat(80000)} eth9: hw csum failure\n`]));
    assert.deepEqual([...tally.entries.keys()], []);
    assert.equal(tally.truncatedLines, 1);
  });

  it('doctor --log bomb.gz (256 MB of zeros, one line) finishes in bounded memory', () => {
    const bomb = path.join(dir, 'bomb.gz');
    const r0 = spawnSync('sh', ['-c', `head -c 256M /dev/zero | gzip -1 > '${bomb}'`]);
    assert.equal(r0.status, 0);
    // The CLI in a child with a small V8 heap, printing its peak RSS when done.
    const script = `
      const { diagnose } = require(${JSON.stringify(path.join(REPO, 'ts', 'doctor'))});
      diagnose({ logs: [${JSON.stringify(bomb)}] }).then((r) => {
        console.log(JSON.stringify({ total: r.total, truncatedLines: r.truncatedLines, maxRSS: process.resourceUsage().maxRSS * 1024 }));
      }, (e) => { console.error(e); process.exit(1); });`;
    const r = spawnSync(process.execPath, ['--max-old-space-size=64', '-r', 'tsx/cjs', '-e', script], { cwd: REPO, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.total, 0);
    assert.equal(out.truncatedLines, 1);
    assert.ok(out.maxRSS < 256 << 20, `peak RSS ${(out.maxRSS / 1048576).toFixed(0)} MB (the uncapped reader held the whole line)`);
  });
});
