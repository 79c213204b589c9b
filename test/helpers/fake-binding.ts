// A fake kernel behind the same typed interface as the native binding: feature words, holes,
// never-change bits, hw_features and one dependency rule (TSO needs SG), plus errno failures.
// It lets the logic tests cover cases a real device cannot be put in (3 feature words, holes).
import type { NativeBinding, NativeDriverInfo, NativeLink } from '../../ts/binding';

export interface FakeDevice {
  hw: bigint; // changeable bits
  wanted: bigint;
  active: bigint;
  driver?: string;
}

function errnoError(errno: number, syscall: string, command?: string): Error {
  return Object.assign(new Error(`${syscall} ${command ?? ''} failed`), { errno, syscall, command });
}

export const ENODEV = 19;
export const EPERM = 1;
export const EINVAL = 22;

export class FakeBinding implements NativeBinding {
  devices = new Map<string, FakeDevice>();
  neverChange = 0n;
  /** Calls seen, for asserting what was (not) sent. */
  calls: Array<{ fn: string; args: unknown[] }> = [];
  /** Set to an errno to make SFEATURES fail. */
  failSet = 0;
  /** Bit pairs [dependent, needed]: the dependent bit cannot be active without the needed one. */
  dependencies: Array<[number, number]> = [];

  constructor(public names: string[]) {}

  get words(): number {
    return Math.ceil(this.names.length / 32);
  }

  bitOf(name: string): bigint {
    const i = this.names.indexOf(name);
    if (i < 0) throw new Error(`fake has no feature ${name}`);
    return 1n << BigInt(i);
  }

  private dev(ifname: string, command: string): FakeDevice {
    const d = this.devices.get(ifname);
    if (!d) throw errnoError(ENODEV, 'ioctl', command);
    return d;
  }

  private fix(d: FakeDevice): void {
    let active = (d.active & ~d.hw) | (d.wanted & d.hw);
    for (const [dep, need] of this.dependencies) {
      if (!(active & (1n << BigInt(need)))) active &= ~(1n << BigInt(dep));
    }
    d.active = active;
  }

  featureNames(netns: string, ifname: string): string[] {
    this.calls.push({ fn: 'featureNames', args: [netns, ifname] });
    this.dev(ifname, 'ETHTOOL_GSSET_INFO');
    return [...this.names];
  }

  getFeatures(netns: string, ifname: string, blocks: Uint32Array): number {
    this.calls.push({ fn: 'getFeatures', args: [netns, ifname] });
    const d = this.dev(ifname, 'ETHTOOL_GFEATURES');
    const cap = Math.floor(blocks.length / 4);
    for (let w = 0; w < Math.min(cap, this.words); w++) {
      const word = (x: bigint) => Number((x >> BigInt(32 * w)) & 0xffffffffn);
      blocks[w * 4] = word(d.hw);
      blocks[w * 4 + 1] = word(d.wanted);
      blocks[w * 4 + 2] = word(d.active);
      blocks[w * 4 + 3] = word(this.neverChange);
    }
    return this.words;
  }

  setFeatures(netns: string, ifname: string, valid: Uint32Array, requested: Uint32Array): number {
    this.calls.push({ fn: 'setFeatures', args: [netns, ifname, [...valid], [...requested]] });
    const d = this.dev(ifname, 'ETHTOOL_SFEATURES');
    if (this.failSet) throw errnoError(this.failSet, 'ioctl', 'ETHTOOL_SFEATURES');
    if (valid.length !== this.words) throw errnoError(EINVAL, 'ioctl', 'ETHTOOL_SFEATURES');
    let v = 0n;
    let r = 0n;
    for (let w = 0; w < this.words; w++) {
      v |= BigInt(valid[w]) << BigInt(32 * w);
      r |= BigInt(requested[w]) << BigInt(32 * w);
    }
    if (v & this.neverChange) throw errnoError(EINVAL, 'ioctl', 'ETHTOOL_SFEATURES');
    let ret = 0;
    if (v & ~d.hw) {
      v &= d.hw;
      ret |= 1;
    }
    d.wanted = (d.wanted & ~v) | (r & v);
    this.fix(d);
    if ((d.wanted ^ d.active) & v) ret |= 2;
    return ret;
  }

  async setFeaturesAsync(netns: string, ifname: string, valid: Uint32Array, requested: Uint32Array): Promise<number> {
    // The binding contract: the words are copied before the call returns (as the addon does before
    // it queues the work), so the caller may reuse its arrays at once.
    const v = valid.slice();
    const r = requested.slice();
    await new Promise((resolve) => setImmediate(resolve));
    return this.setFeatures(netns, ifname, v, r);
  }

  driverInfo(netns: string, ifname: string): NativeDriverInfo {
    const d = this.dev(ifname, 'ETHTOOL_GDRVINFO');
    return { driver: d.driver ?? 'fake', version: '1', firmwareVersion: '', busInfo: '', expansionRomVersion: '' };
  }

  listInterfaces(): NativeLink[] {
    return [...this.devices.keys()].map((name, i) => ({ index: i + 1, name, master: 0, link: 0, kind: 'fake', address: '', permAddress: '' }));
  }

  closeSockets(): void {}
}

export interface FakeKernelSpec {
  /** Never-changeable features (NETIF_F_NEVER_CHANGE). */
  neverChange: string[];
  /** Changeable features (hw_features); all start on and wanted. */
  changeable: string[];
  /** Devices: name -> features that are also on although not changeable. */
  devices: Record<string, string[]>;
}

/** A fake kernel with devices in a typical state; TSO (both) needs scatter-gather, as netdev_fix_features does. */
export function fakeKernel(names: string[], spec: FakeKernelSpec): FakeBinding {
  const f = new FakeBinding(names);
  const all = (list: string[]) => list.reduce((m, n) => m | f.bitOf(n), 0n);
  f.neverChange = all(spec.neverChange);
  const hw = all(spec.changeable);
  for (const [dev, fixedOn] of Object.entries(spec.devices)) f.devices.set(dev, { hw, wanted: hw, active: hw | all(fixedOn) });
  f.dependencies = [[names.indexOf('tx-tcp-segmentation'), names.indexOf('tx-scatter-gather')], [names.indexOf('tx-tcp6-segmentation'), names.indexOf('tx-scatter-gather')]];
  return f;
}
