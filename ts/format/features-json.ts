// `ethtool --json -k IFACE`: an array with one object per interface, `ifname` first, then one
// `{active, fixed, requested}` per printed line (null fixed/requested on group headings).
import type { Features } from '../core';
import type { FeaturesFormatOptions } from './features-text';
import { changeableOnly, ethtoolLayout } from './layout';

export interface EthtoolJsonFeature {
  active: boolean;
  fixed: boolean | null;
  requested: boolean | null;
}

export type EthtoolJsonDevice = { ifname: string } & Record<string, EthtoolJsonFeature | string>;

/** One interface as `ethtool --json -k` describes it. */
export function featuresJsonObject(ifname: string, features: Features, options: FeaturesFormatOptions = {}): EthtoolJsonDevice {
  let lines = ethtoolLayout(features);
  if (options.changeable) lines = changeableOnly(lines, features);
  // fromEntries defines own properties: a kernel name "__proto__" stays a key, not the prototype.
  const entries = lines.map((l) => [l.name, { active: l.active, fixed: l.fixed, requested: l.requested }] as const);
  return Object.fromEntries([['ifname', ifname], ...entries]) as EthtoolJsonDevice;
}

/** What `ethtool --json -k` prints for these interfaces (parsed, the same value). */
export function formatFeaturesJson(
  list: ReadonlyArray<{ ifname: string; features: Features }>,
  options: FeaturesFormatOptions = {},
): string {
  return `${JSON.stringify(list.map(({ ifname, features }) => featuresJsonObject(ifname, features, options)), null, 4)}\n`;
}
