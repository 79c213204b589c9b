// A fake device for persistence logic tests: the fake binding with link facts (kind, MACs).
import assert from 'assert/strict';
import { KERNEL_FEATURE_NAMES } from '../../ts/core/catalogue';
import { NativeBinding, NativeLink, useBinding } from '../../ts/binding';
import { FakeBinding } from './fake-binding';
import { TempRoot } from './persist-roots';

export class PersistFake extends FakeBinding {
  links = new Map<string, Partial<NativeLink>>();

  constructor() {
    super([...KERNEL_FEATURE_NAMES]);
  }

  /** A device with every feature changeable and on. */
  addDevice(name: string, link: Partial<NativeLink> = {}): void {
    const all = (1n << BigInt(this.names.length)) - 1n;
    this.devices.set(name, { hw: all, wanted: all, active: all, driver: link.kind === 'veth' ? 'veth' : 'smsc95xx' });
    this.links.set(name, link);
  }

  active(ifname: string, feature: string): boolean {
    return (this.devices.get(ifname)!.active & this.bitOf(feature)) !== 0n;
  }

  override listInterfaces(): NativeLink[] {
    return [...this.devices.keys()].map((name, i) => ({ index: i + 1, name, master: 0, link: 0, kind: '', address: '', permAddress: '', ...this.links.get(name) }));
  }
}

/** The Raspberry Pi's MAC prefix: the fixtures' eth0. */
export const PI_MAC = 'b8:27:eb:01:02:03';

/**
 * Mocha hooks for a persistence test: before each test a PersistFake holding eth0 (PI_MAC) is the
 * binding and a fresh temp tree is the root; `use` receives both (and may add to the tree); after
 * each test the binding is restored and the tree removed.
 */
export function persistFixture(tag: string, use: (fake: PersistFake, root: TempRoot) => void): void {
  let prev: NativeBinding | undefined;
  let root: TempRoot | undefined;
  beforeEach(() => {
    const fake = new PersistFake();
    fake.addDevice('eth0', { address: PI_MAC, permAddress: PI_MAC });
    prev = useBinding(fake);
    root = new TempRoot(tag);
    use(fake, root);
  });
  afterEach(() => {
    useBinding(prev);
    root?.remove();
    const left = [...TempRoot.live];
    for (const r of left) r.remove();
    assert.deepEqual(left.map((r) => r.dir), [], 'the test left temp trees behind');
  });
}
