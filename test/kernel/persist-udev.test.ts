// udev fallback against the real consumer: `udevadm test --action=add` (with the temp tree's
// rules bind-mounted over /etc/udev/rules.d in a private mount namespace) shows the exact command
// udev would run for the device; that command, run the way udev runs it (no shell, empty
// environment, the state file at its real path through a private mount), restores the features.
import assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { persist, unpersist } from '../../ts/persist';
import { releaseSockets } from '../../ts/core/device';
import { addUdev, ethtoolFeatures, TempRoot } from '../helpers/persist-roots';
import { TestNetns } from '../helpers/netns';

const DIST_CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js');

/** The RUN commands udev would run on `add` of `dev`, as udevadm test prints them. */
function udevRuns(ns: TestNetns, root: TempRoot, dev: string): string[] {
  const script = `mount --bind "$1/etc/udev/rules.d" /etc/udev/rules.d && exec udevadm test --action=add /sys/class/net/${dev}`;
  const r = ns.exec('unshare', ['-m', 'sh', '-c', script, 'sh', root.dir]);
  assert.equal(r.status, 0, r.stderr);
  return (r.stdout + r.stderr)
    .split('\n')
    .map((l) => /^run: '(.*)'$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => m[1]);
}

describe('persist udev: the rule re-applies the recorded settings as udev runs it (namespace)', function () {
  this.timeout(60000);
  let ns: TestNetns;
  let root: TempRoot;
  before(() => {
    assert.ok(fs.existsSync(DIST_CLI), `${DIST_CLI} is missing: run "npm run build:ts" first (npm test does)`);
  });
  beforeEach(() => {
    ns = TestNetns.create('udev');
    ns.addVeth('va', 'vb');
    root = new TempRoot('udev');
    addUdev(root);
    fs.mkdirSync(root.path('/etc/udev/rules.d'), { recursive: true }); // as udev ships it
  });
  afterEach(() => {
    root?.remove();
    releaseSockets();
    ns?.destroy();
  });

  it('udevadm test lists the reapply command; running it turns the features off', async () => {
    const r = await persist('va', { rx: false, sg: false, rxhash: false, 'tx-udp_tnl-segmentation': false, gro: false }, { root: root.dir, netns: ns.name, apply: false });
    assert.equal(r.backend, 'udev');
    assert.ok(ethtoolFeatures(ns, 'va')['scatter-gather'], 'apply: false left the device alone');

    const runs = udevRuns(ns, root, 'va').filter((c) => c.includes(' reapply '));
    assert.deepEqual(runs, [`${process.execPath} ${DIST_CLI} reapply va`]);
    assert.deepEqual(udevRuns(ns, root, 'vb').filter((c) => c.includes(' reapply ')), [], 'the rule matches only va');

    // As udev runs RUN: split on spaces, no shell, no environment, cwd /, the real state path.
    const argv = runs[0].split(' ');
    const script = 'mount -t tmpfs tmpfs /var/lib && mkdir /var/lib/nic-offload && mount --bind "$1/var/lib/nic-offload" /var/lib/nic-offload && shift && cd / && exec env -i "$@"';
    const res = ns.exec('unshare', ['-m', 'sh', '-c', script, 'sh', root.dir, ...argv]);
    assert.equal(res.status, 0, res.stderr);
    // The oracle: the same settings through ethtool -K on the peer, an identical veth.
    const k = ns.ethtool('-K', 'vb', 'rx', 'off', 'sg', 'off', 'rxhash', 'off', 'tx-udp_tnl-segmentation', 'off', 'gro', 'off');
    assert.ok(k.status === 0 || k.status === 1, k.stderr);
    const f = ethtoolFeatures(ns, 'va');
    assert.deepEqual(f, ethtoolFeatures(ns, 'vb'));
    assert.equal(f['rx-checksumming'], false);
    assert.equal(f['scatter-gather'], false);
    assert.equal(f['generic-receive-offload'], false);

    await unpersist('va', undefined, { root: root.dir });
    assert.deepEqual(udevRuns(ns, root, 'va').filter((c) => c.includes(' reapply ')), []);
  });
});
