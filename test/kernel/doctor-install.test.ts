// guard --install: the unit is written under a temp root and systemd's own tools are the oracle
// (systemctl --root says it is enabled, systemd-analyze verify accepts it and finds the command).
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { installGuard, renderUnit, systemdQuote, uninstallGuard, UNIT_NAME } from '../../ts/doctor/install';
import { bin } from '../helpers/cli-run';

const REPO = path.join(__dirname, '..', '..');

function run(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('doctor: guard --install', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-install-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('writes an enabled unit that systemd accepts', () => {
    const r = installGuard({ root, interfaces: ['eth0'], node: process.execPath, script: path.join(REPO, 'dist', 'cli', 'main.js') });
    assert.equal(r.changed, true);
    const unit = path.join(root, 'etc/systemd/system', UNIT_NAME);
    assert.equal(fs.statSync(unit).mode & 0o777, 0o644);
    assert.equal(run('systemctl', ['--root', root, 'is-enabled', UNIT_NAME]).stdout.trim(), 'enabled');
    const v = run('systemd-analyze', ['verify', '--man=no', unit]);
    assert.equal(v.status, 0, v.stderr);
    assert.match(fs.readFileSync(unit, 'utf8'), /^ExecStart=".*" ".*main\.js" "guard" "eth0"$/m);
    assert.deepEqual(
      fs.readdirSync(path.join(root, 'etc/systemd/system')).filter((n) => n.endsWith('.tmp')),
      [],
      'no temp files left',
    );
  });

  it('is idempotent, and replaces the unit when the options change', () => {
    installGuard({ root });
    const again = installGuard({ root });
    assert.equal(again.changed, false);
    const other = installGuard({ root, interfaces: ['wlan0'], backend: 'udev', newOnly: true });
    assert.equal(other.changed, true);
    assert.match(fs.readFileSync(path.join(root, 'etc/systemd/system', UNIT_NAME), 'utf8'), /"guard" "wlan0" "--backend" "udev" "--new-only"$/m);
    assert.equal(run('systemctl', ['--root', root, 'is-enabled', UNIT_NAME]).stdout.trim(), 'enabled');
  });

  it('quotes paths the way systemd reads them back (spaces, %, $)', () => {
    const odd = path.join(root, 'odd dir', '100% $HOME', 'node');
    fs.mkdirSync(path.dirname(odd), { recursive: true });
    fs.symlinkSync(process.execPath, odd);
    installGuard({ root, node: odd, script: '/x/100% $HOME/main.js', netns: 'a"b' });
    const unit = path.join(root, 'etc/systemd/system', UNIT_NAME);
    const v = run('systemd-analyze', ['verify', '--man=no', unit]);
    assert.equal(v.status, 0, `systemd found the command at its odd path: ${v.stderr}`);
    assert.equal(systemdQuote('a"b\\c%d$e'), '"a\\"b\\\\c%%d$$e"');
    assert.equal(systemdQuote('/a b/100%/$x', true), '"/a b/100%%/$x"');
    assert.throws(() => renderUnit({ node: '/opt/it\'s/node' }), { code: 'ERR_GUARD_INSTALL' });
  });

  it('rejects bad input before writing anything', () => {
    assert.throws(() => installGuard({ root, interfaces: ['bad name'] }), { code: 'ERR_INVALID_IFNAME' });
    assert.throws(() => installGuard({ root, backend: 'nope' }), { code: 'ERR_INVALID_BACKEND' });
    assert.throws(() => installGuard({ root: 'relative' }), { code: 'ERR_INVALID_ROOT' });
    assert.throws(() => installGuard({ root: path.join(root, 'missing') }), { code: 'ERR_INVALID_ROOT' });
    assert.throws(() => renderUnit({ netns: 'a\nb' }), { code: 'ERR_GUARD_INSTALL' });
    assert.deepEqual(fs.readdirSync(root), []);
  });

  it('--uninstall removes what --install wrote (systemctl --root: not enabled, no unit), and is idempotent', () => {
    installGuard({ root, interfaces: ['eth0'] });
    const r = bin(['guard', '--uninstall', '--root', root]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^removed \/etc\/systemd\/system\/multi-user\.target\.wants\/nic-offload-guard\.service, \/etc\/systemd\/system\/nic-offload-guard\.service/);
    assert.match(r.stdout, /not stopped: under .*: nothing is running there to stop/);
    assert.notEqual(run('systemctl', ['--root', root, 'is-enabled', UNIT_NAME]).stdout.trim(), 'enabled');
    assert.equal(fs.existsSync(path.join(root, 'etc/systemd/system', UNIT_NAME)), false);
    assert.deepEqual(uninstallGuard({ root }).removed, [], 'nothing left to remove');
  });

  it('--uninstall leaves a unit it did not write alone', () => {
    fs.mkdirSync(path.join(root, 'etc/systemd/system'), { recursive: true });
    fs.writeFileSync(path.join(root, 'etc/systemd/system', UNIT_NAME), '[Service]\nExecStart=/bin/true\n');
    assert.throws(() => uninstallGuard({ root }), { code: 'ERR_PERSIST_REFUSED' });
    assert.equal(fs.existsSync(path.join(root, 'etc/systemd/system', UNIT_NAME)), true);
  });

  it('install and uninstall stay inside --root: a symlinked directory leading out is refused', () => {
    const victim = fs.mkdtempSync(path.join(os.tmpdir(), 'nicoff-victim-'));
    try {
      fs.mkdirSync(path.join(root, 'etc/systemd'), { recursive: true });
      fs.symlinkSync(victim, path.join(root, 'etc/systemd/system'));
      // An absolute link means the image's own path: here it does not exist inside the root.
      assert.throws(() => installGuard({ root }), { code: 'ERR_PERSIST_PATH' });
      assert.deepEqual(fs.readdirSync(victim), [], 'nothing written outside the root');
    } finally {
      fs.rmSync(victim, { recursive: true, force: true });
    }
  });
});

