// Typed feature names: a convenience for editors. The kernel stays the truth: every call reads
// the names of the running kernel (ETHTOOL_GSTRINGS) and accepts any name it reports, listed
// here or not. Bit positions are deliberately absent: they are not ABI and have moved.

/** Kernel feature names known today (Linux 6.18), plus names older kernels still report. */
export const KERNEL_FEATURE_NAMES = [
  'tx-scatter-gather', 'tx-checksum-ipv4', 'tx-checksum-ip-generic', 'tx-checksum-ipv6', 'highdma',
  'tx-scatter-gather-fraglist', 'tx-vlan-hw-insert', 'rx-vlan-hw-parse', 'rx-vlan-filter', 'vlan-challenged',
  'tx-generic-segmentation', 'tx-lockless', 'netns-local', 'rx-gro', 'rx-lro', 'tx-tcp-segmentation',
  'tx-gso-robust', 'tx-tcp-ecn-segmentation', 'tx-tcp-mangleid-segmentation', 'tx-tcp6-segmentation',
  'tx-fcoe-segmentation', 'tx-gre-segmentation', 'tx-gre-csum-segmentation', 'tx-ipxip4-segmentation',
  'tx-ipxip6-segmentation', 'tx-udp_tnl-segmentation', 'tx-udp_tnl-csum-segmentation', 'tx-gso-partial',
  'tx-tunnel-remcsum-segmentation', 'tx-sctp-segmentation', 'tx-esp-segmentation', 'tx-udp-fragmentation',
  'tx-udp-segmentation', 'tx-gso-list', 'tx-tcp-accecn-segmentation', 'tx-checksum-fcoe-crc',
  'tx-checksum-sctp', 'fcoe-mtu', 'rx-ntuple-filter', 'rx-hashing', 'rx-checksum', 'tx-nocache-copy',
  'loopback', 'rx-fcs', 'rx-all', 'tx-vlan-stag-hw-insert', 'rx-vlan-stag-hw-parse', 'rx-vlan-stag-filter',
  'l2-fwd-offload', 'hw-tc-offload', 'esp-hw-offload', 'esp-tx-csum-hw-offload', 'rx-udp_tunnel-port-offload',
  'tls-hw-tx-offload', 'tls-hw-rx-offload', 'rx-gro-hw', 'tls-hw-record', 'rx-gro-list', 'macsec-hw-offload',
  'rx-udp-gro-forwarding', 'hsr-tag-ins-offload', 'hsr-tag-rm-offload', 'hsr-fwd-offload', 'hsr-dup-offload',
] as const;

export type KernelFeatureName = (typeof KERNEL_FEATURE_NAMES)[number];

/**
 * ethtool's legacy flags (`off_flag_def[]` in ethtool's common.c), in ethtool's order. `pattern`
 * has at most one `*`, which may match an empty string. Each kernel feature belongs to the
 * first flag whose pattern matches it.
 */
export const LEGACY_FLAGS = [
  { short: 'rx', long: 'rx-checksumming', pattern: 'rx-checksum' },
  { short: 'tx', long: 'tx-checksumming', pattern: 'tx-checksum-*' },
  { short: 'sg', long: 'scatter-gather', pattern: 'tx-scatter-gather*' },
  { short: 'tso', long: 'tcp-segmentation-offload', pattern: 'tx-tcp*-segmentation' },
  { short: 'ufo', long: 'udp-fragmentation-offload', pattern: 'tx-udp-fragmentation' },
  { short: 'gso', long: 'generic-segmentation-offload', pattern: 'tx-generic-segmentation' },
  { short: 'gro', long: 'generic-receive-offload', pattern: 'rx-gro' },
  { short: 'lro', long: 'large-receive-offload', pattern: 'rx-lro' },
  { short: 'rxvlan', long: 'rx-vlan-offload', pattern: 'rx-vlan-hw-parse' },
  { short: 'txvlan', long: 'tx-vlan-offload', pattern: 'tx-vlan-hw-insert' },
  { short: 'ntuple', long: 'ntuple-filters', pattern: 'rx-ntuple-filter' },
  { short: 'rxhash', long: 'receive-hashing', pattern: 'rx-hashing' },
] as const;

export type LegacyFlag = (typeof LEGACY_FLAGS)[number];
export type LegacyShortName = LegacyFlag['short'];
export type LegacyLongName = LegacyFlag['long'];

/**
 * The names the typings know: kernel names of today's kernels and ethtool's legacy short and long
 * names. In a `changes` object literal they complete in editors and a misspelt one is a compile
 * error. A name they do not know (a newer kernel's) goes in a `Map<string, boolean>`, which every
 * call also takes; the running kernel decides at run time either way (ERR_UNKNOWN_FEATURE).
 */
export type FeatureName = KernelFeatureName | LegacyShortName | LegacyLongName;

/** What setFeatures / persist take as an object: known names to on (true) or off (false). */
export type FeatureChanges = { readonly [K in FeatureName]?: boolean };

function constantKey(name: string): string {
  return name
    .split(/[-_]/)
    .map((p) => (/^\d/.test(p) ? p : p.charAt(0).toUpperCase() + p.slice(1)))
    .join('');
}

type Underscored<S extends string> = S extends `${infer H}_${infer T}` ? `${Capitalize<H>}${Underscored<T>}` : Capitalize<S>;
type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${Underscored<H>}${Camel<T>}` : Underscored<S>;

/** `Feature.RxChecksum === 'rx-checksum'`, `Feature.Tso === 'tso'`, … */
export const Feature = Object.freeze(
  Object.fromEntries(
    [...KERNEL_FEATURE_NAMES, ...LEGACY_FLAGS.map((f) => f.short), ...LEGACY_FLAGS.map((f) => f.long)].map((n) => [
      constantKey(n),
      n,
    ]),
  ),
) as {
  readonly [N in KernelFeatureName | LegacyShortName | LegacyLongName as Camel<N>]: N;
};
