// `ethtool -k IFACE` as text, byte for byte.
import type { Features } from '../core';
import { changeableOnly, ethtoolLayout, LayoutLine } from './layout';

export interface FeaturesFormatOptions {
  /** Leave out what cannot be changed (see changeableOnly). */
  changeable?: boolean;
}

export function onOff(b: boolean): 'on' | 'off' {
  return b ? 'on' : 'off';
}

function suffix(l: LayoutLine): string {
  if (l.fixed === null) return '';
  if (l.fixed) return ' [fixed]';
  return l.requested !== l.active ? ` [requested ${onOff(l.requested === true)}]` : '';
}

/** The lines after the header, each ending in a newline. */
export function formatFeatureLines(features: Features, options: FeaturesFormatOptions = {}): string {
  let lines = ethtoolLayout(features);
  if (options.changeable) lines = changeableOnly(lines, features);
  return lines.map((l) => `${l.indent}${l.name}: ${onOff(l.active)}${suffix(l)}\n`).join('');
}

/** What `ethtool -k IFACE` prints for one interface. */
export function formatFeaturesText(ifname: string, features: Features, options: FeaturesFormatOptions = {}): string {
  return `Features for ${ifname}:\n${formatFeatureLines(features, options)}`;
}

/**
 * Several interfaces, separated as ethtool's dump (`ethtool -k '*'`) separates them: a blank
 * line before each.
 */
export function formatFeaturesTextList(
  list: ReadonlyArray<{ ifname: string; features: Features }>,
  options: FeaturesFormatOptions = {},
): string {
  return list.map(({ ifname, features }) => `\n${formatFeaturesText(ifname, features, options)}`).join('');
}
