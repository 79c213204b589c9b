// guard --install: the unit is written under a temp root and systemd's own tools are the oracle
// (systemctl --root says it is enabled, systemd-analyze verify accepts it and finds the command).
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { installGuard, renderUnit, systemdQuote, UNIT_NAME } from '../../ts/doctor/install';

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
});
