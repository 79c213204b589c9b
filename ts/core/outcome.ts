// What a change did: compared the way ethtool -K (netlink) reports it.
import { Ask, Plan } from './plan';
import { ACTIVE, AVAILABLE, bit, changeable, NEVER_CHANGED, REQUESTED, Snapshot } from './snapshot';

/** ioctl result bits of ETHTOOL_SFEATURES. */
export const ETHTOOL_F_UNSUPPORTED = 1;
export const ETHTOOL_F_WISH = 2;

export type UnmetReason =
  /** never-changeable (NETIF_F_NEVER_CHANGE): the kernel refuses to touch it */
  | 'fixed'
  /** not in the driver's changeable set (hw_features): ethtool shows it as [fixed] */
  | 'unsupported'
  /** changeable, but the kernel or driver kept it otherwise (a dependency, e.g. TSO needs SG) */
  | 'wish';

export interface AskedFeature {
  name: string;
  /** The value asked for, and the name it was asked by. */
  asked: boolean;
  via: string;
  before: boolean;
  after: boolean;
}

export interface FeatureChange {
  name: string;
  before: boolean;
  after: boolean;
  /** Whether the request covered this feature (false: a side effect of the kernel's rules). */
  requested: boolean;
}

export interface UnmetRequest {
  name: string;
  asked: boolean;
  actual: boolean;
  reason: UnmetReason;
}

export interface SetResult {
  ifname: string;
  /** The namespace as given ('' for the caller's own). */
  netns: string;
  dryRun: boolean;
  /** The device's state (active or requested bits) changed; in a dry run: would change. */
  changed: boolean;
  /** Whether an ETHTOOL_SFEATURES ioctl was sent (never when the request is already in effect). */
  sent: boolean;
  /** The ioctl's positive result: bit 0 ETHTOOL_F_UNSUPPORTED, bit 1 ETHTOOL_F_WISH (0 if not sent). */
  kernelFlags: number;
  /** Every kernel feature the request covered, in kernel order. */
  requested: AskedFeature[];
  /** Every feature whose active state changed, in kernel order (none in a dry run). */
  changes: FeatureChange[];
  /** Features that changed without being asked for (the kernel's dependency fixes). */
  sideEffects: FeatureChange[];
  /** Requested features that did not end up as asked (in a dry run: that cannot). */
  unmet: UnmetRequest[];
  /** Nothing asked for took effect: ethtool's "Could not change any device features". */
  couldNotChange: boolean;
}

function reasonFor(s: Snapshot, index: number): UnmetReason {
  if (bit(s, NEVER_CHANGED, index)) return 'fixed';
  if (!bit(s, AVAILABLE, index)) return 'unsupported';
  return 'wish';
}

function stateChanged(before: Snapshot, after: Snapshot): boolean {
  for (let w = 0; w < before.words; w++) {
    const o = w * 4;
    if (before.blocks[o + ACTIVE] !== after.blocks[o + ACTIVE]) return true;
    if (before.blocks[o + REQUESTED] !== after.blocks[o + REQUESTED]) return true;
  }
  return false;
}

/** The result of a change that was sent (or was not needed): `after` is the re-read state. */
export function outcome(
  ifname: string,
  netns: string,
  plan: Plan,
  before: Snapshot,
  after: Snapshot,
  sent: boolean,
  kernelFlags: number,
): SetResult {
  const covered = new Set(plan.asks.map((a) => a.index));
  const requested = plan.asks.map((a) => asked(a, before, after));
  const unmet = plan.asks
    .filter((a) => bit(after, ACTIVE, a.index) !== a.on)
    .map((a) => ({ name: a.name, asked: a.on, actual: !a.on, reason: reasonFor(after, a.index) }));
  const changes: FeatureChange[] = [];
  for (let w = 0; w < before.words; w++) {
    // only the bits whose active state differs, lowest first (kernel order)
    let diff = (before.blocks[w * 4 + ACTIVE] ^ after.blocks[w * 4 + ACTIVE]) >>> 0;
    while (diff) {
      const low = diff & -diff;
      const index = w * 32 + 31 - Math.clz32(low);
      diff = (diff ^ low) >>> 0;
      const name = before.names[index];
      if (!name) continue;
      const now = bit(after, ACTIVE, index);
      changes.push({ name, before: !now, after: now, requested: covered.has(index) });
    }
  }
  return {
    ifname,
    netns,
    dryRun: false,
    changed: stateChanged(before, after),
    sent,
    kernelFlags,
    requested,
    changes,
    sideEffects: changes.filter((c) => !c.requested),
    unmet,
    couldNotChange: unmet.length === plan.asks.length,
  };
}

/** The result of a dry run: what would be sent, and what cannot take effect. */
export function dryRunOutcome(ifname: string, netns: string, plan: Plan, before: Snapshot): SetResult {
  const unmet = plan.asks
    .filter((a) => bit(before, ACTIVE, a.index) !== a.on && reasonFor(before, a.index) !== 'wish')
    .map((a) => ({ name: a.name, asked: a.on, actual: !a.on, reason: reasonFor(before, a.index) }));
  return {
    ifname,
    netns,
    dryRun: true,
    changed: plan.needed,
    sent: false,
    kernelFlags: 0,
    // Predicted: changeable bits take the asked value (barring the kernel's dependency rules).
    requested: plan.asks.map((a) => ({ ...asked(a, before, before), after: changeable(before, a.index) ? a.on : bit(before, ACTIVE, a.index) })),
    changes: [],
    sideEffects: [],
    unmet,
    couldNotChange: unmet.length === plan.asks.length,
  };
}

function asked(a: Ask, before: Snapshot, after: Snapshot): AskedFeature {
  return { name: a.name, asked: a.on, via: a.via, before: bit(before, ACTIVE, a.index), after: bit(after, ACTIVE, a.index) };
}
