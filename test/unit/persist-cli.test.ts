// The persist, unpersist, persisted and reapply commands, in-process over a fake device.
import assert from 'assert/strict';
import { cli } from '../helpers/cli-run';
import { addUdev, TempRoot } from '../helpers/persist-roots';
import { PersistFake, persistFixture } from '../helpers/persist-fake';

describe('persist CLI commands (fake device, temp tree)', () => {
  let fake: PersistFake;
  let root: TempRoot;
  persistFixture('cli', (f, r) => {
    fake = f;
    root = r;
    addUdev(root, 252);
  });

  it('persist prints the backend and why, the files, and "nothing written" the second time', async () => {
    const first = await cli(['persist', 'eth0', 'rx', 'off', 'tx', 'off', '--root', root.dir]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^eth0: backend systemd-link \(systemd-udevd applies \.link files/m);
    assert.match(first.stdout, /^ {2}created \/etc\/systemd\/network\/10-nic-offload-eth0\.link$/m);
    assert.match(first.stdout, /^recorded: rx off tx off$/m);
    assert.equal(fake.active('eth0', 'rx-checksum'), false);
    const second = await cli(['persist', 'eth0', 'rx', 'off', 'tx', 'off', '--root', root.dir]);
    assert.match(second.stdout, /already persisted under .*: nothing written/);
  });

  it('--dry-run prints unified diffs and writes nothing; --json is one object', async () => {
    const before = root.snapshot();
    const dry = await cli(['persist', 'eth0', 'gro', 'off', '--root', root.dir, '--dry-run']);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /^--- \/dev\/null\n\+\+\+ b\/etc\/systemd\/network\/10-nic-offload-eth0\.link\n@@ -0,0 \+1,\d+ @@$/m);
    assert.match(dry.stdout, /^\+GenericReceiveOffload=no$/m);
    assert.deepEqual(root.snapshot(), before);
    assert.equal(fake.active('eth0', 'rx-gro'), true);
    const json = await cli(['persist', 'eth0', 'gro', 'off', '--root', root.dir, '--json', '--no-apply', '--backend', 'udev']);
    const obj = JSON.parse(json.stdout);
    assert.equal(obj.backend, 'udev');
    assert.equal(obj.reason, 'chosen with --backend udev');
    assert.deepEqual(obj.settings, { gro: false });
    assert.equal(obj.applied, undefined);
  });

  it('persisted lists, unpersist removes, reapply sets what is recorded', async () => {
    await cli(['persist', 'eth0', 'rx', 'off', 'sg', 'off', '--root', root.dir, '--no-apply']);
    const list = await cli(['persisted', '--root', root.dir]);
    assert.equal(list.stdout, 'eth0: rx off sg off (udev: /etc/udev/rules.d/90-nic-offload-eth0.rules, /var/lib/nic-offload/persisted.json)\n');
    const re = await cli(['reapply', 'eth0', '--root', root.dir]);
    assert.equal(re.status, 0, re.stderr);
    assert.equal(fake.active('eth0', 'rx-checksum'), false);
    assert.equal(fake.active('eth0', 'tx-scatter-gather'), false);
    const un = await cli(['unpersist', 'eth0', 'sg', '--root', root.dir]);
    assert.match(un.stdout, /^recorded: rx off$/m);
    await cli(['unpersist', 'eth0', '--root', root.dir]);
    assert.equal((await cli(['persisted', '--root', root.dir])).stdout, 'nothing persisted\n');
    assert.equal((await cli(['reapply', 'eth0', '--root', root.dir])).stdout, 'eth0: nothing recorded\n');
  });

  it('bad command lines and bad input: one line, a stable code, nothing written', async () => {
    const before = root.snapshot();
    const cases: Array<[string[], RegExp]> = [
      [['persist', 'eth0', '--root', root.dir], /give NAME on\|off pairs/],
      [['persist', 'eth0', 'rx', 'maybe', '--root', root.dir], /must be followed by on or off/],
      [['persist', 'eth0', 'rx', 'off', '--backend', 'netplan', '--root', root.dir], /--backend must be auto/],
      [['persist', 'eth0', 'rx', 'off', '--rooot', root.dir], /unknown option --rooot/],
      [['persist', 'eth0$(reboot)', 'rx', 'off', '--root', root.dir], /cannot be persisted/],
      [['persist', 'eth0', 'rx\nRUN+="x"', 'off', '--root', root.dir], /unknown feature name/],
      [['unpersist', '--root', root.dir], /give an interface/],
    ];
    for (const [argv, re] of cases) {
      const r = await cli(argv);
      assert.equal(r.status, 1, argv.join(' '));
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1);
    }
    const j = await cli(['persist', 'eth0', 'bogus', 'off', '--root', root.dir, '--json']);
    assert.equal(JSON.parse(j.stdout).error.code, 'ERR_UNKNOWN_FEATURE');
    assert.deepEqual(root.snapshot(), before);
  });
});
