// Stand-ins for the doctor and guard logic tests: a fake kernel with links (bridges, bonds,
// ifindexes) and rx-checksum states, and a persistence that records what it was asked.
import type { NativeLink } from '../../ts/binding';
import type { FeatureChanges } from '../../ts/core';
import type { PersistOptions, PersistResult } from '../../ts/persist';
import type { PersistenceApi } from '../../ts/doctor/persistence';
import { FakeBinding } from './fake-binding';

export const NAMES = ['tx-scatter-gather', 'tx-checksum-ipv4', 'rx-checksum', 'rx-gro'];

export interface FakeLink {
  name: string;
  index: number;
  kind?: string;
  master?: string;
  /** The device a vlan/macvlan sits on (IFLA_LINK). */
  link?: string;
  /** rx-checksum: 'on', 'off', or not changeable (not in hw_features): 'fixed-on', 'fixed-off'. */
  rx?: 'on' | 'off' | 'fixed-on' | 'fixed-off';
  driver?: string;
}

export class DoctorFake extends FakeBinding {
  linkList: NativeLink[] = [];

  constructor(links: FakeLink[]) {
    super([...NAMES]);
    const rx = this.bitOf('rx-checksum');
    const other = this.bitOf('tx-scatter-gather') | this.bitOf('rx-gro');
    for (const l of links) {
      const state = l.rx ?? 'on';
      const hw = state === 'on' || state === 'off' ? other | rx : other;
      const on = state === 'on' || state === 'fixed-on' ? other | rx : other;
      this.devices.set(l.name, { hw, wanted: on, active: on, driver: l.driver ?? 'fakedrv' });
    }
    this.linkList = links.map((l) => ({
      index: l.index,
      name: l.name,
      kind: l.kind ?? '',
      master: l.master ? links.find((m) => m.name === l.master)!.index : 0,
      link: l.link ? links.find((m) => m.name === l.link)!.index : 0,
      address: '',
      permAddress: '',
    }));
  }

  rxOn(ifname: string): boolean {
    return (this.devices.get(ifname)!.active & this.bitOf('rx-checksum')) !== 0n;
  }

  /** Names SFEATURES was sent for. */
  setCalls(): string[] {
    return this.calls.filter((c) => c.fn === 'setFeatures').map((c) => c.args[1] as string);
  }

  override listInterfaces(): NativeLink[] {
    return this.linkList.map((l) => ({ ...l }));
  }
}

export interface PersistCall {
  ifname: string;
  changes: Record<string, boolean>;
  opts: PersistOptions;
}

export class FakePersistence implements PersistenceApi {
  calls: PersistCall[] = [];
  fail: Error | undefined;

  detectBackend(ifname: string): { backend: 'systemd-link'; reason: string } {
    return { backend: 'systemd-link', reason: `test detection for ${ifname}` };
  }

  async persist(ifname: string, given: FeatureChanges | ReadonlyMap<string, boolean>, opts: PersistOptions = {}): Promise<PersistResult> {
    const changes: Record<string, boolean> = given instanceof Map ? Object.fromEntries(given) : { ...given };
    this.calls.push({ ifname, changes, opts: { ...opts } });
    if (this.fail) throw this.fail;
    const first = this.calls.filter((c) => c.ifname === ifname && !c.opts.dryRun).length === 1;
    return {
      ifname,
      backend: 'systemd-link',
      reason: 'test',
      changed: first || opts.dryRun === true,
      dryRun: opts.dryRun === true,
      root: opts.root ?? '/',
      settings: { ...changes },
      files: [{ path: `/etc/systemd/network/10-nic-offload-${ifname}.link`, action: first ? 'created' : 'unchanged' }],
      notes: [],
    };
  }
}
