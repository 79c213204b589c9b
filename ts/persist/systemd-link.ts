// Backend: a systemd .link file of the package's own, applied by systemd-udevd's net_setup_link
// builtin whenever the device is added (boot, re-plug), under any network manager. Only the
// first matching .link file applies, so ours must sort before the one that applies today and
// carry over its [Link] settings (NamePolicy=, Name=, MACAddressPolicy=, …), or the interface
// would be renamed or get another MAC address.
import { spawnSync } from 'child_process';
import { ErrorCode, NicOffloadError } from '../errors';
import { LinkFile, linkFiles, matches } from './link-files';
import { isOwned, ownedHeader, readOwned } from './managed';
import { expand } from './names';
import { globFiles, readBytes } from './tree';
import type { Backend, Context, FileEdit, Rendered, Setting } from './types';

const DIR = '/etc/systemd/network';

/** [Link] offload keys (systemd.link(5)), the kernel features each sets, and the udev version that added it. */
const KEYS: ReadonlyArray<{ key: string; features: string[]; since: number }> = [
  { key: 'ReceiveChecksumOffload', features: ['rx-checksum'], since: 245 },
  // systemd sets every tx-checksum-* feature for this key, exactly ethtool's `tx`.
  { key: 'TransmitChecksumOffload', features: ['tx'], since: 245 },
  { key: 'TCPSegmentationOffload', features: ['tx-tcp-segmentation'], since: 232 },
  { key: 'TCP6SegmentationOffload', features: ['tx-tcp6-segmentation'], since: 235 },
  { key: 'GenericSegmentationOffload', features: ['tx-generic-segmentation'], since: 232 },
  { key: 'GenericReceiveOffload', features: ['rx-gro'], since: 232 },
  { key: 'GenericReceiveOffloadHardware', features: ['rx-gro-hw'], since: 250 },
  { key: 'LargeReceiveOffload', features: ['rx-lro'], since: 232 },
  { key: 'ReceiveVLANCTAGHardwareAcceleration', features: ['rx-vlan-hw-parse'], since: 250 },
  { key: 'TransmitVLANCTAGHardwareAcceleration', features: ['tx-vlan-hw-insert'], since: 250 },
  { key: 'ReceiveVLANCTAGFilter', features: ['rx-vlan-filter'], since: 250 },
  { key: 'TransmitVLANSTAGHardwareAcceleration', features: ['tx-vlan-stag-hw-insert'], since: 250 },
  { key: 'NTupleFilter', features: ['rx-ntuple-filter'], since: 250 },
];

/** The .link keys for a canonical setting name: `tso` is both TCP keys; undefined when none fits. */
function linkKeysFor(name: string): Array<{ key: string; since: number }> | undefined {
  if (name === 'tx') return KEYS.filter((k) => k.key === 'TransmitChecksumOffload');
  // tso also covers tx-tcp-ecn/-mangleid/-accecn-segmentation; the kernel drops those when
  // tx-tcp-segmentation goes off (netdev_fix_features), so the two TCP keys express it.
  if (name === 'tso') return KEYS.filter((k) => k.key === 'TCPSegmentationOffload' || k.key === 'TCP6SegmentationOffload');
  const kernel = expand(name);
  if (kernel.length !== 1) return undefined;
  const k = KEYS.find((e) => e.features[0] === kernel[0]);
  return k ? [k] : undefined;
}

/** systemd-udevd's version: `udevadm --version` on the running system, else read from the tree. */
function udevVersion(root: string): number | undefined {
  if (root === '/') {
    const r = spawnSync('udevadm', ['--version'], { encoding: 'utf8' });
    const v = parseInt(r.stdout ?? '', 10);
    if (r.status === 0 && v > 0) return v;
  }
  const status = readBytes(root, '/var/lib/dpkg/status')?.toString('utf8') ?? '';
  for (const pkg of ['udev', 'systemd']) {
    const m = new RegExp(`^Package: ${pkg}\\n(?:[^\\n]+\\n)*?Status: install ok installed\\n(?:[^\\n]+\\n)*?Version: (?:\\d+:)?(\\d+)`, 'm').exec(status);
    if (m) return Number(m[1]);
  }
  // libsystemd-shared-NNN.so carries the version in its name.
  const dirs = ['/usr/lib/systemd', '/lib/systemd', ...globFiles(root, '/usr/lib/*').map((d) => `${d}/systemd`)];
  for (const dir of dirs) {
    const m = globFiles(root, `${dir}/libsystemd-shared-*.so`).map((f) => /libsystemd-shared-(\d+)\.so$/.exec(f)).find(Boolean);
    if (m) return Number(m[1]);
  }
  return undefined;
}

function ownName(prefix: string, ifname: string): string {
  return `${prefix}-nic-offload-${ifname}.link`;
}

interface Placement {
  /** Our file's name. */
  name: string;
  /** The .link file that applies to the device today (without ours). */
  displaced?: LinkFile;
}

const PREFIXES = ['10', '05', '00'];

/** Where our file goes: before every file that applies (or may apply) to the device today. */
function place(ctx: Context): Placement | string {
  const ours = (f: LinkFile): boolean =>
    f.path === `${DIR}/${f.name}` && PREFIXES.some((p) => f.name === ownName(p, ctx.ifname)) && isOwned(readBytes(ctx.root, f.path));
  const all = linkFiles(ctx.root).filter((f) => !ours(f));
  const candidates = all.map((f) => ({ f, m: matches(f, ctx.device) })).filter((c) => c.m !== 'no');
  const first = candidates[0];
  if (first && first.m === 'maybe') {
    return `${first.f.path} may apply to ${ctx.ifname} (its [Match] tests something that cannot be checked here), so its naming settings cannot be carried over safely`;
  }
  const taken = new Set(all.map((f) => f.name));
  const name = PREFIXES.map((p) => ownName(p, ctx.ifname)).find((n) => !taken.has(n) && (!first || n < first.f.name));
  if (!name) return `no file name sorts before ${first?.f.path}, the .link file that applies to ${ctx.ifname} today`;
  return { name, displaced: first?.f };
}

function matchLines(ctx: Context): string[] {
  const perm = ctx.device.permAddress;
  if (perm && !/^(00:){5}00$/.test(perm)) return [`PermanentMACAddress=${perm.toLowerCase()}`];
  return [`OriginalName=${ctx.ifname}`];
}

function render(ctx: Context, settings: readonly Setting[], displaced: LinkFile | undefined): Buffer {
  const values = new Map<string, boolean>();
  for (const [n, on] of settings) for (const k of linkKeysFor(n) ?? []) values.set(k.key, on);
  // Carry over what the displaced file sets in [Link] (its naming and MAC policy above all).
  const carried = (displaced?.lines ?? []).filter((l) => l.group === 'Link' && l.key !== undefined && !values.has(l.key));
  const out = [
    ownedHeader(ctx.ifname).trimEnd(),
    '# Offload settings applied by systemd-udevd when the device is added (boot, re-plug).',
    ...(displaced ? [`# [Link] settings below the offload keys are carried over from ${displaced.path}.`] : []),
    '[Match]',
    ...matchLines(ctx),
    '',
    '[Link]',
    ...[...values].map(([k, on]) => `${k}=${on ? 'yes' : 'no'}`),
    ...carried.map((l) => `${l.key}=${l.value}`),
  ];
  return Buffer.from(out.join('\n') + '\n');
}

export const systemdLink: Backend = {
  name: 'systemd-link',

  cannot(ctx, settings) {
    const v = udevVersion(ctx.root);
    if (v === undefined) return 'systemd-udevd is not installed (no udev version found)';
    const none = settings.filter(([n]) => !linkKeysFor(n)).map(([n]) => n);
    if (none.length) return `.link files have no key for ${none.join(', ')}`;
    const old = settings.flatMap(([n]) => (linkKeysFor(n) ?? []).filter((k) => k.since > v).map((k) => `${k.key}= (needs ${k.since})`));
    if (old.length) return `udev ${v} is too old for ${old.join(', ')}`;
    const p = place(ctx);
    return typeof p === 'string' ? p : undefined;
  },

  render(ctx, settings, prior): Rendered {
    const edits: FileEdit[] = [];
    const p = settings.length ? place(ctx) : undefined;
    if (typeof p === 'string') throw new NicOffloadError(`cannot persist ${ctx.ifname} in a .link file: ${p}`, { code: ErrorCode.PERSIST_UNSUPPORTED, ifname: ctx.ifname });
    const target = p ? `${DIR}/${p.name}` : undefined;
    for (const path of new Set([...prior.map((f) => f.path), ...(target ? [target] : [])])) {
      const before = readOwned(ctx.root, path, ctx.ifname);
      edits.push({ path, before, after: path === target && p ? render(ctx, settings, p.displaced) : null, mode: 0o644 });
    }
    const notes: string[] = [];
    if (p) {
      notes.push(`systemd-udevd applies it when ${ctx.ifname} is added (boot, re-plug); "udevadm trigger --action=add /sys/class/net/${ctx.ifname}" applies it now`);
      if (p.displaced) notes.push(`it takes the place of ${p.displaced.path} for ${ctx.ifname}; that file's [Link] settings were copied into it`);
    }
    return { edits, files: target ? [{ path: target, owned: true }] : [], notes };
  },
};
