// show/set through main() against a fake kernel: colour rules, --check exit statuses, --json
// shapes, error lines and exit statuses, ethtool -K mention semantics. Output format itself is
// checked against the real ethtool in test/kernel/cli-*.test.ts.
import assert from 'assert/strict';
import { NativeBinding, useBinding } from '../../ts/binding';
import { changesFromEthtoolArgs } from '../../ts/cli/ethtool-args';
import { cli } from '../helpers/cli-run';
import { EPERM, FakeBinding, fakeKernel } from '../helpers/fake-binding';

const NAMES = [
  'tx-scatter-gather', 'tx-checksum-ipv4', '', 'tx-checksum-ip-generic', 'highdma', 'vlan-challenged',
  'tx-generic-segmentation', 'rx-gro', 'tx-tcp-segmentation', 'tx-tcp6-segmentation', 'rx-checksum', 'rx-gro-hw',
];

function fake(): FakeBinding {
  return fakeKernel(NAMES, {
    neverChange: ['vlan-challenged'],
    changeable: ['tx-scatter-gather', 'tx-checksum-ip-generic', 'tx-generic-segmentation', 'rx-gro', 'tx-tcp-segmentation', 'tx-tcp6-segmentation', 'rx-checksum'],
    devices: { eth9: ['highdma'], eth8: [] },
  });
}

const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('cli commands (fake kernel)', () => {
  let f: FakeBinding;
  let prev: NativeBinding | undefined;
  beforeEach(() => {
    f = fake();
    prev = useBinding(f);
  });
  afterEach(() => useBinding(prev));

  describe('colour', () => {
    it('plain when stdout is not a terminal', async () => {
      const r = await cli(['show', 'eth9'], { isTTY: false });
      assert.equal(r.stdout, strip(r.stdout));
    });

    it('coloured on a terminal, and only colour: without the escapes the text is the same', async () => {
      const plain = await cli(['show', 'eth9']);
      const tty = await cli(['show', 'eth9'], { isTTY: true });
      assert.notEqual(tty.stdout, plain.stdout);
      assert.equal(strip(tty.stdout), plain.stdout);
      const set = await cli(['set', 'eth9', 'sg', 'off'], { isTTY: true });
      assert.match(set.stdout, /\x1b\[/);
    });

    it('never with NO_COLOR set (to anything but the empty string)', async () => {
      const plain = await cli(['show', 'eth9']);
      assert.equal((await cli(['show', 'eth9'], { isTTY: true, env: { NO_COLOR: '1' } })).stdout, plain.stdout);
      assert.notEqual((await cli(['show', 'eth9'], { isTTY: true, env: { NO_COLOR: '' } })).stdout, plain.stdout);
    });
  });

  describe('set --check', () => {
    it('exit 2 when set would change the device, and changes nothing', async () => {
      const before = { ...f.devices.get('eth9')! };
      const r = await cli(['set', 'eth9', 'gro', 'off', '--check']);
      assert.equal(r.status, 2);
      assert.match(r.stdout, /^Would change eth9:\nrx-gro: on -> off\n$/);
      assert.deepEqual(f.devices.get('eth9'), before);
      assert.equal(f.calls.filter((c) => c.fn === 'setFeatures').length, 0);
    });

    it('exit 0 when the request is already in effect', async () => {
      await cli(['set', 'eth9', 'gro', 'off']);
      const r = await cli(['set', 'eth9', 'gro', 'off', '--check']);
      assert.equal(r.status, 0);
      assert.equal(r.stdout, 'No change needed for eth9.\n');
    });

    it('exit 1 when nothing of it can take effect, like set would', async () => {
      const r = await cli(['set', 'eth9', 'highdma', 'off', '--check']);
      assert.equal(r.status, 1);
      assert.match(r.stdout, /^Would not change eth9; cannot take effect:\nhighdma: on \[fixed\] \[requested off\]\n$/);
      const s = await cli(['set', 'eth9', 'highdma', 'off']);
      assert.equal(s.status, 1);
      assert.equal(s.stderr, 'Could not change any device features\n');
    });

    it('--json: one object, check true, predicted changes', async () => {
      const r = await cli(['set', 'eth9', 'rx', 'off', 'highdma', 'off', '--check', '--json']);
      assert.equal(r.status, 2);
      const j = JSON.parse(r.stdout);
      assert.equal(j.check, true);
      assert.equal(j.changed, true);
      assert.deepEqual(j.changes, [{ name: 'rx-checksum', asked: false, before: true, after: false }]);
      assert.deepEqual(j.unmet, [{ name: 'highdma', asked: false, actual: true, reason: 'unsupported' }]);
    });
  });

  describe('set --json', () => {
    it('interface, changed, requested, changes with asked (null for side effects), unmet', async () => {
      const r = await cli(['set', 'eth9', 'sg', 'off', '--json']);
      assert.equal(r.status, 0);
      const j = JSON.parse(r.stdout);
      assert.equal(j.interface, 'eth9');
      assert.equal(j.netns, null);
      assert.equal(j.changed, true);
      assert.deepEqual(j.requested, [{ name: 'tx-scatter-gather', via: 'sg', asked: false, before: true, after: false }]);
      assert.deepEqual(j.changes, [
        { name: 'tx-scatter-gather', asked: false, before: true, after: false },
        { name: 'tx-tcp-segmentation', asked: null, before: true, after: false },
        { name: 'tx-tcp6-segmentation', asked: null, before: true, after: false },
      ]);
      assert.deepEqual(j.unmet, []);
      const again = JSON.parse((await cli(['set', 'eth9', 'sg', 'off', '--json'])).stdout);
      assert.equal(again.changed, false);
    });

    it('a failed request: exit 1, couldNotChange, nothing on stderr', async () => {
      const r = await cli(['set', 'eth9', 'highdma', 'off', '--json']);
      assert.equal(r.status, 1);
      assert.equal(r.stderr, '');
      assert.equal(JSON.parse(r.stdout).couldNotChange, true);
    });
  });

  describe('ethtool -K mention semantics', () => {
    it('a feature mentioned more than once ends up on if any mention says on', async () => {
      assert.deepEqual([...changesFromEthtoolArgs([['rx', false], ['rx', true], ['rx', false]])], [['rx', true]]);
      await cli(['set', 'eth9', 'tso', 'on', 'tx-tcp6-segmentation', 'off']);
      assert.equal(f.devices.get('eth9')!.active & f.bitOf('tx-tcp6-segmentation'), f.bitOf('tx-tcp6-segmentation'));
      await cli(['set', 'eth9', 'tso', 'off', 'tx-tcp6-segmentation', 'on']);
      const d = f.devices.get('eth9')!;
      assert.equal(d.active & f.bitOf('tx-tcp6-segmentation'), f.bitOf('tx-tcp6-segmentation'));
      assert.equal(d.active & f.bitOf('tx-tcp-segmentation'), 0n);
    });
  });

  describe('errors', () => {
    it('one line on stderr, no stack trace, kernel refusals exit 92', async () => {
      f.failSet = EPERM;
      const r = await cli(['set', 'eth9', 'gro', 'off']);
      assert.equal(r.status, 92);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^nic-offload: [^\n]*needs CAP_NET_ADMIN[^\n]*\n$/);
    });

    it('the stack trace only with NIC_OFFLOAD_DEBUG=1', async () => {
      f.failSet = EPERM;
      const r = await cli(['set', 'eth9', 'gro', 'off'], { env: { NIC_OFFLOAD_DEBUG: '1' } });
      assert.match(r.stderr, /^nic-offload: [^\n]*\n[^\n]*Error[^\n]*\n\s+at /);
    });

    it('--json: the code on stdout', async () => {
      const r = await cli(['set', 'eth7', 'gro', 'off', '--json']);
      assert.equal(r.status, 92);
      assert.equal(JSON.parse(r.stdout).error.code, 'ENODEV');
      const u = await cli(['set', 'eth9', 'grp', 'off', '--json']);
      assert.equal(u.status, 92);
      assert.equal(JSON.parse(u.stdout).error.code, 'ERR_UNKNOWN_FEATURE');
      assert.ok(JSON.parse(u.stdout).error.suggestions.includes('gro'));
      const s = await cli(['show', 'eth7', '--json']);
      assert.equal(s.status, 1);
      assert.equal(JSON.parse(s.stdout).error.code, 'ENODEV');
    });

    it('bad arguments exit 1 with a usage line; an invalid interface name has its code', async () => {
      for (const argv of [['set', 'eth9', 'gro'], ['set', 'eth9', 'gro', 'yes'], ['set'], ['show', '--bogus'], ['set', 'eth9', '--netns']]) {
        const r = await cli(argv);
        assert.equal(r.status, 1, argv.join(' '));
        assert.match(r.stderr, /^nic-offload: [^\n]+\n$/, argv.join(' '));
      }
      const bad = await cli(['set', 'much-too-long-name0', 'gro', 'off', '--json']);
      assert.equal(bad.status, 1);
      assert.equal(JSON.parse(bad.stdout).error.code, 'ERR_INVALID_IFNAME');
    });
  });

  it('show without an interface lists every interface, each after a blank line', async () => {
    const r = await cli(['show']);
    assert.deepEqual(r.stdout.match(/^\nFeatures for \w+:$/gm), ['\nFeatures for eth9:', '\nFeatures for eth8:']);
    assert.equal(r.stdout, (await cli(['show', 'eth9', 'eth8'])).stdout);
  });
});
