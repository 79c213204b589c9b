// ifupdown backend against the real consumers: the real ifup(8) reads the stanza persist wrote
// and runs Debian's ethtool hook, inside a throwaway namespace; ethtool -k is the oracle.
import assert from 'assert/strict';
import * as fs from 'fs';
import { persist, unpersist } from '../../ts/persist';
import { releaseSockets } from '../../ts/core/device';
import { addIfupdown, addUdev, ethtoolFeatures, TempRoot } from '../helpers/persist-roots';
import { TestNetns } from '../helpers/netns';

describe('persist ifupdown: the real ifup applies what was written (namespace)', function () {
  this.timeout(60000);
  let ns: TestNetns;
  let root: TempRoot;
  beforeEach(() => {
    ns = TestNetns.create('ifup');
    ns.addVeth('va', 'vb');
    root = new TempRoot('ifup');
    addUdev(root, 241); // Buster-like: no .link checksum keys, so auto picks ifupdown
  });
  afterEach(() => {
    root?.remove();
    releaseSockets();
    ns?.destroy();
  });

  it('ifup -i <written file> --allow=hotplug turns rx and tx off', async () => {
    addIfupdown(root);
    const r = await persist('va', { rx: false, tx: false }, { root: root.dir, netns: ns.name, apply: false });
    assert.equal(r.backend, 'ifupdown');
    const before = ethtoolFeatures(ns, 'va');
    assert.equal(before['rx-checksumming'], true, 'apply: false left the device alone');
    // ifup as the hotplug path runs it (allow-hotplug), with its state in the temp tree.
    fs.mkdirSync(root.path('/run/network'), { recursive: true });
    // The host's other if-up.d hooks (resolved) write under /run: give them a private tmpfs.
    const script = 'mount -t tmpfs tmpfs /run && exec ifup -i "$1" --state-dir "$2" --allow=hotplug va';
    const up = ns.exec('unshare', ['-m', 'sh', '-c', script, 'sh', root.path('/etc/network/interfaces.d/va'), root.path('/run/network')]);
    assert.equal(up.status, 0, up.stderr);
    const after = ethtoolFeatures(ns, 'va');
    assert.equal(after['rx-checksumming'], false);
    assert.equal(after['tx-checksumming'], false);
    assert.equal(after['generic-receive-offload'], before['generic-receive-offload'], 'nothing else was touched');
  });

  it("the whole tree (bind-mounted over /etc/network): coexists with a person's static stanza", async () => {
    const main = 'source /etc/network/interfaces.d/*\n\nallow-hotplug va\niface va inet static\n    address 192.0.2.5/24\n';
    addIfupdown(root, main);
    const r = await persist('va', { gro: false, tso: false }, { root: root.dir, netns: ns.name, apply: false });
    assert.equal(r.backend, 'ifupdown');
    assert.match(r.reason, /ifupdown owns va \(iface stanza in \/etc\/network\/interfaces\)/);
    assert.equal(root.read('/etc/network/interfaces'), main, 'the person\'s file is untouched');
    // A private mount namespace: ifup reads /etc/network from the temp tree; /run is a tmpfs.
    const script = `mount --bind "$1/etc/network" /etc/network && mount -t tmpfs tmpfs /run && exec ifup --allow=hotplug va`;
    const up = ns.exec('unshare', ['-m', 'sh', '-c', script, 'sh', root.dir]);
    assert.equal(up.status, 0, up.stderr);
    const after = ethtoolFeatures(ns, 'va');
    assert.equal(after['generic-receive-offload'], false);
    assert.equal(after['tcp-segmentation-offload'], false);
    assert.match(ns.ip('-4', 'addr', 'show', 'va'), /192\.0\.2\.5\/24/, "the person's stanza ran too");

    await unpersist('va', undefined, { root: root.dir });
    assert.equal(root.exists('/etc/network/interfaces.d/va'), false);
    assert.equal(root.read('/etc/network/interfaces'), main);
  });
});
