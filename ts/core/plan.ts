// From "what the user named" to one ETHTOOL_SFEATURES request, the way ethtool -K does it.
import { LEGACY_FLAGS } from './catalogue';
import { ErrorCode, NicOffloadError } from '../errors';
import { patternMatches } from './legacy';
import { ACTIVE, bit, changeable, REQUESTED, Snapshot } from './snapshot';
import { closestNames } from './suggest';

export interface Ask {
  /** Kernel bit index. */
  index: number;
  name: string;
  on: boolean;
  /** The name the caller used (a kernel name or a legacy alias). */
  via: string;
}

export interface Plan {
  /** Every kernel feature the request covers, in kernel order (last mention wins). */
  asks: readonly Ask[];
  /** The SFEATURES words: only changeable bits (available and not never-changed). */
  valid: Uint32Array;
  requested: Uint32Array;
  /** Whether the request would change the device (so an ioctl has to be sent). */
  needed: boolean;
}

/**
 * Expands names to kernel bits like ethtool's netlink -K: a legacy name (short or long) covers
 * every feature its pattern matches, fixed ones included (they then show as not taking effect);
 * any other name must be a kernel name. Later mentions override earlier ones (netlink ethtool
 * instead turns a bit on if any mention says on; see cli/ethtool-args.ts). Unknown names
 * throw before anything is sent, listing the closest real names.
 */
export function resolveAsks(changes: ReadonlyArray<[string, boolean]>, names: readonly string[], ifname?: string): Ask[] {
  const lookup = lookupFor(names);
  const byIndex = new Map<number, Ask>();
  const unknown: string[] = [];
  for (const [via, on] of changes) {
    const indices = lookup.get(via);
    if (!indices) {
      unknown.push(via);
      continue;
    }
    for (const index of indices) {
      byIndex.delete(index); // re-insert: the last mention decides
      byIndex.set(index, { index, name: names[index], on, via });
    }
  }
  if (unknown.length) throw unknownFeatureError(unknown, names, ifname);
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}

// Every accepted name -> the kernel bits it covers, built once per names table (the kernel's
// table is read once and kept, so this runs once per process).
const lookups = new WeakMap<readonly string[], Map<string, readonly number[]>>();

function lookupFor(names: readonly string[]): Map<string, readonly number[]> {
  let lookup = lookups.get(names);
  if (!lookup) {
    lookup = new Map();
    for (let i = 0; i < names.length; i++) if (names[i]) lookup.set(names[i], [i]);
    for (const flag of LEGACY_FLAGS) {
      const members: number[] = [];
      for (let i = 0; i < names.length; i++) if (names[i] && patternMatches(flag.pattern, names[i])) members.push(i);
      // a legacy name wins over a kernel feature of the same name, as in ethtool
      lookup.set(flag.short, members);
      lookup.set(flag.long, members);
    }
    lookups.set(names, lookup);
  }
  return lookup;
}

export function unknownFeatureError(unknown: string[], names: readonly string[], ifname?: string): NicOffloadError {
  const all = [...names.filter(Boolean), ...LEGACY_FLAGS.map((f) => f.short), ...LEGACY_FLAGS.map((f) => f.long)];
  const suggestions = [...new Set(unknown.flatMap((u) => closestNames(u, all)))];
  const list = unknown.map((u) => JSON.stringify(u)).join(', ');
  const hint = suggestions.length ? `; did you mean ${suggestions.join(', ')}?` : '; "nic-offload show" lists the names.';
  return new NicOffloadError(`unknown feature name${unknown.length > 1 ? 's' : ''} ${list}${hint} Nothing was changed.`, {
    code: ErrorCode.UNKNOWN_FEATURE,
    ifname,
    unknown,
    suggestions,
  });
}

/** The SFEATURES request for `asks` on a device in state `before`. */
export function planChange(asks: readonly Ask[], before: Snapshot): Plan {
  const valid = new Uint32Array(before.words);
  const requested = new Uint32Array(before.words);
  let needed = false;
  for (const a of asks) {
    // Never send bits the kernel cannot change: never-changed bits make SFEATURES fail with
    // EINVAL, and unavailable ones are masked away (ETHTOOL_F_UNSUPPORTED) anyway.
    if (!changeable(before, a.index)) continue;
    const w = a.index >>> 5;
    const m = 1 << (a.index & 31);
    valid[w] |= m;
    if (a.on) requested[w] |= m;
    if (bit(before, ACTIVE, a.index) !== a.on || bit(before, REQUESTED, a.index) !== a.on) needed = true;
  }
  return { asks, valid, requested, needed };
}
