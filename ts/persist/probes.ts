// Read-only probes of the target system under the root: is NetworkManager installed, enabled,
// running, and does it manage the interface; is ifupdown (with the ethtool hook) there, and which
// files hold a stanza for it. Detection and the backends ask these; nothing here writes.
import * as path from 'path';
import { processAlive } from '../pid';
import { iniGet, IniLine, parseIni } from './ini';
import { exists, globFiles, globRegExp, isFile, listDir, readBytes, readEntry } from './tree';
import type { Context } from './types';

export const INTERFACES = '/etc/network/interfaces';
const HOOK = '/etc/network/if-up.d/ethtool';
const NM_CONF_FILES = ['/usr/lib/NetworkManager/conf.d/*.conf', '/etc/NetworkManager/NetworkManager.conf', '/etc/NetworkManager/conf.d/*.conf'];

/** The file the ifupdown backend owns for the interface. */
export function stanzaFile(ifname: string): string {
  return `/etc/network/interfaces.d/${ifname}`;
}

/** A key file's lines (NetworkManager's keyfile syntax), as latin1: one character per byte, whatever the encoding. */
export function keyFileLines(root: string, file: string): IniLine[] {
  return parseIni(readBytes(root, file)?.toString('latin1') ?? '');
}

// ---- NetworkManager

function confLines(root: string): IniLine[] {
  return NM_CONF_FILES.flatMap((p) => (p.includes('*') ? globFiles(root, p) : [p])).flatMap((f) => keyFileLines(root, f));
}

function listValues(v: string | undefined): string[] {
  return (v ?? '').split(/[,;]/).map((s) => s.trim()).filter(Boolean);
}

export function nmInstalled(root: string): boolean {
  return isFile(root, '/usr/sbin/NetworkManager') || isFile(root, '/sbin/NetworkManager');
}

/** Whether the daemon runs now (only asked of the running system, never of an image). */
export function nmRunning(root: string): boolean {
  if (root !== '/') return false;
  const pid = Number(readBytes(root, '/run/NetworkManager/NetworkManager.pid')?.toString().trim());
  return Number.isInteger(pid) && pid > 0 && processAlive(pid);
}

function nmEnabled(root: string): boolean {
  return listDir(root, '/etc/systemd/system')
    .filter((d) => d.endsWith('.wants'))
    .some((d) => exists(root, `/etc/systemd/system/${d}/NetworkManager.service`));
}

/** NM's unmanaged-devices spec entries that name this device (interface-name:, mac:, *). */
function unmanagedBySpec(spec: string[], ctx: Context): string | undefined {
  const macs = [ctx.device.address, ctx.device.permAddress].filter(Boolean).map((m) => (m as string).toLowerCase());
  for (const e of spec) {
    if (e === '*' || e === 'type:ethernet' || e === `interface-name:${ctx.ifname}` || e === `interface-name:=${ctx.ifname}`) return e;
    if (e.startsWith('mac:') && macs.includes(e.slice(4).toLowerCase())) return e;
  }
  return undefined;
}

/** Whether NetworkManager manages (or will manage at boot) the interface, read from the tree. */
export function nmManages(ctx: Context): { manages: boolean; reason: string } {
  const { root, ifname } = ctx;
  if (!nmInstalled(root)) return { manages: false, reason: 'NetworkManager is not installed' };
  const running = nmRunning(root);
  if (!running && !nmEnabled(root)) return { manages: false, reason: 'NetworkManager is installed but not enabled' };
  const conf = confLines(root);
  const plugins = listValues(iniGet(conf, 'main', 'plugins'));
  const spec = unmanagedBySpec(listValues(iniGet(conf, 'keyfile', 'unmanaged-devices')), ctx);
  if (spec) return { manages: false, reason: `NetworkManager's unmanaged-devices lists ${spec}` };
  if (plugins.includes('ifupdown') && iniGet(conf, 'ifupdown', 'managed') !== 'true') {
    const owners = ifupdownFacts(ctx).owners;
    if (owners.length) {
      return { manages: false, reason: `${ifname} has an iface stanza in ${owners[0]}, so NetworkManager's ifupdown plugin (managed=false) leaves it alone` };
    }
  }
  // 85-nm-unmanaged.rules: veth devices are unmanaged unless named eth[0-9]*.
  if ((ctx.device.kind === 'veth' || ctx.device.driver === 'veth') && !/^eth[0-9]/.test(ifname)) {
    return { manages: false, reason: 'NetworkManager leaves veth devices unmanaged (85-nm-unmanaged.rules)' };
  }
  return { manages: true, reason: `NetworkManager is ${running ? 'running' : 'enabled'} and nothing marks ${ifname} unmanaged` };
}

// ---- ifupdown

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
export function ifupdownUnavailable(f: IfupdownFacts): string | undefined {
  if (!f.installed) return 'ifupdown is not installed';
  if (f.ifupdown2) return "ifupdown2 is installed; it does not run Debian's ethtool hook (offload-* options) by default";
  if (!f.hook) return `${HOOK} is missing (install the ethtool package)`;
  return undefined;
}
