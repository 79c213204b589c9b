// `ethtool -K IFACE NAME on|off ...` arguments as the changes setFeatures takes.

/**
 * netlink ethtool sends every mention as its own bit, and the kernel's ethnl_parse_bitset() only
 * ever sets value bits: a feature mentioned several times (by name or through a legacy alias such
 * as tso) ends up on if ANY mention says on — `tso on tx-tcp6-segmentation off` leaves
 * tx-tcp6-segmentation on, and so does `rx off rx on rx off` for rx. setFeatures lets a later
 * mention override an earlier one, so the "off" mentions go first and the "on" ones last.
 */
export function changesFromEthtoolArgs(pairs: ReadonlyArray<readonly [string, boolean]>): Map<string, boolean> {
  const on = new Set(pairs.filter(([, v]) => v).map(([n]) => n));
  const changes = new Map<string, boolean>();
  for (const [name] of pairs) if (!on.has(name)) changes.set(name, false);
  for (const [name] of pairs) if (on.has(name)) changes.set(name, true);
  return changes;
}
