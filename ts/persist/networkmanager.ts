// Backend: NetworkManager connection profiles. The `[ethtool]` group's `feature-<name>=true|false`
// keys of the profile(s) that activate on the device; NM applies them on activation. Only those
// keys change: every other line stays byte-identical (the file is edited as bytes, in its own line
// ending), owner, group and mode stay, and unpersist restores the file exactly.
// When no profile on disk binds the device (NM's in-memory "Wired connection 1"), the package
// writes its own profile, the one `nmcli connection modify` would save for it.
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { ErrorCode, NicOffloadError } from '../errors';
import { iniGet, IniLine, joinIni, parseIni } from './ini';
import { sha256 } from './managed';
import { conflicts } from './names';
import { keyFileLines, nmInstalled, nmRunning } from './probes';
import { listDir, readEntry } from './tree';
import type { Backend, Context, FileEdit, FileRecord, Rendered } from './types';

const PROFILE_DIR = '/etc/NetworkManager/system-connections';

/** NetworkManager's ethtool feature keys (1.42): legacy short names where ethtool has one, else kernel names. */
export const NM_FEATURES: ReadonlySet<string> = new Set([
  'esp-hw-offload', 'esp-tx-csum-hw-offload', 'fcoe-mtu', 'gro', 'gso', 'highdma', 'hw-tc-offload', 'l2-fwd-offload',
  'loopback', 'lro', 'macsec-hw-offload', 'ntuple', 'rx', 'rx-all', 'rx-fcs', 'rx-gro-hw', 'rx-gro-list',
  'rx-udp-gro-forwarding', 'rx-udp_tunnel-port-offload', 'rx-vlan-filter', 'rx-vlan-stag-filter', 'rx-vlan-stag-hw-parse',
  'rxhash', 'rxvlan', 'sg', 'tls-hw-record', 'tls-hw-rx-offload', 'tls-hw-tx-offload', 'tso', 'tx', 'tx-checksum-fcoe-crc',
  'tx-checksum-ip-generic', 'tx-checksum-ipv4', 'tx-checksum-ipv6', 'tx-checksum-sctp', 'tx-esp-segmentation',
  'tx-fcoe-segmentation', 'tx-gre-csum-segmentation', 'tx-gre-segmentation', 'tx-gso-list', 'tx-gso-partial',
  'tx-gso-robust', 'tx-ipxip4-segmentation', 'tx-ipxip6-segmentation', 'tx-nocache-copy', 'tx-scatter-gather',
  'tx-scatter-gather-fraglist', 'tx-sctp-segmentation', 'tx-tcp-ecn-segmentation', 'tx-tcp-mangleid-segmentation',
  'tx-tcp-segmentation', 'tx-tcp6-segmentation', 'tx-tunnel-remcsum-segmentation', 'tx-udp-segmentation',
  'tx-udp_tnl-csum-segmentation', 'tx-udp_tnl-segmentation', 'tx-vlan-stag-hw-insert', 'txvlan',
]);

/** Profiles on disk that activate on the device: bound by interface-name or MAC, else unbound ethernet ones. */
function owningProfiles(ctx: Context): string[] {
  const macs = [ctx.device.address, ctx.device.permAddress].filter(Boolean).map((m) => (m as string).toLowerCase());
  const bound: string[] = [];
  const unbound: string[] = [];
  for (const name of listDir(ctx.root, PROFILE_DIR)) {
    // NM ignores hidden files and backup or temporary names.
    if (name.startsWith('.') || /(~|\.bak|\.tmp|\.orig|\.rej|\.dpkg-\w+|\.rpm\w+)$/.test(name)) continue;
    const file = `${PROFILE_DIR}/${name}`;
    if (readEntry(ctx.root, file).kind !== 'file') continue;
    const ls = keyFileLines(ctx.root, file);
    const iface = iniGet(ls, 'connection', 'interface-name');
    const mac = ['ethernet', '802-3-ethernet', 'wifi', '802-11-wireless']
      .map((g) => iniGet(ls, g, 'mac-address'))
      .find(Boolean);
    if (iface === ctx.ifname || (mac && macs.includes(mac.toLowerCase()))) bound.push(file);
    else if (!iface && !mac && ['ethernet', '802-3-ethernet'].includes(iniGet(ls, 'connection', 'type') ?? '') && iniGet(ls, 'connection', 'autoconnect') !== 'false') {
      unbound.push(file);
    }
  }
  return bound.length ? bound : unbound;
}

function ownProfile(ifname: string): string {
  return `${PROFILE_DIR}/nic-offload-${ifname}.nmconnection`;
}

function stableUuid(ifname: string): string {
  const h = createHash('sha256').update(`nic-offload:${ifname}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The profile nmcli saves for an auto-default ethernet connection, as NM's keyfile writer lays it out. */
function newProfile(ifname: string): string {
  return [
    '[connection]', `id=nic-offload ${ifname}`, `uuid=${stableUuid(ifname)}`, 'type=ethernet', `interface-name=${ifname}`, '',
    '[ethernet]', '',
    '[ipv4]', 'method=auto', '',
    '[ipv6]', 'addr-gen-mode=default', 'method=auto', '',
    '[proxy]', '',
  ].join('\n');
}

const keyOf = (name: string): string => `feature-${name}`;

/**
 * `text` with the ethtool group holding exactly `want` on top of what it had (keys kept in NM's
 * sorted order). Profiles are handled as latin1 strings, one character per byte, so every line
 * it does not own stays byte-identical whatever its encoding. Lines it adds end the way the
 * file's first line does (CRLF files stay CRLF); an unterminated last line stays unterminated.
 */
function applyKeys(text: string, want: ReadonlyMap<string, string | null>): string {
  let ls = parseIni(text);
  const cr = /^[^\n]*\r\n/.test(text) ? '\r' : '';
  const last = text !== '' && !text.endsWith('\n') ? ls[ls.length - 1] : undefined;
  const has = ls.some((l) => l.header === 'ethtool');
  if (!has) {
    if (![...want.values()].some((v) => v !== null)) return text;
    // A new group goes where NM's writer puts it: groups sorted by name, [connection] first.
    const at = ls.findIndex((l) => l.header !== undefined && l.header !== 'connection' && l.header > 'ethtool');
    const group: IniLine[] = [{ text: `[ethtool]${cr}`, group: 'ethtool', header: 'ethtool' }, { text: cr, group: 'ethtool' }];
    if (at < 0) {
      if (ls.length && ls[ls.length - 1].text.trim() !== '') ls.push({ text: cr, group: ls[ls.length - 1].group });
      ls = [...ls, ...group];
    } else ls = [...ls.slice(0, at), ...group, ...ls.slice(at)];
  }
  for (const [key, value] of want) {
    const idx = ls.findIndex((l) => l.group === 'ethtool' && l.key === key);
    if (idx >= 0) {
      if (value === null) ls.splice(idx, 1);
      else if (ls[idx].value !== value) ls[idx] = { ...ls[idx], text: `${key}=${value}${ls[idx].text.endsWith('\r') ? '\r' : ''}`, value };
      continue;
    }
    if (value === null) continue;
    const start = ls.findIndex((l) => l.header === 'ethtool');
    let end = start + 1;
    while (end < ls.length && ls[end].header === undefined) end++;
    // After the last key that sorts before it; else right after the header.
    let pos = start + 1;
    for (let i = start + 1; i < end; i++) if (ls[i].key !== undefined && ls[i].key! < key) pos = i + 1;
    ls.splice(pos, 0, { text: `${key}=${value}${cr}`, group: 'ethtool', key, value });
  }
  // An [ethtool] group left with nothing in it (one this package added) goes away again.
  const s = ls.findIndex((l) => l.header === 'ethtool');
  if (s >= 0) {
    let e = s + 1;
    while (e < ls.length && ls[e].header === undefined) e++;
    if (ls.slice(s + 1, e).every((l) => l.text.trim() === '') && !has) ls.splice(s, e - s);
  }
  const out = joinIni(ls);
  return last && ls[ls.length - 1] === last ? out.slice(0, -1) : out;
}

/**
 * The file as it would be without this package's keys: the saved original when the file still
 * holds exactly what was last written, else the current text with our keys put back.
 */
function baseOf(current: string, prior: FileRecord | undefined): string {
  if (!prior) return current;
  if (prior.original !== undefined && prior.written === sha256(Buffer.from(current, 'latin1'))) return Buffer.from(prior.original, 'base64').toString('latin1');
  const undo = new Map<string, string | null>(Object.entries(prior.keys ?? {}));
  return applyKeys(current, undo);
}

function refuse(file: string, why: string, ifname: string): never {
  throw new NicOffloadError(`${file} ${why}; leaving it alone`, { code: ErrorCode.PERSIST_REFUSED, ifname });
}

export const networkmanager: Backend = {
  name: 'networkmanager',

  cannot(ctx, settings) {
    if (!nmInstalled(ctx.root)) return 'NetworkManager is not installed';
    const missing = settings.filter(([n]) => !NM_FEATURES.has(n)).map(([n]) => n);
    if (missing.length) return `NetworkManager has no ethtool.feature-* key for ${missing.join(', ')}`;
    const c = conflicts(settings);
    if (c) return `${c}; NetworkManager applies its feature keys in its own order`;
    return undefined;
  },

  render(ctx, settings, prior): Rendered {
    const priorFiles = new Map(prior.map((f) => [f.path, f]));
    const targets = new Set(settings.length ? owningProfiles(ctx).filter((f) => f !== ownProfile(ctx.ifname)) : []);
    const ownNeeded = settings.length > 0 && targets.size === 0;
    const edits: FileEdit[] = [];
    const files: FileRecord[] = [];
    const notes: string[] = [];
    const want = new Map(settings.map(([n, on]) => [keyOf(n), on ? 'true' : 'false'] as const));
    // Every profile this package touched before, plus today's owners.
    for (const file of new Set([...priorFiles.keys(), ...targets, ...(ownNeeded ? [ownProfile(ctx.ifname)] : [])])) {
      const entry = readEntry(ctx.root, file);
      if (entry.kind === 'masked' || entry.kind === 'other') refuse(file, 'is not a regular file', ctx.ifname);
      const rec = priorFiles.get(file);
      const owned = file === ownProfile(ctx.ifname);
      const before = entry.kind === 'file' ? entry.data : null;
      if (entry.kind === 'file' && entry.symlink) refuse(file, 'is a symbolic link', ctx.ifname);
      if (owned && before && !rec) refuse(file, 'exists and was not written by nic-offload', ctx.ifname);
      const keep = targets.has(file) || (owned && ownNeeded);
      if (owned) {
        const after = keep ? Buffer.from(applyKeys(newProfile(ctx.ifname), want)) : null;
        edits.push({ path: file, before, after, mode: 0o600 });
        if (after) {
          files.push({ path: file, owned: true });
          notes.push(`no profile on disk binds ${ctx.ifname}, so the settings live in nic-offload's own profile ${file} (DHCP, like NetworkManager's automatic "Wired connection")`);
        }
        continue;
      }
      if (!before) continue; // a profile that is gone: nothing to restore
      const base = baseOf(before.toString('latin1'), rec);
      // Keys this package owns now: what it asks for, plus keys from before that it still sets.
      const baseLines = parseIni(base);
      const originals: Record<string, string | null> = {};
      for (const k of want.keys()) originals[k] = iniGet(baseLines, 'ethtool', k) ?? null;
      const text = keep ? applyKeys(base, want) : base;
      const after = Buffer.from(text, 'latin1');
      edits.push({ path: file, before, after, mode: 0o600 });
      if (keep) {
        const original = rec?.original !== undefined && rec.written === sha256(before) ? rec.original : Buffer.from(base, 'latin1').toString('base64');
        files.push({ path: file, owned: false, original, written: sha256(after), keys: originals });
      }
    }
    if (settings.length) {
      notes.push('NetworkManager applies the ethtool keys when the profile activates (at boot, or "nmcli connection up PROFILE"); "nmcli device reapply" does not');
    }
    return { edits, files, notes };
  },

  notify(ctx, rendered) {
    if (!nmRunning(ctx.root)) return [];
    const args = nmcliReloadArgs(rendered);
    if (!args) return [];
    const what = `nmcli ${args.slice(0, 2).join(' ')}`;
    const r = spawnSync('nmcli', args, { encoding: 'utf8' });
    return [r.status === 0 ? `NetworkManager re-read the profile (${what})` : `${what} failed: ${(r.stderr || '').trim()}`];
  },
};

/**
 * How a running NetworkManager learns of the files just written: `connection load` for changed
 * profiles; `connection reload` (every file) when one was deleted, since load is for files that
 * exist. Undefined when nothing changed.
 */
export function nmcliReloadArgs(rendered: Pick<Rendered, 'edits'>): string[] | undefined {
  const changed = rendered.edits.filter((e) => (e.before === null || e.after === null ? e.before !== e.after : !e.before.equals(e.after)));
  if (!changed.length) return undefined;
  if (changed.some((e) => e.after === null)) return ['connection', 'reload'];
  return ['connection', 'load', ...changed.map((e) => e.path)];
}
