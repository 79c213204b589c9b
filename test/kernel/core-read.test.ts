// getFeatures against the real kernel, with `ethtool --json -k` as the oracle, on every device
// type we can make in a namespace.
import assert from 'assert/strict';
import * as api from '../../ts/index';
import { asEthtoolJson } from '../helpers/ethtool-oracle';
import { DEVICES, makeDevices } from '../helpers/devices';
import { must, TestNetns } from '../helpers/netns';

describe('core: reading features (real kernel, ethtool as oracle)', () => {
  let ns: TestNetns;
  before(() => {
    ns = TestNetns.create('read');
    makeDevices(ns);
  });
  after(() => {
    api.releaseSockets();
    ns.destroy();
  });

  for (const dev of DEVICES) {
    it(`${dev}: active, requested and fixed agree with ethtool --json -k for every feature`, () => {
      const feats = api.getFeatures(dev, { netns: ns.name });
      const names = api.getFeatureNames(dev, { netns: ns.name });
      assert.deepEqual(asEthtoolJson(feats, names), ns.ethtoolJson(dev));
    });
  }

  it('takes names and count from the kernel: every name ethtool lists, holes kept by index', () => {
    const names = api.getFeatureNames('lo', { netns: ns.name });
    const text = ns.ethtool('-k', 'lo').stdout;
    for (const name of names.filter(Boolean)) {
      const single = api.legacyGroups(names).find((g) => g.members.length === 1 && names[g.members[0]] === name);
      assert.ok(text.includes(`${single ? single.flag.long : name}: `), `${name} missing from ethtool -k`);
    }
    const snap = api.getFeatureSnapshot('lo', { netns: ns.name });
    assert.equal(snap.words, Math.ceil(names.length / 32));
    assert.equal(snap.blocks.length, snap.words * 4);
  });

  it('lists every interface of the namespace, like ip link', () => {
    const ours = api.listInterfaces({ netns: ns.name });
    const theirs = must('ip', ['-n', ns.name, '-o', 'link', 'show']).split('\n').filter(Boolean).map((l) => l.split(': ')[1].split('@')[0]);
    assert.deepEqual(ours, theirs);
    const links = api.listLinks({ netns: ns.name });
    const br = links.find((l) => l.name === 'br0')!;
    assert.equal(links.find((l) => l.name === 'v1')!.master, br.index);
    assert.equal(br.kind, 'bridge');
    assert.equal(links.find((l) => l.name === 'v0')!.kind, 'veth');
  });

  it('says which device a stacked one sits on (IFLA_LINK), as ip -j link does', () => {
    ns.ip('link', 'add', 'link', 'v0', 'name', 'mv0', 'type', 'macvlan');
    try {
      const links = api.listLinks({ netns: ns.name });
      const name = (index: number) => links.find((l) => l.index === index)?.name;
      const ip = JSON.parse(must('ip', ['-n', ns.name, '-j', 'link', 'show'])) as Array<{ ifname: string; link?: string; link_netnsid?: number }>;
      for (const l of links) {
        const theirs = ip.find((x) => x.ifname === l.name)!;
        assert.equal(l.link ? name(l.link) : undefined, theirs.link_netnsid === undefined ? theirs.link : undefined, l.name);
      }
      assert.equal(name(links.find((l) => l.name === 'mv0')!.link), 'v0');
      assert.equal(links.find((l) => l.name === 'lo')!.link, 0);
    } finally {
      ns.ip('link', 'del', 'mv0');
    }
  });

  it('reads every interface at once, each equal to a single read', () => {
    const all = api.getAllFeatures({ netns: ns.name });
    assert.deepEqual(Object.keys(all), api.listInterfaces({ netns: ns.name }));
    for (const dev of DEVICES) assert.deepEqual(all[dev], api.getFeatures(dev, { netns: ns.name }));
  });

  it('reports the driver like ethtool -i', () => {
    for (const dev of ['v0', 'br0', 'tap0', 'vx0']) {
      const info = api.getDriverInfo(dev, { netns: ns.name });
      const out = ns.ethtool('-i', dev).stdout;
      const field = (k: string) => (new RegExp(`^${k}: ?(.*)$`, 'm').exec(out) ?? [])[1] ?? '';
      assert.equal(info.driver, field('driver'));
      assert.equal(info.version, field('version'));
      assert.equal(info.firmwareVersion, field('firmware-version'));
      assert.equal(info.busInfo, field('bus-info'));
    }
  });

  it('reads this machine\'s own interfaces (read only) the same way ethtool does', () => {
    for (const dev of api.listInterfaces()) {
      const r = must('ethtool', ['--json', '-k', dev]);
      const [theirs] = JSON.parse(r);
      delete theirs.ifname;
      assert.deepEqual(asEthtoolJson(api.getFeatures(dev), api.getFeatureNames(dev)), theirs);
    }
  });
});
