// The layout of `ethtool -k` (netlink flavour, ethtool >= 5.8): legacy groups first, in ethtool's
// flag order, then every other feature in kernel order. Text and JSON are both printed from it.
import { legacyGroups } from '../core';
import type { AnyFeatures } from '../core';

export interface LayoutLine {
  /** What ethtool prints: a kernel name, or a legacy long name (group heading or sole member). */
  name: string;
  /** A TAB for members of a legacy group with several features, else ''. */
  indent: string;
  active: boolean;
  /** null on a group heading: ethtool's JSON has `"fixed": null, "requested": null` there. */
  fixed: boolean | null;
  requested: boolean | null;
  /** The kernel features the line stands for (a heading: all its members). */
  members: string[];
}

function line(name: string, indent: string, kernelName: string, features: AnyFeatures): LayoutLine {
  const f = features[kernelName]!; // a name taken from the object itself
  return { name, indent, active: f.active, fixed: f.fixed, requested: f.requested, members: [kernelName] };
}

/**
 * `features` keyed by kernel name in kernel order (as getFeatures returns them). A flag whose
 * pattern matches exactly one feature prints that feature under the flag's long name; any other
 * count prints a heading whose value is the OR of its members (netlink ethtool; the ioctl path
 * asked the legacy ioctls instead), then the members indented by a TAB. UFO is never printed:
 * no kernel with the netlink interface has it.
 */
export function ethtoolLayout(features: AnyFeatures): LayoutLine[] {
  const names = Object.keys(features);
  const out: LayoutLine[] = [];
  const grouped = new Set<number>();
  for (const { flag, members } of legacyGroups(names)) {
    members.forEach((i) => grouped.add(i));
    if (flag.short === 'ufo') continue;
    if (members.length === 1) {
      out.push(line(flag.long, '', names[members[0]], features));
      continue;
    }
    const kernelNames = members.map((i) => names[i]);
    out.push({
      name: flag.long,
      indent: '',
      active: kernelNames.some((n) => features[n]!.active),
      fixed: null,
      requested: null,
      members: kernelNames,
    });
    for (const n of kernelNames) out.push(line(n, '\t', n, features));
  }
  names.forEach((name, i) => {
    if (!grouped.has(i)) out.push(line(name, '', name, features));
  });
  return out;
}

/**
 * Only what can be changed: fixed features go (the `ethtool -k | grep -v fixed` habit), and so
 * does a group heading none of whose members can be changed.
 */
export function changeableOnly(lines: readonly LayoutLine[], features: AnyFeatures): LayoutLine[] {
  return lines.filter((l) => (l.fixed === null ? l.members.some((n) => !features[n]!.fixed) : !l.fixed));
}
