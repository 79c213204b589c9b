// The committed prebuilds: built from the current sources (prebuilds/SOURCES.sha256), rebuildable
// by `npm run prebuilds` without touching build/, and loadable where the official Node is.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fetchNode, mustRun, NODES, removeDir, ROOT, sh } from '../arm/packed';

const check = (root: string) => sh('node', [path.join(root, 'scripts/prebuilds/sources.js'), 'check']);

const TARGETS = [
  { dir: 'linux-x64', objdump: 'objdump', machine: 'Advanced Micro Devices X86-64', cls: 'ELF64', node: NODES.x64 },
  { dir: 'linux-arm64', objdump: 'aarch64-linux-gnu-objdump', machine: 'AArch64', cls: 'ELF64', node: NODES.arm64 },
  { dir: 'linux-arm', objdump: 'arm-linux-gnueabihf-objdump', machine: 'ARM', cls: 'ELF32', node: NODES.armv7l },
];

/** A copy of what the prebuild scripts read and write, to run them without touching the tree;
 *  its record is made to match its sources first, whatever state the working tree is in. */
function copyTree(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nic-offload-prebuilds-'));
  for (const p of ['native', 'binding.gyp', 'package.json', 'prebuilds', 'scripts/prebuilds']) {
    fs.cpSync(path.join(ROOT, p), path.join(dir, p), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  mustRun('node', [path.join(dir, 'scripts/prebuilds/sources.js'), 'record', ...TARGETS.map((t) => t.dir)]);
  assert.strictEqual(check(dir).status, 0);
  return dir;
}

describe('prebuilds: recorded sources', () => {
  let tree: string | undefined;
  afterEach(() => removeDir(tree));

  it('the committed prebuilds were built from native/ + binding.gyp as they are', () => {
    const r = check(ROOT);
    assert.strictEqual(r.status, 0, r.stderr);
  });

  it('fails, naming the file, when a source changed after the build', () => {
    tree = copyTree();
    fs.appendFileSync(path.join(tree, 'native/ethtool_ops.cc'), '\n// changed\n');
    const r = check(tree);
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /linux-arm\/nic-offload\.glibc\.node was built from other sources \(changed since: native\/ethtool_ops\.cc\)/);
  });

  it('fails when a source file is added or a binary is replaced or stray', () => {
    tree = copyTree();
    fs.writeFileSync(path.join(tree, 'native/new.h'), '#pragma once\n');
    fs.appendFileSync(path.join(tree, 'prebuilds/linux-x64/nic-offload.glibc.node'), 'x');
    fs.mkdirSync(path.join(tree, 'prebuilds/linux-riscv64'));
    fs.writeFileSync(path.join(tree, 'prebuilds/linux-riscv64/nic-offload.glibc.node'), '');
    const r = check(tree);
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /changed since: native\/new\.h/);
    assert.match(r.stderr, /linux-x64\/nic-offload\.glibc\.node is not the binary/);
    assert.match(r.stderr, /linux-riscv64\/nic-offload\.glibc\.node is not one of the recorded prebuilds/);
  });

  it('`npm run prebuilds` rebuilds all three in a temp copy, records them, and leaves build/ alone', function () {
    this.timeout(120_000);
    tree = copyTree();
    fs.mkdirSync(path.join(tree, 'build/Release'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'build/Release/nic_offload.node'), 'local build');
    fs.appendFileSync(path.join(tree, 'native/ethtool_ops.cc'), '\n// changed\n');
    assert.strictEqual(check(tree).status, 1);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    mustRun('sh', ['-c', pkg.scripts.prebuilds], { cwd: tree, timeout: 110_000 });
    const r = check(tree);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(fs.readFileSync(path.join(tree, 'build/Release/nic_offload.node'), 'utf8'), 'local build');
    assert.deepStrictEqual(fs.readdirSync(path.join(tree, 'build/Release')), ['nic_offload.node']);
  });
});

/** Highest required version per symbol-version family (GLIBC, GLIBCXX, CXXABI, GCC) and who needs it. */
function needs(objdump: string, file: string): Map<string, { version: string; symbols: string[] }> {
  const out = mustRun(objdump, ['-T', file]);
  const best = new Map<string, { version: string; symbols: string[] }>();
  for (const m of out.matchAll(/\((GLIBC|GLIBCXX|CXXABI|GCC)_([0-9.]+)\)\s+(\S+)/g)) {
    const [, fam, ver, sym] = m;
    const cur = best.get(fam);
    const cmp = cur ? compareVersions(ver, cur.version) : 1;
    if (cmp > 0) best.set(fam, { version: ver, symbols: [sym] });
    else if (cmp === 0) cur!.symbols.push(sym);
  }
  return best;
}

function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

describe('prebuilds: the binaries', () => {
  for (const t of TARGETS) {
    const file = path.join(ROOT, 'prebuilds', t.dir, 'nic-offload.glibc.node');

    it(`${t.dir}: ${t.cls} ${t.machine}, stripped`, () => {
      const header = mustRun('readelf', ['-h', file]);
      assert.match(header, new RegExp(`Class:\\s+${t.cls}\\b`));
      assert.match(header, new RegExp(`Machine:\\s+${t.machine}\\s*$`, 'm'));
      assert.doesNotMatch(mustRun('readelf', ['-S', file]), /\.symtab/, 'not stripped');
      if (t.dir === 'linux-arm') {
        // Debian armhf's defaults: ARMv7 with VFP, hard-float calls, like Raspberry Pi OS (Pi 2 and up).
        assert.match(header, /hard-float ABI/);
        const attrs = mustRun('readelf', ['-A', file]);
        assert.match(attrs, /Tag_CPU_arch: v7\b/);
        assert.match(attrs, /Tag_ABI_VFP_args: VFP registers/);
      }
    });

    it(`${t.dir}: needs no newer glibc/libstdc++ than the official Node ${t.node[1]} binary for that arch`, function () {
      this.timeout(300_000); // first run downloads the Node binary
      const node = fetchNode(t.node[0], t.node[1]);
      const theirs = needs(t.objdump, node);
      const ours = needs(t.objdump, file);
      assert.ok(ours.get('GLIBC'), 'objdump -T shows no GLIBC versions');
      const over: string[] = [];
      for (const [fam, { version, symbols }] of ours) {
        const limit = theirs.get(fam)?.version;
        if (!limit || compareVersions(version, limit) > 0) {
          over.push(`${fam}_${version} (${symbols.join(', ')}) > Node's ${limit ? `${fam}_${limit}` : `none`}`);
        }
      }
      assert.deepStrictEqual(over, [], `${t.dir} would not load everywhere Node ${t.node[1]} runs: ${over.join('; ')}`);
    });
  }
});
