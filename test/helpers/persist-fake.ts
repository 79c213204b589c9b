// A fake device for persistence logic tests: the fake binding with link facts (kind, MACs).
import { KERNEL_FEATURE_NAMES } from '../../ts/catalogue';
import type { NativeLink } from '../../ts/binding';
import { FakeBinding } from './fake-binding';

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
