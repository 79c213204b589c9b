// systemd .link backend against the real consumer: udevadm test-builtin net_setup_link (udev
// 252 still applies .link settings there; since 256 only `udevadm trigger` does), run in a
// private mount namespace where the temp tree's etc/systemd/network is bind-mounted over
// /etc/systemd/network, so udev reads the written file and never the real /etc.
import assert from 'assert/strict';
import * as fs from 'fs';
import { persist, unpersist } from '../../ts/persist';
import { releaseSockets } from '../../ts/core/device';
import { addDefaultLink, addUdev, ethtoolFeatures, hostUdevVersion, TempRoot } from '../helpers/persist-roots';
import { TestNetns } from '../helpers/netns';

function netSetupLink(ns: TestNetns, root: TempRoot, dev: string): Record<string, string> {
  const script = `mount --bind "$1/etc/systemd/network" /etc/systemd/network && exec udevadm test-builtin net_setup_link /sys/class/net/${dev}`;
  const r = ns.exec('unshare', ['-m', 'sh', '-c', script, 'sh', root.dir]);
  assert.equal(r.status, 0, r.stderr);
  return Object.fromEntries(r.stdout.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

describe('persist systemd-link: udevadm net_setup_link applies the written file (namespace)', function () {
  this.timeout(60000);
  let ns: TestNetns;
  let root: TempRoot;
  before(function () {
    // The claim this test rests on: udev < 256 applies .link settings in test-builtin.
    assert.ok(hostUdevVersion() < 256, `udev ${hostUdevVersion()} no longer applies .link files in test-builtin; use udevadm trigger in a VM`);
  });
  beforeEach(() => {
    ns = TestNetns.create('link');
    ns.addVeth('va', 'vb');
    root = new TempRoot('link');
    addUdev(root);
    addDefaultLink(root);
    fs.mkdirSync(root.path('/etc/systemd/network'), { recursive: true }); // Debian ships it empty
  });
  afterEach(() => {
    root?.remove();
    releaseSockets();
    ns?.destroy();
  });

  it('sets the features and keeps the naming of the file it displaces', async () => {
    root.write('/etc/systemd/network/50-va.link', '[Match]\nOriginalName=va\n\n[Link]\nNamePolicy=\nName=lan7\nMACAddressPolicy=none\n');
    const was = netSetupLink(ns, root, 'va');
    assert.equal(was.ID_NET_LINK_FILE, '/etc/systemd/network/50-va.link');
    assert.equal(was.ID_NET_NAME, 'lan7');
    ns.ethtool('-K', 'va', 'rx', 'on', 'tx', 'on', 'gro', 'on');

    const r = await persist('va', { rx: false, tx: false, gro: false }, { root: root.dir, netns: ns.name, apply: false });
    assert.equal(r.backend, 'systemd-link');
    assert.equal(ethtoolFeatures(ns, 'va')['rx-checksumming'], true, 'apply: false left the device alone');

    const now = netSetupLink(ns, root, 'va');
    assert.equal(now.ID_NET_LINK_FILE, '/etc/systemd/network/10-nic-offload-va.link');
    assert.equal(now.ID_NET_NAME, 'lan7', 'the name the displaced file gave is kept');
    const f = ethtoolFeatures(ns, 'va');
    assert.equal(f['rx-checksumming'], false);
    assert.equal(f['tx-checksumming'], false);
    assert.equal(f['generic-receive-offload'], false);

    await unpersist('va', undefined, { root: root.dir });
    assert.equal(netSetupLink(ns, root, 'va').ID_NET_LINK_FILE, '/etc/systemd/network/50-va.link');
  });

  it('displacing 99-default.link keeps its naming and MAC policy', async () => {
    const was = netSetupLink(ns, root, 'va');
    assert.equal(was.ID_NET_LINK_FILE, '/usr/lib/systemd/network/99-default.link');
    await persist('va', { tso: false }, { root: root.dir, netns: ns.name });
    assert.equal(ethtoolFeatures(ns, 'va')['tcp-segmentation-offload'], false, 'applied live');
    ns.ethtool('-K', 'va', 'tso', 'on');
    const now = netSetupLink(ns, root, 'va');
    assert.equal(now.ID_NET_LINK_FILE, '/etc/systemd/network/10-nic-offload-va.link');
    assert.equal(now.ID_NET_NAME, was.ID_NET_NAME);
    const f = ethtoolFeatures(ns, 'va');
    assert.equal(f['tx-tcp-segmentation'], false);
    assert.equal(f['tx-tcp6-segmentation'], false);
  });
});
