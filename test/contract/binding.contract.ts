// The binding contract (ts/binding.ts), as one suite run against both implementations: the addon
// in a throwaway namespace (test/kernel/binding-contract.test.ts) and FakeBinding
// (test/unit/binding-contract.test.ts), so the fake the logic tests rely on cannot drift from
// what the addon does.
import assert from 'assert/strict';
import type { NativeBinding } from '../../ts/binding';

export interface ContractTarget {
  binding: NativeBinding;
  /** Where the devices are: '' or a namespace file path. */
  netns: string;
  /** Two devices with the same changeable `feature`. */
  ifnames: [string, string];
  /** A feature both devices can switch, switching nothing else. */
  feature: string;
}

const ENODEV = 19;
const EINVAL = 22;
const ACTIVE = 2;

interface ErrnoError {
  errno: unknown;
  syscall: unknown;
  command?: unknown;
}

function isErrno(errno: number, syscall: string, command?: RegExp) {
  return (e: unknown): boolean => {
    const x = e as ErrnoError;
    assert.ok(e instanceof Error, 'an Error');
    assert.equal(x.errno, errno);
    assert.equal(x.syscall, syscall);
    if (command) assert.match(String(x.command), command);
    return true;
  };
}

/** Registers the suite; `setup` runs in a before hook and may create what the target needs. */
export function bindingContract(label: string, setup: () => ContractTarget | Promise<ContractTarget>, teardown?: () => void): void {
  describe(`binding contract: ${label}`, () => {
    let t: ContractTarget;
    let b: NativeBinding;
    before(async () => {
      t = await setup();
      b = t.binding;
    });
    after(() => teardown?.());

    const words = (ifname: string): number => b.getFeatures(t.netns, ifname, new Uint32Array(0));
    const read = (ifname: string): Uint32Array => {
      const blocks = new Uint32Array(words(ifname) * 4);
      b.getFeatures(t.netns, ifname, blocks);
      return blocks;
    };
    const bitOf = (): number => {
      const i = b.featureNames(t.netns, t.ifnames[0]).indexOf(t.feature);
      assert.ok(i >= 0, `${t.feature} is a feature name`);
      return i;
    };
    const active = (ifname: string, i: number): boolean => ((read(ifname)[(i >>> 5) * 4 + ACTIVE] >>> (i & 31)) & 1) === 1;
    /** valid/requested words switching bit i to `on`. */
    const request = (ifname: string, i: number, on: boolean): [Uint32Array, Uint32Array] => {
      const valid = new Uint32Array(words(ifname));
      const requested = new Uint32Array(valid.length);
      valid[i >>> 5] = (1 << (i & 31)) >>> 0;
      if (on) requested[i >>> 5] = valid[i >>> 5];
      return [valid, requested];
    };

    it('featureNames: the names in bit order, strings, "" for holes, the same for every device', () => {
      const names = b.featureNames(t.netns, t.ifnames[0]);
      assert.ok(Array.isArray(names) && names.length > 0);
      for (const n of names) assert.equal(typeof n, 'string');
      assert.ok(names.filter(Boolean).length > 0);
      assert.deepEqual(b.featureNames(t.netns, t.ifnames[1]), names);
      assert.equal(words(t.ifnames[0]), Math.ceil(names.length / 32));
    });

    it('getFeatures returns the word count and fills no more blocks than there is room for', () => {
      const n = words(t.ifnames[0]);
      assert.ok(Number.isInteger(n) && n > 0);
      const exact = read(t.ifnames[0]);
      const roomy = new Uint32Array(n * 4 + 4).fill(0xdeadbeef);
      assert.equal(b.getFeatures(t.netns, t.ifnames[0], roomy), n);
      assert.deepEqual(roomy.subarray(0, n * 4), exact);
      assert.deepEqual([...roomy.subarray(n * 4)], [0xdeadbeef, 0xdeadbeef, 0xdeadbeef, 0xdeadbeef]);
      const i = bitOf();
      const available = (exact[(i >>> 5) * 4] >>> (i & 31)) & 1;
      assert.equal(available, 1, `${t.feature} is changeable (hw_features)`);
    });

    it('setFeatures switches a feature, shows it in the next read, and returns the ioctl flags', () => {
      const i = bitOf();
      const [dev] = t.ifnames;
      const was = active(dev, i);
      assert.equal(b.setFeatures(t.netns, dev, ...request(dev, i, !was)), 0);
      assert.equal(active(dev, i), !was);
      assert.equal(b.setFeatures(t.netns, dev, ...request(dev, i, was)), 0);
      assert.equal(active(dev, i), was);
    });

    it('setFeatures with another word count than the kernel\'s is EINVAL from the ioctl', () => {
      const n = words(t.ifnames[0]);
      const wrong = new Uint32Array(n + 1);
      assert.throws(() => b.setFeatures(t.netns, t.ifnames[0], wrong, wrong), isErrno(EINVAL, 'ioctl', /ETHTOOL_SFEATURES/));
    });

    it('setFeaturesAsync copies the words before it returns: the caller may reuse its arrays at once', async () => {
      const i = bitOf();
      const [d0, d1] = t.ifnames;
      const was0 = active(d0, i);
      const was1 = active(d1, i);
      // One pair of arrays for both calls, as ts/device.ts reuses them: overwritten between them.
      const valid = new Uint32Array(words(d0));
      const requested = new Uint32Array(valid.length);
      const put = (on: boolean): void => {
        [valid[i >>> 5], requested[i >>> 5]] = request(d0, i, on).map((w) => w[i >>> 5]);
      };
      put(!was0);
      const first = b.setFeaturesAsync(t.netns, d0, valid, requested);
      put(was1); // for d1: no change at all
      const second = b.setFeaturesAsync(t.netns, d1, valid, requested);
      valid.fill(0);
      requested.fill(0);
      assert.deepEqual(await Promise.all([first, second]), [0, 0]);
      assert.equal(active(d0, i), !was0, 'the first call sent its own words');
      assert.equal(active(d1, i), was1, 'the second call sent its own words');
      await b.setFeaturesAsync(t.netns, d0, ...request(d0, i, was0));
      assert.equal(active(d0, i), was0);
    });

    it('a missing device is ENODEV from the ioctl, naming the command, for every call', async () => {
      const u32 = new Uint32Array(8);
      const one = new Uint32Array(words(t.ifnames[0]));
      assert.throws(() => b.getFeatures(t.netns, 'nosuch0', u32), isErrno(ENODEV, 'ioctl', /ETHTOOL_GFEATURES/));
      assert.throws(() => b.featureNames(t.netns, 'nosuch0'), isErrno(ENODEV, 'ioctl', /ETHTOOL_GSSET_INFO/));
      assert.throws(() => b.setFeatures(t.netns, 'nosuch0', one, one), isErrno(ENODEV, 'ioctl', /ETHTOOL_SFEATURES/));
      await assert.rejects(b.setFeaturesAsync(t.netns, 'nosuch0', one, one), isErrno(ENODEV, 'ioctl', /ETHTOOL_SFEATURES/));
      assert.throws(() => b.driverInfo(t.netns, 'nosuch0'), isErrno(ENODEV, 'ioctl', /ETHTOOL_GDRVINFO/));
    });

    it('driverInfo and listInterfaces: the documented fields and types', () => {
      const d = b.driverInfo(t.netns, t.ifnames[0]);
      assert.deepEqual(Object.keys(d).sort(), ['busInfo', 'driver', 'expansionRomVersion', 'firmwareVersion', 'version']);
      for (const v of Object.values(d)) assert.equal(typeof v, 'string');
      assert.ok(d.driver.length > 0);
      const links = b.listInterfaces(t.netns);
      for (const name of t.ifnames) assert.ok(links.some((l) => l.name === name), name);
      const indexes = new Set<number>();
      for (const l of links) {
        assert.deepEqual(Object.keys(l).sort(), ['address', 'index', 'kind', 'link', 'master', 'name', 'permAddress']);
        for (const k of ['index', 'master', 'link'] as const) assert.ok(Number.isInteger(l[k]) && l[k] >= 0, k);
        for (const k of ['name', 'kind', 'address', 'permAddress'] as const) assert.equal(typeof l[k], 'string', k);
        assert.ok(l.index > 0 && !indexes.has(l.index));
        indexes.add(l.index);
      }
      assert.deepEqual([...indexes], [...indexes].sort((x, y) => x - y), 'in ifindex order');
    });

    it('closeSockets at any time: calls in flight finish, later calls work', async () => {
      const i = bitOf();
      const [d0] = t.ifnames;
      const was = active(d0, i);
      const pending = b.setFeaturesAsync(t.netns, d0, ...request(d0, i, !was));
      b.closeSockets();
      assert.equal(await pending, 0);
      assert.equal(active(d0, i), !was);
      b.closeSockets();
      b.closeSockets();
      assert.equal(b.setFeatures(t.netns, d0, ...request(d0, i, was)), 0);
      assert.equal(active(d0, i), was);
    });
  });
}
