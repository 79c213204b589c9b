// Comparing our results with the real ethtool's, in ethtool's own terms.
import { legacyGroups } from '../../ts/core/legacy';
import type { AnyFeatures, Features } from '../../ts/core/snapshot';
import type { SetResult } from '../../ts/core/outcome';

export interface JsonFeature {
  active: boolean;
  fixed: boolean | null;
  requested: boolean | null;
}

/**
 * Our features in the shape of `ethtool --json -k`: a feature that is the only match of a legacy
 * flag is keyed by the flag's long name; flags with several members get a parent entry.
 */
export function asEthtoolJson(features: Features, names: readonly string[]): Record<string, JsonFeature> {
  const out: Record<string, JsonFeature> = {};
  const grouped = new Set<number>();
  for (const { flag, members } of legacyGroups(names)) {
    if (flag.short === 'ufo') continue; // netlink ethtool never prints UFO
    members.forEach((i) => grouped.add(i));
    if (members.length === 1) {
      const f = (features as AnyFeatures)[names[members[0]]]!;
      out[flag.long] = { active: f.active, fixed: f.fixed, requested: f.requested };
      continue;
    }
    out[flag.long] = { active: members.some((i) => (features as AnyFeatures)[names[i]]!.active), fixed: null, requested: null };
    for (const i of members) {
      const f = (features as AnyFeatures)[names[i]]!;
      out[names[i]] = { active: f.active, fixed: f.fixed, requested: f.requested };
    }
  }
  names.forEach((name, i) => {
    if (!name || grouped.has(i)) return;
    const f = (features as AnyFeatures)[name]!;
    out[name] = { active: f.active, fixed: f.fixed, requested: f.requested };
  });
  return out;
}

export interface SetReport {
  /** name -> "on" / "off [requested on]" / "on [not requested]", as in "Actual changes:". */
  lines: Record<string, string>;
  couldNotChange: boolean;
  status: number;
}

/** Parses `ethtool -K` output. */
export function parseEthtoolSet(stdout: string, stderr: string, status: number | null): SetReport {
  const lines: Record<string, string> = {};
  const body = stdout.split('\n').filter(Boolean);
  if (body.length) {
    if (body[0] !== 'Actual changes:') throw new Error(`unexpected ethtool -K output: ${stdout}`);
    for (const l of body.slice(1)) {
      const m = /^(\S+): (.*)$/.exec(l);
      if (!m) throw new Error(`unexpected ethtool -K line: ${l}`);
      lines[m[1]] = m[2];
    }
  }
  return { lines, couldNotChange: stderr.includes('Could not change any device features'), status: status ?? -1 };
}

/** Our SetResult in the same terms (the report netlink ethtool -K prints). */
export function reportOf(r: SetResult): SetReport {
  const lines: Record<string, string> = {};
  const onoff = (b: boolean) => (b ? 'on' : 'off');
  if (r.unmet.length || r.sideEffects.length) {
    for (const c of r.changes) lines[c.name] = c.requested ? onoff(c.after) : `${onoff(c.after)} [not requested]`;
    for (const u of r.unmet) lines[u.name] = `${onoff(u.actual)} [requested ${onoff(u.asked)}]`;
  }
  return { lines, couldNotChange: r.couldNotChange, status: r.couldNotChange ? 1 : 0 };
}

/** `ethtool -K` arguments as the changes object setFeatures takes (order kept). */
export function argsToChanges(args: string[]): Map<string, boolean> {
  const m = new Map<string, boolean>();
  for (let i = 0; i < args.length; i += 2) {
    m.delete(args[i]);
    m.set(args[i], args[i + 1] === 'on');
  }
  return m;
}
