// Backend: Debian's ifupdown with the ethtool package's hook (/etc/network/if-up.d/ethtool),
// which turns every `offload-<name> on|off` option of an iface stanza into one
// `ethtool --offload IFACE <name> on|off ...` call when ifupdown brings the interface up.
// The package owns /etc/network/interfaces.d/IFACE: `allow-hotplug` (so the hotplug path runs it
// on re-plug too) and an `inet manual` stanza (ifupdown only brings the link up; whatever
// configures addresses keeps doing so).
import * as path from 'path';
import { ownedHeader, readOwned } from './managed';
import { conflicts } from './names';
import { nmManages } from './networkmanager';
import { exists, globFiles, globRegExp, readBytes, readEntry } from './tree';
import type { Backend, Context, FileEdit, Rendered, Setting } from './types';

export const INTERFACES = '/etc/network/interfaces';
export const HOOK = '/etc/network/if-up.d/ethtool';

export function stanzaFile(ifname: string): string {
  return `/etc/network/interfaces.d/${ifname}`;
}

export interface IfupdownFacts {
  installed: boolean;
  ifupdown2: boolean;
  hook: boolean;
  /** Files (other than ours) with an `iface IFACE` stanza. */
  owners: string[];
  /** Our file would be read (a `source`/`source-directory` line covers it). */
  sourced: boolean;
}

// run-parts(8) names, which is what `source-directory` reads.
const RUN_PARTS_NAME = /^[a-zA-Z0-9_-]+$/;

interface Include {
  kind: 'source' | 'source-directory';
  /** Absolute target: a file or glob (source), or a directory (source-directory). */
  target: string;
}

/** Every interfaces(5) file ifupdown reads (following source and source-directory), and the include lines. */
function interfaceFiles(root: string): { files: string[]; includes: Include[] } {
  const files: string[] = [];
  const includes: Include[] = [];
  const visit = (file: string, depth: number): void => {
    if (depth > 8 || files.includes(file)) return;
    const data = readBytes(root, file);
    if (!data) return;
    files.push(file);
    for (const raw of data.toString('utf8').split('\n')) {
      const m = /^\s*(source|source-directory)\s+(\S+)/.exec(raw);
      if (!m) continue;
      const inc: Include = { kind: m[1] as Include['kind'], target: path.posix.resolve(path.posix.dirname(file), m[2]) };
      includes.push(inc);
      const found =
        inc.kind === 'source'
          ? globFiles(root, inc.target)
          : globFiles(root, `${inc.target}/*`).filter((n) => RUN_PARTS_NAME.test(path.posix.basename(n)));
      for (const f of found) visit(f, depth + 1);
    }
  };
  visit(INTERFACES, 0);
  return { files, includes };
}

/** Whether an include line covers `file` (so ifupdown reads it once it exists). */
function covers(inc: Include, file: string): boolean {
  const dir = path.posix.dirname(file);
  const base = path.posix.basename(file);
  if (inc.kind === 'source-directory') return inc.target === dir && RUN_PARTS_NAME.test(base);
  return path.posix.dirname(inc.target) === dir && !base.startsWith('.') && globRegExp(path.posix.basename(inc.target)).test(base);
}

export function ifupdownFacts(ctx: Context): IfupdownFacts {
  const { root, ifname } = ctx;
  const ifup = ['/sbin/ifup', '/usr/sbin/ifup'].map((p) => readBytes(root, p)).find((b) => b !== null) ?? null;
  // ifupdown2's ifup is a Python script; ifupdown's is an ELF binary.
  const ifupdown2 = exists(root, '/etc/network/ifupdown2') || (ifup !== null && ifup.subarray(0, 2).toString() === '#!');
  const ours = stanzaFile(ifname);
  const owners: string[] = [];
  const stanza = new RegExp(`^\\s*iface\\s+${ifname.replace(/\./g, '\\.')}\\s`);
  const { files, includes } = interfaceFiles(root);
  for (const f of files) {
    if (f === ours) continue;
    const text = readBytes(root, f)?.toString('utf8') ?? '';
    if (text.split('\n').some((l) => stanza.test(l))) owners.push(f);
  }
  return { installed: ifup !== null, ifupdown2, hook: readEntry(root, HOOK).kind === 'file', owners, sourced: includes.some((inc) => covers(inc, ours)) };
}

/** Why ifupdown cannot run the hook for this interface; undefined when it can. */
function unavailable(f: IfupdownFacts): string | undefined {
  if (!f.installed) return 'ifupdown is not installed';
  if (f.ifupdown2) return "ifupdown2 is installed; it does not run Debian's ethtool hook (offload-* options) by default";
  if (!f.hook) return `${HOOK} is missing (install the ethtool package)`;
  return undefined;
}

function render(ctx: Context, settings: readonly Setting[]): Buffer {
  const { ifname } = ctx;
  const lines = [
    ownedHeader(ifname).trimEnd(),
    '# Offload settings, applied by the ethtool package hook (/etc/network/if-up.d/ethtool)',
    '# when ifupdown brings the interface up: at boot and, through allow-hotplug, on re-plug.',
    `allow-hotplug ${ifname}`,
    `iface ${ifname} inet manual`,
    ...settings.map(([n, on]) => `    offload-${n} ${on ? 'on' : 'off'}`),
  ];
  return Buffer.from(lines.join('\n') + '\n');
}

export const ifupdown: Backend = {
  name: 'ifupdown',

  cannot(ctx, settings) {
    const f = ifupdownFacts(ctx);
    const why = unavailable(f);
    if (why) return why;
    const nm = nmManages(ctx);
    if (nm.manages) return `NetworkManager manages ${ctx.ifname} (${nm.reason}); an iface stanza would make it unmanaged and cut the network`;
    if (!f.sourced) return `${INTERFACES} does not source ${stanzaFile(ctx.ifname)} (no "source /etc/network/interfaces.d/*" line)`;
    // The hook rebuilds each name from IF_OFFLOAD_<NAME>, turning every `_` into `-`.
    const underscored = settings.filter(([n]) => n.includes('_')).map(([n]) => n);
    if (underscored.length) return `the ethtool hook turns "_" into "-", so it cannot set ${underscored.join(', ')}`;
    const c = conflicts(settings);
    if (c) return `${c}; the ethtool hook applies its options in alphabetical order, not in the order given`;
    return undefined;
  },

  render(ctx, settings): Rendered {
    const file = stanzaFile(ctx.ifname);
    const before = readOwned(ctx.root, file, ctx.ifname, ' (add offload-* lines to its stanza by hand, or move it)');
    const after = settings.length ? render(ctx, settings) : null;
    const edit: FileEdit = { path: file, before, after, mode: 0o644 };
    return {
      edits: [edit],
      files: after ? [{ path: file, owned: true }] : [],
      notes: after
        ? [`ifupdown applies it when it brings ${ctx.ifname} up (at boot, and on re-plug through allow-hotplug)`]
        : [],
    };
  },
};

export { unavailable as ifupdownUnavailable };
