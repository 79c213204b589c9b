// Link kinds (rtnetlink IFLA_INFO_KIND) that only carry what the devices below them received, so
// a "hw csum failure" reported on one of them is the fault of a NIC further down.

/** Kinds whose ports point at them with IFLA_MASTER. */
const PORT_KINDS = new Set(['bridge', 'bond', 'team']);
/** Kinds stacked on one lower device, their IFLA_LINK: frames reach them through it, with the
 *  checksum state that device's hardware gave them. */
const STACKED_KINDS = new Set(['vlan', 'macvlan', 'macvtap', 'ipvlan', 'ipvtap']);

export function isStacked(kind: string): boolean {
  return STACKED_KINDS.has(kind);
}

export function isUpperKind(kind: string): boolean {
  return PORT_KINDS.has(kind) || STACKED_KINDS.has(kind);
}
