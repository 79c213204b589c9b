// The packed package installs and loads its prebuild with no compiler anywhere on PATH, under
// Node 18 (the oldest supported; an official binary from npm) and the Node running the tests;
// where no prebuild fits, it compiles from the sources it ships.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { fetchNode, mustRun, NODES, Packed, packAndInstall, removeDir, sh } from '../arm/packed';

// Run inside the installed project: which binary node-gyp-build picked, and lo's features.
const LOAD = `
const path = require('path');
const dir = path.dirname(require.resolve('nic-offload/package.json'));
const file = require('node-gyp-build').resolve(dir);
const features = require('nic-offload').getFeatures('lo');
console.log(JSON.stringify({ node: process.version, file: path.relative(dir, file), features }));
`;

interface Loaded {
  node: string;
  file: string;
  features: Record<string, { active: boolean; fixed: boolean }>;
}

/** `ethtool -k lo`: name -> { on, fixed } for every line ethtool prints (read only). */
function ethtoolK(ifname: string): Map<string, { on: boolean; fixed: boolean }> {
  const out = mustRun('ethtool', ['-k', ifname]);
  const states = new Map<string, { on: boolean; fixed: boolean }>();
  for (const m of out.matchAll(/^\s*([\w-]+): (on|off)( \[fixed\])?/gm)) states.set(m[1], { on: m[2] === 'on', fixed: !!m[3] });
  return states;
}

describe('prebuilds: the packed package (npm pack, then npm install <tarball> into an empty project)', function () {
  this.timeout(300_000);
  let packed: Packed | undefined;

  before(() => {
    packed = packAndInstall();
  });
  after(() => removeDir(packed?.dir));

  it('the tarball ships the three prebuilds and the sources, and no build/', () => {
    const files = packed!.files;
    for (const d of ['linux-x64', 'linux-arm64', 'linux-arm']) assert.ok(files.includes(`prebuilds/${d}/nic-offload.glibc.node`), d);
    assert.ok(files.includes('binding.gyp') && files.some((f) => f.startsWith('native/')), 'sources for a source build');
    assert.deepStrictEqual(files.filter((f) => f.startsWith('build/')), []);
  });

  it('the tarball ships the man page, the docs and the LICENSE; man finds the page in the installed package', () => {
    const files = packed!.files;
    for (const f of ['man/nic-offload.1', 'docs/doctor.md', 'LICENSE', 'README.md']) assert.ok(files.includes(f), f);
    const page = path.join(packed!.app, 'node_modules/nic-offload/man/nic-offload.1');
    const text = mustRun('man', ['-l', '-P', 'cat', page], { env: { ...process.env, MANWIDTH: '100' } });
    for (const section of ['show', 'set', 'persist', 'doctor', 'guard', 'completion']) assert.match(text, new RegExp(`^ {3}${section}$`, 'm'), section);
    assert.match(text, /Usage: nic-offload set IFACE NAME on\|off/);
    // Installed globally (into a prefix of the test's own), `man nic-offload` finds it by name.
    const prefix = path.join(packed!.dir, 'global');
    mustRun('npm', ['install', '-g', '--no-audit', '--no-fund', '--offline', '--ignore-scripts', '--prefix', prefix, packed!.tarball], { env: packed!.env });
    const where = mustRun('man', ['-w', 'nic-offload'], { env: { ...process.env, MANPATH: path.join(prefix, 'share', 'man') } });
    assert.equal(fs.realpathSync(where.trim()), fs.realpathSync(path.join(prefix, 'lib/node_modules/nic-offload/man/nic-offload.1')));
  });

  it('installed with no cc, g++, make or python on PATH, and built nothing', () => {
    const tools = sh('sh', ['-c', 'command -v cc gcc g++ c++ make python3 python; true'], { env: packed!.env });
    assert.strictEqual(tools.stdout.trim(), '', `compilers reachable: ${tools.stdout}`);
    assert.match(packed!.installLog, /nic-offload@[\d.]+ install\n> node-gyp-build/, 'the install script ran');
    assert.ok(!fs.existsSync(path.join(packed!.app, 'node_modules/nic-offload/build')), 'a build/ directory was made');
  });

  const load = (node: string): Loaded => JSON.parse(mustRun(node, ['-e', LOAD], { cwd: packed!.app, env: packed!.env })) as Loaded;

  it('on musl (LIBC=musl, as node-gyp-build detects Alpine) the glibc prebuild is refused, not loaded', () => {
    // The .glibc tag (--tag-libc) is what keeps Alpine from dlopen()ing a glibc binary; there is
    // no musl prebuild, so there `npm install` compiles from the shipped sources.
    const r = sh(process.execPath, ['-e', "try { require('nic-offload').getFeatures('lo'); } catch (e) { console.log(e.code, e.message); }"], {
      cwd: packed!.app,
      env: { ...packed!.env, LIBC: 'musl' },
    });
    assert.match(r.stdout, /^ERR_NATIVE_UNAVAILABLE .*No native build was found for .*libc=musl/, r.stdout + r.stderr);
  });

  it('where no prebuild fits (LIBC=musl at install), npm install compiles the shipped sources, and that build loads', function () {
    const app = path.join(packed!.dir, 'source-build');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'source-build', version: '1.0.0', private: true }));
    // The normal PATH (compilers), no PREBUILDS_ONLY; local Node headers, since the CI machine cannot
    // reach nodejs.org for them.
    const nodedir = path.dirname(path.dirname(fs.realpathSync(process.execPath)));
    const env: NodeJS.ProcessEnv = { ...packed!.env, PATH: process.env.PATH, LIBC: 'musl', npm_config_nodedir: nodedir };
    delete env.PREBUILDS_ONLY;
    const r = sh('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', packed!.tarball], { cwd: app, env, timeout: 240_000 });
    assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /gyp info ok/, 'node-gyp did not run');
    const loaded = JSON.parse(mustRun(process.execPath, ['-e', LOAD], { cwd: app, env: { ...env, LIBC: '' } })) as Loaded;
    assert.strictEqual(loaded.file, 'build/Release/nic_offload.node');
    assert.ok(Object.keys(loaded.features).length > 10);
  });

  it('Node 18 and this Node load the same prebuild and read lo as ethtool -k does', () => {
    const node18 = fetchNode(NODES.x64[0], NODES.x64[1]);
    const runs = [load(node18), load(process.execPath)];
    assert.match(runs[0].node, /^v18\./);
    assert.ok(Number(process.versions.node.split('.')[0]) >= 20, `this Node is ${process.version}; the test wants 20+`);
    const oracle = ethtoolK('lo');
    for (const r of runs) {
      assert.strictEqual(r.file, 'prebuilds/linux-x64/nic-offload.glibc.node', r.node);
      const shared = Object.keys(r.features).filter((n) => oracle.has(n));
      assert.ok(shared.length > 10, `only ${shared.length} feature names in common with ethtool -k lo`);
      for (const n of shared) {
        assert.strictEqual(r.features[n].active, oracle.get(n)!.on, `${r.node}: ${n} active`);
        assert.strictEqual(r.features[n].fixed, oracle.get(n)!.fixed, `${r.node}: ${n} fixed`);
      }
    }
  });
});
