'use strict';
// The record of what the committed prebuilds were built from: prebuilds/SOURCES.sha256.
//   node scripts/prebuilds/sources.js record linux-x64 [linux-arm64 …]   (build.sh calls this)
//   node scripts/prebuilds/sources.js check                              (CI, via the prebuilds test)
// Inputs are binding.gyp, every file under native/ and the node-addon-api version compiled in.
// Only file contents are hashed, so the check gives the same answer on every machine; the
// binaries themselves are not reproducible across compilers, so they are never rebuilt to compare.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const MANIFEST = 'prebuilds/SOURCES.sha256';
const TARGETS = ['linux-x64', 'linux-arm64', 'linux-arm'];
const BINARY = 'nic-offload.glibc.node';

const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');

function listFiles(root, rel) {
  const out = [];
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const p = `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...listFiles(root, p));
    else out.push(p);
  }
  return out;
}

/** The current inputs: lines "<sha256>  <path>" and "node-addon-api <version>", and their digest. */
function currentInputs(root) {
  const files = ['binding.gyp', ...listFiles(root, 'native')].sort();
  const lines = files.map((f) => `${sha256(fs.readFileSync(path.join(root, f)))}  ${f}`);
  const napi = require(require.resolve('node-addon-api/package.json', { paths: [root] })).version;
  lines.push(`node-addon-api ${napi}`);
  return { lines, digest: sha256(lines.join('\n') + '\n') };
}

/** Parses the manifest: the recorded input lines and one entry per prebuild. */
function readManifest(root) {
  const file = path.join(root, MANIFEST);
  const m = { inputs: [], builds: new Map() };
  if (!fs.existsSync(file)) return m;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    let r;
    if ((r = /^input (.+)$/.exec(line))) m.inputs.push(r[1]);
    else if ((r = /^build (\S+) sha256=([0-9a-f]{64}) inputs=([0-9a-f]{64})$/.exec(line))) {
      m.builds.set(r[1], { sha256: r[2], inputs: r[3] });
    }
  }
  return m;
}

function writeManifest(root, m) {
  const body = [
    '# What the committed prebuilds were built from. Written by `npm run prebuilds`;',
    '# checked by test/kernel/prebuilds.test.ts (`node scripts/prebuilds/sources.js check`).',
    ...m.inputs.map((l) => `input ${l}`),
    ...[...m.builds.keys()].sort().map((k) => `build ${k} sha256=${m.builds.get(k).sha256} inputs=${m.builds.get(k).inputs}`),
  ];
  fs.writeFileSync(path.join(root, MANIFEST), body.join('\n') + '\n');
}

/** Records prebuilds/<target>/nic-offload.glibc.node as built from the current inputs. */
function record(root, targets) {
  const now = currentInputs(root);
  const m = readManifest(root);
  m.inputs = now.lines;
  for (const t of targets) {
    const rel = `${t}/${BINARY}`;
    m.builds.set(rel, { sha256: sha256(fs.readFileSync(path.join(root, 'prebuilds', rel))), inputs: now.digest });
  }
  writeManifest(root, m);
}

/** Everything wrong with prebuilds/ against the sources; [] when they match. */
function check(root) {
  const problems = [];
  const now = currentInputs(root);
  const m = readManifest(root);
  const name = (l) => l.replace(/^[0-9a-f]{64} {2}/, '');
  const changed = [
    ...new Set([...now.lines.filter((l) => !m.inputs.includes(l)), ...m.inputs.filter((l) => !now.lines.includes(l))].map(name)),
  ];
  const expected = TARGETS.map((t) => `${t}/${BINARY}`);
  const present = fs.existsSync(path.join(root, 'prebuilds'))
    ? listFiles(path.join(root, 'prebuilds'), '.').map((f) => f.slice(2)).filter((f) => f.endsWith('.node'))
    : [];
  for (const rel of expected) {
    const rec = m.builds.get(rel);
    const file = path.join(root, 'prebuilds', rel);
    if (!fs.existsSync(file)) problems.push(`prebuilds/${rel} is missing`);
    else if (!rec) problems.push(`prebuilds/${rel} is not recorded in ${MANIFEST}`);
    else if (sha256(fs.readFileSync(file)) !== rec.sha256) problems.push(`prebuilds/${rel} is not the binary ${MANIFEST} recorded`);
    else if (rec.inputs !== now.digest) {
      problems.push(`prebuilds/${rel} was built from other sources (changed since: ${changed.join(', ') || 'an input of another build'})`);
    }
  }
  for (const rel of present) if (!expected.includes(rel)) problems.push(`prebuilds/${rel} is not one of the recorded prebuilds`);
  return problems;
}

module.exports = { MANIFEST, TARGETS, BINARY, currentInputs, check, record };

if (require.main === module) {
  const [cmd, ...args] = process.argv.slice(2);
  const root = path.resolve(__dirname, '..', '..');
  if (cmd === 'record') {
    record(root, args);
  } else if (cmd === 'check') {
    const problems = check(root);
    if (problems.length) {
      for (const p of problems) console.error(`prebuilds out of date: ${p}`);
      console.error('rebuild them with `npm run prebuilds` and commit prebuilds/');
      process.exit(1);
    }
    console.log(`prebuilds match native/ + binding.gyp (${MANIFEST})`);
  } else {
    console.error('usage: sources.js record <linux-x64|linux-arm64|linux-arm>… | check');
    process.exit(2);
  }
}
