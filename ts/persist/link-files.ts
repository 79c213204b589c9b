// systemd .link files as systemd-udevd's net_setup_link sees them: every directory's files
// sorted together by name (a name in /etc hides the same name in /run and /usr/lib), masks
// skipped, drop-ins merged, and the first file whose [Match] fits the device is the only one
// that applies.
import { globRegExp, listDir, readEntry } from './tree';
import { iniAll, IniLine, parseIni } from './ini';
import type { DeviceFacts } from './types';

/** In precedence order: a file name found earlier hides the same name later. */
const LINK_DIRS = ['/etc/systemd/network', '/run/systemd/network', '/usr/local/lib/systemd/network', '/usr/lib/systemd/network', '/lib/systemd/network'];

export interface LinkFile {
  name: string;
  path: string;
  /** The file plus its drop-ins, in order. */
  lines: IniLine[];
}

/** Every effective .link file under the root, sorted by name (masks and empty files left out). */
export function linkFiles(root: string): LinkFile[] {
  const seen = new Map<string, string>();
  for (const dir of LINK_DIRS) {
    for (const n of listDir(root, dir)) if (n.endsWith('.link') && !seen.has(n)) seen.set(n, `${dir}/${n}`);
  }
  const out: LinkFile[] = [];
  for (const name of [...seen.keys()].sort()) {
    const p = seen.get(name) as string;
    const e = readEntry(root, p);
    if (e.kind !== 'file' || e.data.length === 0) continue; // masked (/dev/null or empty)
    out.push({ name, path: p, lines: [...parseIni(e.data.toString('utf8')), ...dropIns(root, name)] });
  }
  return out;
}

function dropIns(root: string, name: string): IniLine[] {
  const confs = new Map<string, string>();
  for (const dir of LINK_DIRS) {
    for (const n of listDir(root, `${dir}/${name}.d`)) if (n.endsWith('.conf') && !confs.has(n)) confs.set(n, `${dir}/${name}.d/${n}`);
  }
  return [...confs.keys()].sort().flatMap((n) => {
    const e = readEntry(root, confs.get(n) as string);
    return e.kind === 'file' ? parseIni(e.data.toString('utf8')) : [];
  });
}

export type Tri = 'yes' | 'no' | 'maybe';

/** A whitespace-separated glob list, `!` in front inverting the whole list (systemd's net_match_config). */
function globList(values: string[], actual: string | null | undefined): Tri {
  const words = values.flatMap((v) => v.split(/\s+/)).filter(Boolean);
  if (!words.length) return 'yes';
  if (actual === undefined) return 'maybe';
  const invert = words[0].startsWith('!');
  const pats = invert ? [words[0].slice(1), ...words.slice(1)].filter(Boolean) : words;
  const hit = actual !== null && pats.some((p) => globRegExp(p).test(actual));
  return hit !== invert ? 'yes' : 'no';
}

function macList(values: string[], actual: string | undefined, present: boolean): Tri {
  const macs = values.flatMap((v) => v.split(/\s+/)).filter(Boolean).map((m) => m.toLowerCase());
  if (!macs.length) return 'yes';
  if (!present) return 'maybe';
  return actual && macs.includes(actual.toLowerCase()) ? 'yes' : 'no';
}

const KNOWN_MATCH = new Set(['OriginalName', 'MACAddress', 'PermanentMACAddress', 'Driver', 'Type', 'Kind', 'Path']);

/** Whether the file's [Match] fits the device: 'maybe' when it tests something unknown here. */
export function matches(file: LinkFile, dev: DeviceFacts): Tri {
  const m = (key: string): string[] => iniAll(file.lines, 'Match', key);
  const type = dev.present && (dev.kind === 'veth' || dev.kind === 'bridge' || dev.kind === 'bond') ? 'ether' : undefined;
  const results: Tri[] = [
    globList(m('OriginalName'), dev.ifname),
    macList(m('MACAddress'), dev.address, dev.present),
    macList(m('PermanentMACAddress'), dev.permAddress, dev.present),
    globList(m('Driver'), dev.present ? dev.driver ?? undefined : undefined),
    globList(m('Type'), type),
    globList(m('Kind'), dev.present ? dev.kind : undefined),
    globList(m('Path'), dev.idPath),
  ];
  const other = file.lines.some((l) => l.group === 'Match' && l.key !== undefined && !KNOWN_MATCH.has(l.key) && l.value !== '');
  if (results.includes('no')) return 'no';
  if (other || results.includes('maybe')) return 'maybe';
  return 'yes';
}
