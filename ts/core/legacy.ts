// ethtool's legacy flag matching, against whatever names the running kernel reports.
import { LEGACY_FLAGS, LegacyFlag } from './catalogue';

/** ethtool's pattern match: a prefix, at most one `*` (may match nothing), then a suffix. */
export function patternMatches(pattern: string, name: string): boolean {
  const star = pattern.indexOf('*');
  if (star < 0) return pattern === name;
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  return name.length >= prefix.length + suffix.length && name.startsWith(prefix) && name.endsWith(suffix);
}

export interface LegacyGroup {
  flag: LegacyFlag;
  /** Kernel bit indices that belong to this flag (each feature to its first matching flag). */
  members: number[];
}

/** Groups kernel features by legacy flag, in ethtool's flag order. Empty names match nothing. */
export function legacyGroups(names: readonly string[]): LegacyGroup[] {
  const groups: LegacyGroup[] = LEGACY_FLAGS.map((flag) => ({ flag, members: [] }));
  names.forEach((name, index) => {
    if (!name) return;
    const g = groups.find((grp) => patternMatches(grp.flag.pattern, name));
    if (g) g.members.push(index);
  });
  return groups;
}

/** The legacy flag named by its short or long name, if any. */
export function findLegacyFlag(name: string): LegacyFlag | undefined {
  return LEGACY_FLAGS.find((f) => f.short === name || f.long === name);
}
