// The package as consumers see it: require(), import, and its types under node16 resolution.
import assert from 'assert/strict';
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

function node(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('package entry points', () => {
  it('require("nic-offload") gives the API (CommonJS)', () => {
    const r = node(['-e', "const n = require('nic-offload'); console.log(typeof n.getFeatures, typeof n.setFeatures, n.Feature.Tso)"]);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'function function tso\n');
  });

  it('import from "nic-offload" gives the same API (ESM), named and default', () => {
    const r = node(['--input-type=module', '-e', "import d, { getFeatures, listInterfaces, Feature } from 'nic-offload'; console.log(typeof getFeatures, d.getFeatures === getFeatures, listInterfaces().includes('lo'), Feature.Gro)"]);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'function true true gro\n');
  });

  it('ships types that type-check for CommonJS and ESM consumers', function () {
    this.timeout(60000);
    const tsc = require.resolve('typescript/bin/tsc');
    const r = node([tsc, '-p', path.join('test', 'fixtures', 'consumer', 'tsconfig.json')]);
    assert.equal(r.stdout + r.stderr, '');
    assert.equal(r.status, 0);
  });

  it('a misspelt feature name in a literal is a compile error (tsc --strict on typo consumers)', function () {
    this.timeout(60000);
    const tsc = require.resolve('typescript/bin/tsc');
    const dir = path.join('test', 'fixtures', 'consumer-typos');
    for (const [file, code] of [
      ['set-literal.mts', 'TS2353'],
      ['get-index.mts', /TS2339|TS2551|TS7053/],
      ['persist-literal.cts', 'TS2353'],
    ] as const) {
      const c = node([tsc, '--strict', '--noEmit', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'ES2022', '--types', 'node', path.join(dir, file)]);
      assert.notEqual(c.status, 0, `${file} compiled`);
      assert.match(c.stdout, typeof code === 'string' ? new RegExp(code) : code, `${file}: ${c.stdout}`);
      assert.match(c.stdout, /rx-chekcsum|rxx/, `${file}: the error names the misspelt name`);
    }
  });

  it('declares what it is in package.json: exports with types, bin, engines, os, files allowlist', () => {
    const pkg = require(path.join(ROOT, 'package.json'));
    assert.deepEqual(pkg.os, ['linux']);
    assert.equal(pkg.engines.node, '>=18');
    assert.equal(pkg.bin['nic-offload'], './dist/cli/main.js');
    assert.equal(pkg.exports['.'].require.types, './dist/index.d.ts');
    assert.equal(pkg.exports['.'].import.types, './dist/index.d.mts');
    assert.ok(pkg.files.includes('prebuilds/') && pkg.files.includes('native/') && pkg.files.includes('binding.gyp'));
    assert.equal(pkg.scripts.prebuild, undefined, 'npm would run "prebuild" before "build"');
  });
});
