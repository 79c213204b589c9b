// setFeatures against the real kernel. Twin namespaces hold identical devices: ethtool -K drives
// one, setFeatures the other, through the same sequence of requests; after every step the reports
// ("Actual changes", "Could not change", exit status) and the resulting states must agree.
import assert from 'assert/strict';
import * as api from '../../ts/index';
import { argsToChanges, asEthtoolJson, parseEthtoolSet, reportOf } from '../helpers/ethtool-oracle';
import { DEVICES, makeDevices } from '../helpers/devices';
import { TestNetns } from '../helpers/netns';

// Kernel names, legacy short and long names, dependency chains, fixed and unsupported bits.
const SEQUENCE: string[][] = [
  ['tx', 'off'],
  ['sg', 'off'],
  ['tso', 'on'],
  ['tx', 'on'],
  ['sg', 'on'],
  ['tso', 'off', 'gso', 'off'],
  ['tcp-segmentation-offload', 'on', 'generic-segmentation-offload', 'on'],
  ['rx', 'off'],
  ['rx-checksumming', 'on'],
  ['gro', 'off', 'lro', 'on'],
  ['generic-receive-offload', 'on'],
  ['rx-gro-hw', 'on'],
  ['ufo', 'off'],
  ['highdma', 'off'],
  ['tx-checksum-ip-generic', 'off'],
  ['scatter-gather', 'off', 'tx-scatter-gather', 'on'],
  ['rxvlan', 'off', 'txvlan', 'off', 'ntuple', 'on', 'rxhash', 'on'],
  ['tx-udp-segmentation', 'on', 'rx-gro-list', 'on', 'rx-udp-gro-forwarding', 'on'],
  ['tx-nocache-copy', 'on', 'loopback', 'on'],
  ['tx', 'on', 'sg', 'on', 'tso', 'on', 'gso', 'on', 'gro', 'on', 'rx', 'on'],
  ['tx-nocache-copy', 'off', 'loopback', 'off', 'rx-gro-list', 'off', 'rx-udp-gro-forwarding', 'off'],
];

describe('core: changing features (real kernel, ethtool -K as oracle)', function () {
  this.timeout(120000);
  let theirs: TestNetns;
  let ours: TestNetns;
  before(() => {
    theirs = TestNetns.create('eth');
    ours = TestNetns.create('our');
    makeDevices(theirs);
    makeDevices(ours);
  });
  after(() => {
    api.releaseSockets();
    theirs?.destroy();
    ours?.destroy();
  });

  for (const dev of DEVICES) {
    it(`${dev}: every step of the sequence reports and ends like ethtool -K`, async () => {
      for (const args of SEQUENCE) {
        const step = `${dev}: ${args.join(' ')}`;
        const e = theirs.ethtool('-K', dev, ...args);
        const expected = parseEthtoolSet(e.stdout, e.stderr, e.status);
        const r = await api.setFeatures(dev, argsToChanges(args), { netns: ours.name });
        assert.deepEqual(reportOf(r), expected, step);
        assert.deepEqual(api.getFeatures(dev, { netns: ours.name }), api.getFeatures(dev, { netns: theirs.name }), step);
        const names = api.getFeatureNames(dev, { netns: ours.name });
        assert.deepEqual(asEthtoolJson(api.getFeatures(dev, { netns: ours.name }), names), ours.ethtoolJson(dev), step);
      }
    });
  }

  it('a feature named twice: the API lets the last mention win; ethtool -K (netlink) lets any "on" win', async () => {
    for (const ns of [ours, theirs]) ns.ethtool('-K', 'v0', 'tx', 'on', 'sg', 'on', 'tso', 'on');
    await api.setFeatures('v0', new Map([['tso', true], ['tx-tcp6-segmentation', false]]), { netns: ours.name });
    theirs.ethtool('-K', 'v0', 'tso', 'on', 'tx-tcp6-segmentation', 'off');
    assert.equal(ours.ethtoolJson('v0')['tx-tcp6-segmentation'].active, false, 'API: the last mention (off) wins');
    assert.equal(theirs.ethtoolJson('v0')['tx-tcp6-segmentation'].active, true, 'ethtool -K: the "on" through tso wins');
    assert.equal(ours.ethtoolJson('v0')['tx-tcp-segmentation'].active, true, 'API: tso still turned tcp4 on');
  });

  it('reports per feature what was asked, before and after, and the kernel dependency fixes', async () => {
    await api.setFeatures('v0', { tx: true, sg: true, tso: true }, { netns: ours.name });
    const r = await api.setFeatures('v0', { tx: false }, { netns: ours.name });
    const generic = r.requested.find((a) => a.name === 'tx-checksum-ip-generic')!;
    assert.deepEqual(generic, { name: 'tx-checksum-ip-generic', asked: false, via: 'tx', before: true, after: false });
    assert.ok(r.sideEffects.some((c) => c.name === 'tx-tcp-segmentation' && c.before && !c.after), 'tx off drops TSO');
    assert.ok(r.sideEffects.every((c) => !c.requested));
    assert.equal(r.changed, true);
    assert.equal(r.sent, true);
  });

  it('is idempotent: a request already in effect sends nothing and changes nothing', async () => {
    await api.setFeatures('v0', { gro: false }, { netns: ours.name });
    const r = await api.setFeatures('v0', { gro: false }, { netns: ours.name });
    assert.equal(r.sent, false);
    assert.equal(r.changed, false);
    assert.deepEqual(r.changes, []);
    const s = api.setFeaturesSync('v0', { 'rx-gro': false }, { netns: ours.name });
    assert.equal(s.sent, false);
  });

  it('dry run plans without touching the device', async () => {
    const before = api.getFeatures('v0', { netns: ours.name });
    const r = await api.setFeatures('v0', { gro: !before['rx-gro']!.active }, { netns: ours.name, dryRun: true });
    assert.equal(r.dryRun, true);
    assert.equal(r.changed, true);
    assert.equal(r.sent, false);
    assert.deepEqual(api.getFeatures('v0', { netns: ours.name }), before);
  });

  it('reports a kernel dependency refusal as unmet (wish) with the kernel flag', async () => {
    await api.setFeatures('v0', { sg: false }, { netns: ours.name });
    const r = await api.setFeatures('v0', { 'tx-tcp-segmentation': true }, { netns: ours.name });
    assert.deepEqual(r.unmet, [{ name: 'tx-tcp-segmentation', asked: true, actual: false, reason: 'wish' }]);
    assert.equal(r.kernelFlags & api.ETHTOOL_F_WISH, api.ETHTOOL_F_WISH);
    assert.equal(r.couldNotChange, true);
    await api.setFeatures('v0', { sg: true }, { netns: ours.name });
  });

  it('never sends never-changeable bits: asking for one is an unmet request, not a kernel EINVAL', async () => {
    const names = api.getFeatureNames('v0', { netns: ours.name });
    assert.ok(names.includes('vlan-challenged'));
    const r = await api.setFeatures('v0', { 'vlan-challenged': true, gro: true }, { netns: ours.name });
    assert.deepEqual(r.unmet, [{ name: 'vlan-challenged', asked: true, actual: false, reason: 'fixed' }]);
  });

  it('many concurrent async sets all settle, and the device ends as the last request of each feature', async () => {
    const feats = ['rx-gro', 'tx-nocache-copy', 'rx-gro-list', 'rx-udp-gro-forwarding'];
    const jobs: Array<Promise<api.SetResult>> = [];
    for (let i = 0; i < 200; i++) {
      for (const dev of ['v0', 'v1', 'tap0']) {
        jobs.push(api.setFeatures(dev, { [feats[i % feats.length]]: i % 2 === 0 }, { netns: ours.name }));
      }
    }
    const results = await Promise.all(jobs);
    assert.equal(results.length, 600);
    for (const dev of ['v0', 'v1', 'tap0']) {
      const now = api.getFeatures(dev, { netns: ours.name });
      // i = 196..199 are the last requests of the four features: on, off, on, off
      assert.deepEqual(feats.map((f) => (now as api.AnyFeatures)[f]!.active), [true, false, true, false], dev);
    }
  });
});
