// The set/read logic against a fake kernel: word sizes, holes, aliases, idempotence, dry runs,
// validation, error shapes. The same API runs against the real kernel in test/kernel/core-*.
import assert from 'assert/strict';
import { useBinding, NativeBinding } from '../../ts/binding';
import * as api from '../../ts/index';
import { ENODEV, EPERM, FakeBinding, fakeKernel } from '../helpers/fake-binding';

// 70 names with holes: three feature words, as a future kernel might report.
const NAMES = [
  'tx-scatter-gather', 'tx-checksum-ipv4', '', 'tx-checksum-ip-generic', 'tx-checksum-ipv6', 'highdma',
  'tx-scatter-gather-fraglist', 'tx-vlan-hw-insert', 'rx-vlan-hw-parse', 'rx-vlan-filter', 'vlan-challenged',
  'tx-generic-segmentation', '', 'netns-local', 'rx-gro', 'rx-lro', 'tx-tcp-segmentation',
  ...Array.from({ length: 47 }, (_, i) => `x-filler-${i}`),
  'rx-checksum', '', 'tx-tcp6-segmentation', 'rx-gro-hw', 'x-last', 'tx-checksum-sctp',
];

function fake(): FakeBinding {
  return fakeKernel(NAMES, {
    neverChange: ['vlan-challenged', 'netns-local'],
    changeable: ['tx-scatter-gather', 'tx-checksum-ip-generic', 'tx-generic-segmentation', 'rx-gro', 'tx-tcp-segmentation',
      'tx-tcp6-segmentation', 'rx-checksum', 'x-last', 'tx-checksum-sctp'],
    devices: { eth9: ['highdma'] },
  });
}

describe('core logic (fake kernel)', () => {
  let f: FakeBinding;
  let prev: NativeBinding | undefined;
  beforeEach(() => {
    f = fake();
    prev = useBinding(f);
  });
  afterEach(() => useBinding(prev));

  it('decodes every named feature in kernel order, skipping holes, across three words', () => {
    const feats = api.getFeatures('eth9');
    assert.deepEqual(Object.keys(feats), NAMES.filter(Boolean));
    assert.deepEqual((feats as api.AnyFeatures)['x-last'], { active: true, requested: true, available: true, fixed: false });
    assert.deepEqual(feats['highdma'], { active: true, requested: false, available: false, fixed: true });
    assert.deepEqual(feats['vlan-challenged'], { active: false, requested: false, available: false, fixed: true });
  });

  it('sends one SFEATURES of exactly the kernel word count, only changeable bits', async () => {
    const r = await api.setFeatures('eth9', new Map([['x-last', false], ['highdma', false]]));
    const sets = f.calls.filter((c) => c.fn === 'setFeatures');
    assert.equal(sets.length, 1);
    const [, , valid, requested] = sets[0].args as [string, string, number[], number[]];
    assert.equal(valid.length, 3);
    const idx = NAMES.indexOf('x-last');
    assert.deepEqual(valid, [0, 0, 0].map((_, w) => (w === idx >>> 5 ? (1 << (idx & 31)) >>> 0 : 0)));
    assert.deepEqual(requested, [0, 0, 0]);
    assert.equal(r.changed, true);
    assert.deepEqual(r.unmet, [{ name: 'highdma', asked: false, actual: true, reason: 'unsupported' }]);
    assert.deepEqual(r.changes, [{ name: 'x-last', before: true, after: false, requested: true }]);
    assert.equal(r.couldNotChange, false);
  });

  it('reports dependency side effects and wishes like ethtool -K', async () => {
    const r = await api.setFeatures('eth9', { sg: false });
    assert.deepEqual(
      r.sideEffects.map((c) => [c.name, c.after]),
      [['tx-tcp-segmentation', false], ['tx-tcp6-segmentation', false]],
    );
    const r2 = await api.setFeatures('eth9', { tso: true });
    assert.deepEqual(r2.unmet.map((u) => [u.name, u.reason]), [['tx-tcp-segmentation', 'wish'], ['tx-tcp6-segmentation', 'wish']]);
    assert.equal(r2.couldNotChange, true);
    assert.equal(r2.kernelFlags & api.ETHTOOL_F_WISH, api.ETHTOOL_F_WISH);
  });

  it('expands legacy names, short and long, to every matching feature, fixed ones included', async () => {
    const r = await api.setFeatures('eth9', { 'tx-checksumming': false });
    assert.deepEqual(r.requested.map((a) => a.name), ['tx-checksum-ipv4', 'tx-checksum-ip-generic', 'tx-checksum-ipv6', 'tx-checksum-sctp']);
    assert.ok(r.requested.every((a) => a.via === 'tx-checksumming' && a.asked === false));
    const r2 = await api.setFeatures('eth9', { tx: true });
    assert.deepEqual(r2.unmet.map((u) => u.name), ['tx-checksum-ipv4', 'tx-checksum-ipv6']);
  });

  it('lets the last mention of a feature win (the API\'s rule; the CLI keeps ethtool -K\'s any-on rule)', async () => {
    const r = await api.setFeatures('eth9', { 'tx-tcp6-segmentation': true, tso: false });
    assert.equal(r.requested.find((a) => a.name === 'tx-tcp6-segmentation')!.asked, false);
    const r2 = await api.setFeatures('eth9', new Map([['tso', true], ['tx-tcp6-segmentation', false]]));
    assert.equal(r2.requested.find((a) => a.name === 'tx-tcp6-segmentation')!.asked, false);
    assert.equal(r2.requested.find((a) => a.name === 'tx-tcp-segmentation')!.asked, true);
  });

  it('sends nothing when the request is already in effect (idempotent)', async () => {
    await api.setFeatures('eth9', { gro: false });
    f.calls = [];
    const r = await api.setFeatures('eth9', { gro: false, highdma: true });
    assert.equal(f.calls.filter((c) => c.fn === 'setFeatures').length, 0);
    assert.equal(r.sent, false);
    assert.equal(r.changed, false);
    assert.deepEqual(r.unmet, []);
  });

  it('sends when only the requested bit differs (off [requested on] asked off)', async () => {
    f.devices.get('eth9')!.active &= ~f.bitOf('rx-gro'); // active off, wanted still on
    const r = await api.setFeatures('eth9', { gro: false });
    assert.equal(r.sent, true);
    assert.equal(r.changed, true);
    assert.equal(api.getFeatures('eth9')['rx-gro']!.requested, false);
  });

  it('dry run computes the plan and sends nothing', async () => {
    const r = await api.setFeatures('eth9', { rx: false, highdma: false }, { dryRun: true });
    assert.equal(f.calls.filter((c) => c.fn === 'setFeatures').length, 0);
    assert.equal(r.dryRun, true);
    assert.equal(r.changed, true);
    assert.deepEqual(r.requested.find((a) => a.name === 'rx-checksum'), { name: 'rx-checksum', asked: false, via: 'rx', before: true, after: false });
    assert.deepEqual(r.unmet.map((u) => u.name), ['highdma']);
    assert.equal(api.getFeatures('eth9')['rx-checksum']!.active, true);
    const again = api.setFeaturesSync('eth9', { rx: true }, { dryRun: true });
    assert.equal(again.changed, false);
  });

  it('refuses an unknown name with suggestions and changes nothing, even beside valid names', async () => {
    await assert.rejects(api.setFeatures('eth9', { rx: false, 'rx-checksumm': false } as api.FeatureChanges), (e: api.NicOffloadError) => {
      assert.equal(e.code, 'ERR_UNKNOWN_FEATURE');
      assert.deepEqual(e.unknown, ['rx-checksumm']);
      assert.ok(e.suggestions!.includes('rx-checksum'), String(e.suggestions));
      assert.match(e.message, /did you mean .*rx-checksum/);
      return true;
    });
    assert.equal(f.calls.filter((c) => c.fn === 'setFeatures').length, 0);
    assert.throws(() => api.setFeaturesSync('eth9', { nonsense: true } as api.FeatureChanges), { code: 'ERR_UNKNOWN_FEATURE' });
    assert.throws(() => api.setFeaturesSync('eth9', { '': true } as api.FeatureChanges), { code: 'ERR_UNKNOWN_FEATURE' });
  });

  it('rejects non-boolean values and bad argument types with TypeError', async () => {
    for (const bad of [{ rx: 'off' }, { rx: 0 }, { rx: null }, { rx: undefined }]) {
      await assert.rejects(api.setFeatures('eth9', bad as never), (e: Error & { code?: string }) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_TYPE');
    }
    for (const bad of [null, 'rx off', ['rx'], 5]) {
      assert.throws(() => api.setFeaturesSync('eth9', bad as never), TypeError);
    }
    assert.throws(() => api.getFeatures(42 as never), TypeError);
    assert.throws(() => api.getFeatures('eth9', 'ns' as never), TypeError);
    assert.throws(() => api.setFeaturesSync('eth9', { rx: true }, { dryRun: 'yes' } as never), TypeError);
    assert.equal(f.calls.filter((c) => c.fn === 'setFeatures').length, 0);
  });

  it('validates interface names before any call', () => {
    const bad = ['', 'a'.repeat(16), 'é'.repeat(8), 'eth0/x', 'eth 0', 'eth0:1', 'eth\t', 'a\0b', '.', '..', 'x\ny'];
    for (const name of bad) {
      assert.throws(() => api.getFeatures(name), { code: 'ERR_INVALID_IFNAME' }, JSON.stringify(name));
    }
    assert.equal(f.calls.length, 0);
    assert.equal(api.validateIfname('a'.repeat(15)), 'a'.repeat(15));
  });

  it('validates namespace names', () => {
    assert.throws(() => api.getFeatures('eth9', { netns: 'a/b' }), { code: 'ERR_INVALID_NETNS' });
    assert.throws(() => api.getFeatures('eth9', { netns: '..' }), { code: 'ERR_INVALID_NETNS' });
    api.getFeatures('eth9', { netns: 'blue' });
    api.getFeatures('eth9', { netns: '/proc/1/ns/net' });
    assert.deepEqual(f.calls.map((c) => c.args[0]), ['/var/run/netns/blue', '/var/run/netns/blue', '/proc/1/ns/net']);
  });

  it('turns errno into a stable code with an actionable message', async () => {
    assert.throws(() => api.getFeatures('nope0'), (e: api.NicOffloadError) => {
      assert.equal(e.code, 'ENODEV');
      assert.equal(e.errno, ENODEV);
      assert.equal(e.syscall, 'ioctl');
      assert.equal(e.ifname, 'nope0');
      assert.match(e.message, /no such network interface: interface "nope0"/);
      return true;
    });
    f.failSet = EPERM;
    await assert.rejects(api.setFeatures('eth9', { rx: false }), (e: api.NicOffloadError) => {
      assert.equal(e.code, 'EPERM');
      assert.equal(e.command, 'ETHTOOL_SFEATURES');
      assert.match(e.message, /needs CAP_NET_ADMIN/);
      return true;
    });
  });

  it('concurrent setFeatures each send their own words (the binding copies them before returning)', async () => {
    f.devices.set('eth10', { ...f.devices.get('eth9')! });
    const [a, b] = await Promise.all([api.setFeatures('eth9', { 'rx-gro': false }), api.setFeatures('eth10', new Map([['x-last', false]]))]);
    assert.deepEqual(a.changes.map((c) => c.name), ['rx-gro']);
    assert.deepEqual(b.changes.map((c) => c.name), ['x-last']);
    assert.equal(api.getFeatures('eth9')['rx-gro']!.active, false);
    assert.equal((api.getFeatures('eth9') as api.AnyFeatures)['x-last']!.active, true);
    assert.equal(api.getFeatures('eth10')['rx-gro']!.active, true);
    assert.equal((api.getFeatures('eth10') as api.AnyFeatures)['x-last']!.active, false);
  });

  it('a kernel feature or an interface named "__proto__" is a plain property, never the prototype', async () => {
    const names = [...NAMES];
    names[NAMES.indexOf('x-filler-3')] = '__proto__';
    const g = fakeKernel(names, { neverChange: [], changeable: ['__proto__', 'rx-gro'], devices: { eth9: [], ['__proto__']: [] } });
    useBinding(g);
    for (let i = 0; i < 12; i++) {
      // before and after the builder for this table is compiled
      const feats = api.getFeatures('eth9');
      assert.equal(Object.getPrototypeOf(feats), Object.prototype);
      assert.ok(Object.prototype.hasOwnProperty.call(feats, '__proto__'));
      assert.deepEqual(Object.keys(feats), names.filter(Boolean));
      assert.deepEqual((feats as api.AnyFeatures)['__proto__'], { active: true, requested: true, available: true, fixed: false });
    }
    const r = await api.setFeatures('eth9', new Map([['__proto__', false]]));
    assert.deepEqual(r.changes.map((c) => c.name), ['__proto__']);
    const all = api.getAllFeatures();
    assert.equal(Object.getPrototypeOf(all), Object.prototype);
    assert.deepEqual(Object.keys(all), ['eth9', '__proto__']);
    assert.equal(all['__proto__' as string]['rx-gro']!.active, true);
    // And the JSON rendering (ethtool --json -k) keeps it as a key too.
    const json = api.featuresJsonObject('eth9', api.getFeatures('eth9'));
    assert.equal(Object.getPrototypeOf(json), Object.prototype);
    assert.ok(Object.prototype.hasOwnProperty.call(json, '__proto__'));
  });

  it('errno 95 is EOPNOTSUPP (the kernel\'s name, not its alias ENOTSUP) with its message', async () => {
    f.failSet = 95;
    await assert.rejects(api.setFeatures('eth9', { rx: false }), (e: api.NicOffloadError) => {
      assert.equal(e.code, 'EOPNOTSUPP');
      assert.equal(e.errno, 95);
      assert.match(e.message, /^ETHTOOL_SFEATURES is not supported by interface "eth9"$/);
      return true;
    });
  });

  it('refuses over-long namespace paths and names before any call, never shortening them', () => {
    assert.throws(() => api.getFeatures('eth9', { netns: `/${'a'.repeat(4095)}` }), { code: 'ERR_INVALID_NETNS', message: /4096 bytes long; Linux takes at most 4095/ });
    assert.throws(() => api.getFeatures('eth9', { netns: 'é'.repeat(128) }), { code: 'ERR_INVALID_NETNS', message: /name is 256 bytes long/ });
    assert.throws(() => api.listInterfaces({ netns: `/${'€'.repeat(1400)}` }), { code: 'ERR_INVALID_NETNS' });
    assert.equal(f.calls.length, 0);
    const longest = `/${'a'.repeat(4094)}`;
    api.getFeatures('eth9', { netns: longest });
    api.getFeatures('eth9', { netns: 'n'.repeat(255) });
    assert.deepEqual(f.calls.map((c) => c.args[0]).slice(-2), [longest, `/var/run/netns/${'n'.repeat(255)}`]);
  });

  it('reads every interface in one call', () => {
    f.devices.set('eth10', { ...f.devices.get('eth9')! });
    assert.deepEqual(Object.keys(api.getAllFeatures()), ['eth9', 'eth10']);
    assert.deepEqual(api.listInterfaces(), ['eth9', 'eth10']);
  });

  it('offers typed names that match the kernel names', () => {
    assert.equal(api.Feature.RxChecksum, 'rx-checksum');
    assert.equal(api.Feature.TxUdpTnlSegmentation, 'tx-udp_tnl-segmentation');
    assert.equal(api.Feature.Tso, 'tso');
    assert.equal(api.Feature.TcpSegmentationOffload, 'tcp-segmentation-offload');
  });
});
