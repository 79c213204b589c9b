// Every code sample of README.md and docs/*.md runs here, so none can drift from the code:
// - js blocks as ES modules (with `import`) or CommonJS (with `require`), `nic-offload` resolving to
//   this package as in an app that installed it;
// - sh blocks command by command, through bash, with this package's `nic-offload` on PATH (and a
//   `sudo` that runs its arguments: the tests run as root).
// Everything runs inside a throwaway network namespace holding eth0 (a veth), peer0 and br0, and a
// private mount namespace in which /etc, /var/lib, /var/log and /mnt are scratch copies (a kern.log,
// a journal and a Pi OS image tree are put there), so no sample touches this machine. A block
// preceded by `<!-- sample: not run: WHY -->` is exempt; WHY must name where it is proven instead.
// A sample fails when it throws, prints one of the CLI's error lines (`nic-offload: …`), when a
// command is not found, or exits with a status no documented outcome has.
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { entriesFromRaw, writeJournal } from '../helpers/journal';
import { must, TestNetns } from '../helpers/netns';

const REPO = path.join(__dirname, '..', '..');
const DOCS = ['README.md', ...fs.readdirSync(path.join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

interface Block {
  file: string;
  line: number;
  lang: string;
  code: string;
  exempt?: string;
}

/** The fenced code blocks of a markdown file, with the `sample:` note before each, if any. */
function blocks(file: string): Block[] {
  const lines = fs.readFileSync(path.join(REPO, file), 'utf8').split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^```(\S*)\s*$/.exec(lines[i]);
    if (!m) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
    const note = /^<!-- sample: not run: (.+) -->$/.exec(lines[start - 1] ?? '') ?? /^<!-- sample: not run: (.+) -->$/.exec(lines[start - 2] ?? '');
    out.push({ file, line: start + 1, lang: m[1], code: body.join('\n'), exempt: note?.[1] });
  }
  return out;
}

/** The commands of a sh block: comments dropped, `\` continuations joined. */
function commands(code: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const raw of code.split('\n')) {
    const line = raw.replace(/(^|\s)#(?!\d)\s.*$/, '').replace(/^#.*$/, '').trimEnd();
    if (line.endsWith('\\')) {
      cur += `${line.slice(0, -1)} `;
      continue;
    }
    cur += line;
    if (cur.trim()) out.push(cur.trim());
    cur = '';
  }
  return out;
}

/** Exit statuses a command's documented outcomes have. */
function allowed(cmd: string): number[] {
  if (/^if |\[ /.test(cmd)) return [0, 1]; // a shell test may be false
  if (/\bdoctor\b/.test(cmd)) return [0, 2, 3, 4]; // nothing found, needs fix, handled, absent
  if (/--check\b/.test(cmd)) return [0, 2]; // in effect already, would change
  if (/\bguard\b/.test(cmd) && !/--install|--uninstall/.test(cmd)) return [124]; // runs until stopped (timeout)
  return [0];
}

describe('docs: every code sample in README.md and docs/ runs (namespace, scratch /etc)', function () {
  this.timeout(300000);
  let ns: TestNetns;
  let scratch: string;
  let app: string;

  /** Runs a bash command line in the sandbox; cwd is the app directory. */
  function sandbox(cmd: string, timeoutS = 60): { status: number | null; stdout: string; stderr: string } {
    const s = scratch;
    const setup = [
      `mount --bind ${s}/etc /etc`,
      `mount --bind ${s}/var-lib /var/lib`,
      `mount --bind ${s}/var-log /var/log`,
      `mount --bind ${s}/mnt /mnt`,
      `cd ${app}`,
      `export PATH=${s}/bin:$PATH`,
    ].join(' && ');
    const r = spawnSync('ip', ['netns', 'exec', ns.name, 'unshare', '--mount', '--propagation', 'private', 'bash', '-c', `${setup} && timeout ${timeoutS} bash -c "$0"`, cmd], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    if (r.error) throw r.error;
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  before(() => {
    ns = TestNetns.create('docs');
    ns.addVeth('eth0', 'peer0');
    ns.addBridge('br0');
    ns.up('eth0', 'peer0', 'br0');
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-docs-'));
    const s = (p: string) => path.join(scratch, p);
    must('cp', ['-a', '/etc', s('etc')]);
    if (!fs.existsSync(s('etc/machine-id'))) fs.writeFileSync(s('etc/machine-id'), '0123456789abcdef0123456789abcdef\n');
    fs.mkdirSync(s('var-lib/dpkg'), { recursive: true });
    fs.copyFileSync('/var/lib/dpkg/status', s('var-lib/dpkg/status'));
    // Logs the doctor's samples name: a kern.log, a rotated one, and the systemd journal.
    const fixtures = path.join(REPO, 'test', 'fixtures', 'kernel-log');
    fs.mkdirSync(s('var-log'), { recursive: true });
    fs.copyFileSync(path.join(fixtures, 'syslog', 'kern.log'), s('var-log/kern.log'));
    fs.writeFileSync(s('var-log/kern.log.2.gz'), zlib.gzipSync(fs.readFileSync(path.join(fixtures, 'syslog', 'messages'))));
    const machine = fs.readFileSync(s('etc/machine-id'), 'utf8').trim();
    fs.mkdirSync(s(`var-log/journal/${machine}`), { recursive: true });
    writeJournal(s(`var-log/journal/${machine}/system.journal`), entriesFromRaw(fs.readFileSync(path.join(fixtures, 'raw', '6.1-netdev.txt'), 'utf8')));
    // A mounted Raspberry Pi OS image: udev installed.
    fs.mkdirSync(s('mnt/rpi/var/lib/dpkg'), { recursive: true });
    const udev = parseInt(must('udevadm', ['--version']), 10);
    fs.writeFileSync(s('mnt/rpi/var/lib/dpkg/status'), `Package: udev\nStatus: install ok installed\nVersion: ${udev}.1-1\n\n`);
    // An app that installed the package, and the commands samples call.
    app = s('app');
    fs.mkdirSync(path.join(app, 'node_modules'), { recursive: true });
    fs.symlinkSync(REPO, path.join(app, 'node_modules', 'nic-offload'));
    fs.mkdirSync(s('bin'));
    fs.writeFileSync(s('bin/nic-offload'), `#!/bin/sh\nexec ${process.execPath} ${REPO}/dist/cli/main.js "$@"\n`, { mode: 0o755 });
    fs.writeFileSync(s('bin/sudo'), '#!/bin/sh\n[ "$1" = -E ] && shift\nexec "$@"\n', { mode: 0o755 });
    fs.writeFileSync(s('bin/node'), `#!/bin/sh\nexec ${process.execPath} "$@"\n`, { mode: 0o755 });
  });

  after(() => {
    ns?.destroy();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  const all = DOCS.flatMap(blocks);

  it('every sample is a js, ts or sh block, an output (no language, json), or says where it is proven', () => {
    for (const b of all) {
      // YAML (an Ansible task) cannot run here on its own: it must say where it is proven.
      assert.ok(['js', 'ts', 'sh', 'json', ''].includes(b.lang) || (b.lang === 'yaml' && b.exempt), `${b.file}:${b.line}: a \`\`\`${b.lang} block`);
      if (b.exempt) assert.match(b.exempt, /test\/|CI|scripts\//, `${b.file}:${b.line}: "not run" must say where it is proven`);
    }
  });

  for (const b of all.filter((x) => x.lang === 'js' && !x.exempt)) {
    it(`${b.file}:${b.line}: the js sample runs`, () => {
      const esm = /^\s*import\s/m.test(b.code);
      const file = path.join(app, `sample-${b.line}.${esm ? 'mjs' : 'cjs'}`);
      fs.writeFileSync(file, b.code);
      const r = sandbox(`node ${file}`);
      assert.equal(r.status, 0, `${b.file}:${b.line}\n${r.stdout}${r.stderr}`);
    });
  }

  for (const b of all.filter((x) => x.lang === 'ts' && !x.exempt)) {
    it(`${b.file}:${b.line}: the ts sample type-checks (tsc --strict) and runs`, () => {
      const src = path.join(app, `sample-${b.line}.mts`);
      fs.writeFileSync(src, b.code);
      const tsc = require.resolve('typescript/bin/tsc');
      const c = spawnSync(process.execPath, [tsc, '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'ES2022', '--types', 'node', '--typeRoots', path.join(REPO, 'node_modules', '@types'), '--outDir', app, src], { cwd: app, encoding: 'utf8' });
      assert.equal(c.status, 0, `${b.file}:${b.line}: tsc\n${c.stdout}${c.stderr}`);
      const r = sandbox(`node ${src.replace(/\.mts$/, '.mjs')}`);
      assert.equal(r.status, 0, `${b.file}:${b.line}\n${r.stdout}${r.stderr}`);
    });
  }

  for (const b of all.filter((x) => x.lang === 'sh' && !x.exempt)) {
    it(`${b.file}:${b.line}: every command of the sh sample runs`, () => {
      for (const cmd of commands(b.code)) {
        const timeout = allowed(cmd).includes(124) ? 3 : 60;
        const r = sandbox(cmd, timeout);
        const what = `${b.file}:${b.line}: ${cmd}\n${r.stdout}${r.stderr}`;
        assert.ok(allowed(cmd).includes(r.status ?? -1), `exit status ${r.status}: ${what}`);
        assert.doesNotMatch(r.stderr, /^nic-offload: |command not found|No such file or directory/m, what);
      }
    });
  }
});
