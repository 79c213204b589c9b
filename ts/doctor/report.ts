// Turns the "hw csum failure" sightings into advice per interface: how often and when, which
// driver, whether rx-checksum is still on, the fix (rx off; tx is not implicated), where it would
// be persisted, and what the known bugs say about that driver on this kernel; with the stack's
// checksum error counters before and after the fix. A bridge, bond, VLAN or macvlan only carries
// the name: the fault is in the NIC below it.
import * as os from 'os';
import { getDriverInfo, getFeatures, listLinks, LinkInfo, setFeatures } from '../core';
import { ErrorCode, NicOffloadError } from '../errors';
import type { BackendName, PersistResult } from '../persist';
import type { SetResult } from '../core';
import type { LogTime } from './log-line';
import type { CsumFailure, ResolvedBy } from './parse';
import { isStacked, isUpperKind } from './kinds';
import { adviseKnownBugs, KnownBugAdvice } from './advice';
import { CsumErrorsReading, readCsumErrors, SnmpText } from './csum-counters';
import { defaultPersistence, PersistenceApi, RX_OFF } from './persistence';

/** Distinct interface names a tally keeps; further names are only counted. */
export const MAX_TALLY_NAMES = 256;

export interface Sighting extends LogTime {
  seq?: number;
  line?: number;
  /** The log the line came from. */
  source?: string;
}

export interface TallyEntry {
  /** The interface as resolved, or the placeholder the kernel printed. */
  name: string;
  printedName: string;
  resolvedBy: ResolvedBy;
  iif?: number;
  count: number;
  first: Sighting;
  last: Sighting;
  /** From the 5.16+ "DRIVER BUS-ID IFACE:" prefix. */
  driver?: string;
  busId?: string;
}

function sighting(ev: CsumFailure, source?: string): Sighting {
  const s: Sighting = {};
  for (const k of ['stamp', 'uptime', 'date', 'seq', 'line'] as const) {
    if (ev[k] !== undefined) (s as Record<string, unknown>)[k] = ev[k];
  }
  if (source !== undefined) s.source = source;
  return s;
}

/** Counts sightings per interface, in bounded memory. */
export class FailureTally {
  readonly entries = new Map<string, TallyEntry>();
  total = 0;
  /** Sightings of names beyond MAX_TALLY_NAMES. */
  overflow = 0;
  /** Log lines longer than the line limit, cut to it (see MAX_LINE_BYTES). */
  truncatedLines = 0;
  /** A 5.16+ netdev_err() headline was seen: that kernel prints the failure once per boot. */
  sawNetdevForm = false;

  add(ev: CsumFailure, source?: string): void {
    this.total++;
    if (ev.driver) this.sawNetdevForm = true;
    const key = ev.ifname ?? (ev.iif ? `${ev.printedName}#${ev.iif}` : ev.printedName);
    const s = sighting(ev, source);
    const e = this.entries.get(key);
    if (e) {
      e.count++;
      e.last = s;
      if (ev.driver) {
        e.driver = ev.driver;
        e.busId = ev.busId;
      }
      return;
    }
    if (this.entries.size >= MAX_TALLY_NAMES) {
      this.overflow++;
      return;
    }
    const entry: TallyEntry = { name: ev.ifname ?? ev.printedName, printedName: ev.printedName, resolvedBy: ev.resolvedBy, count: 1, first: s, last: s };
    if (ev.iif) entry.iif = ev.iif;
    if (ev.driver) {
      entry.driver = ev.driver;
      entry.busId = ev.busId;
    }
    this.entries.set(key, entry);
  }
}

// ---- the devices behind a name -----------------------------------------------------------------

/** The devices below an upper device: a bridge's, bond's or team's ports, the device a VLAN or
 *  macvlan sits on, recursively down to the NICs; [] if none is in this namespace. */
function lowerDevices(link: LinkInfo, links: readonly LinkInfo[]): LinkInfo[] {
  const out: LinkInfo[] = [];
  const seen = new Set<number>([link.index]);
  const walk = (l: LinkInfo): void => {
    const below = isStacked(l.kind) ? links.filter((d) => d.index === l.link) : links.filter((d) => d.master === l.index);
    for (const d of below) {
      if (seen.has(d.index)) continue;
      seen.add(d.index);
      if (isUpperKind(d.kind)) walk(d);
      else out.push(d);
    }
  };
  walk(link);
  return out;
}

/** Which devices a sighting of `name` implicates: the device itself, or those below an upper device. */
export function devicesFor(name: string, links: readonly LinkInfo[]): { link?: LinkInfo; targets: LinkInfo[] } {
  const link = links.find((l) => l.name === name);
  if (!link) return { targets: [] };
  if (!isUpperKind(link.kind)) return { link, targets: [link] };
  return { link, targets: lowerDevices(link, links) };
}

/** The name for a "<unknown>" sighting that only has the dump's iif=N. */
export function nameForIfindex(iif: number | undefined, links: readonly LinkInfo[]): string | undefined {
  return iif ? links.find((l) => l.index === iif)?.name : undefined;
}

// ---- the report --------------------------------------------------------------------------------

export type RxState = 'on' | 'off' | 'absent' | 'unknown';

export interface DeviceAdvice {
  ifname: string;
  driver?: string;
  busInfo?: string;
  /** rx-checksum now: on, off, absent (the device has no such feature), unknown (unreadable). */
  rxChecksum: RxState;
  /** rx-checksum cannot be changed on this device ([fixed]). */
  rxChecksumFixed: boolean;
  /** The recommended change: 'rx off', or null when there is nothing to change live. */
  fix: 'rx off' | null;
  /** The same as an ethtool command line. */
  command?: string;
  /** Where `--fix` would persist it, or why it cannot tell. */
  persist?: { backend: BackendName; reason: string } | { error: string; code?: string };
  /** What the known bugs say about this device's driver on the running kernel. */
  knownBugs?: KnownBugAdvice;
  /** Set by applyFix: what happened. */
  applied?: SetResult;
  persisted?: PersistResult;
  error?: { message: string; code?: string };
}

export interface Finding extends TallyEntry {
  /** The named device exists now (in the namespace looked at). */
  present: boolean;
  kind?: string;
  /** For a bridge or bond: its ports (the devices the fix is for). */
  lower?: string[];
  devices: DeviceAdvice[];
  /** For a device that is not here, from the driver its 5.16+ log prefix named. */
  knownBugs?: KnownBugAdvice;
}

export interface DoctorReport {
  /** The logs read ('/dev/kmsg' for the ring buffer). */
  sources: string[];
  total: number;
  /** Sightings of more distinct names than the report keeps. */
  overflow: number;
  /** Log lines longer than MAX_LINE_BYTES, cut to that length before they were read. */
  truncatedLines: number;
  /**
   * Every source read is one only the kernel writes: the ring buffer (/dev/kmsg records of
   * facility 0) or the system journal (journald's _TRANSPORT=kernel). A text log, stdin or a
   * journal file given by path is evidence anyone who could write it may have forged.
   */
  verified: boolean;
  /** The kernel prints this failure only once per boot: counts say nothing about the rate. */
  oncePerBoot: boolean;
  findings: Finding[];
  /** A failure was found. */
  found: boolean;
  /** Some implicated device still has rx-checksum on (changeable or not), or a fix failed. */
  needsFix: boolean;
  /** Some named device is not here (renamed, removed, in another namespace): nothing is known
   *  of its state, so the report cannot say the failure is handled. */
  absent: boolean;
  /** The running kernel's release (uname -r), which the known bugs are matched against. */
  kernel: string;
  /** The stack's checksum error counters (InCsumErrors) of the namespace the devices are in:
   *  when the report was made, and after --fix. */
  inCsumErrors: { before: CsumErrorsReading; after?: CsumErrorsReading };
}

export interface FixOptions {
  dryRun?: boolean;
  /** Act on a report whose sources are not verified (report.verified false): a text log, stdin,
   *  a journal file. Off by default. */
  trustLog?: boolean;
}

export interface ReportOptions {
  netns?: string;
  root?: string;
  backend?: BackendName | 'auto';
  /** Read links from here instead of the kernel (tests). */
  links?: readonly LinkInfo[];
  persistence?: PersistenceApi;
  /** The kernel release the known bugs are matched against; default the running one (uname -r). */
  kernelRelease?: string;
  /** Reads /proc/net/snmp and snmp6 of a namespace (tests). */
  snmpReader?: (netns?: string) => SnmpText;
}

function errInfo(e: unknown): { message: string; code?: string } {
  const err = e as { message?: string; code?: string };
  return { message: err?.message ?? String(e), code: err?.code };
}

function rxState(ifname: string, netns?: string): { rx: RxState; fixed: boolean } {
  try {
    const f = getFeatures(ifname, { netns })['rx-checksum'];
    if (!f) return { rx: 'absent', fixed: true };
    return { rx: f.active ? 'on' : 'off', fixed: f.fixed };
  } catch {
    return { rx: 'unknown', fixed: false };
  }
}

/** What to do about one device. `logDriver`: the driver the log's prefix named for it. */
function adviseDevice(ifname: string, release: string, opts: ReportOptions = {}, logDriver?: string): DeviceAdvice {
  const { rx, fixed } = rxState(ifname, opts.netns);
  const advice: DeviceAdvice = { ifname, rxChecksum: rx, rxChecksumFixed: fixed, fix: null };
  try {
    const info = getDriverInfo(ifname, { netns: opts.netns });
    advice.driver = info.driver;
    if (info.busInfo) advice.busInfo = info.busInfo;
  } catch {
    // Some virtual devices answer no ETHTOOL_GDRVINFO; the driver is only informative.
  }
  if (advice.driver) advice.knownBugs = adviseKnownBugs(advice.driver, 'ethtool', release);
  else if (logDriver) advice.knownBugs = adviseKnownBugs(logDriver, 'log', release);
  if (rx === 'on' && !fixed) {
    advice.fix = 'rx off';
    advice.command = `ethtool -K ${ifname} rx off`;
  }
  if ((rx === 'on' || rx === 'off') && !fixed) {
    try {
      if (opts.backend && opts.backend !== 'auto') advice.persist = { backend: opts.backend, reason: 'chosen with --backend' };
      else advice.persist = (opts.persistence ?? defaultPersistence()).detectBackend(ifname, { netns: opts.netns, root: opts.root });
    } catch (e) {
      advice.persist = { error: errInfo(e).message, code: errInfo(e).code };
    }
  }
  return advice;
}

/** rx-checksum still on (fixable or not), or the fix failed. */
function stillOn(d: DeviceAdvice): boolean {
  return d.rxChecksum === 'on' || d.error !== undefined;
}

/** Builds the report: the devices behind each sighted name as they are now. Reads only. */
export function buildReport(
  tally: FailureTally,
  sources: string[],
  opts: ReportOptions & { oncePerBoot?: boolean; verified?: boolean } = {},
): DoctorReport {
  // Only when there is something to look up; a wrong --netns is an error, not "not here".
  const links: readonly LinkInfo[] = tally.entries.size ? (opts.links ?? listLinks({ netns: opts.netns })) : [];
  const release = opts.kernelRelease ?? os.release();
  const findings: Finding[] = [];
  for (const entry of tally.entries.values()) {
    const finding: Finding = { ...entry, present: false, devices: [] };
    if (finding.resolvedBy === 'unresolved') {
      const byIndex = nameForIfindex(finding.iif, links);
      if (byIndex) {
        finding.name = byIndex;
        finding.resolvedBy = 'iif';
      }
    }
    const { link, targets } = devicesFor(finding.name, links);
    if (link) {
      finding.present = true;
      finding.kind = link.kind;
      if (isUpperKind(link.kind)) finding.lower = targets.map((t) => t.name);
      finding.devices = targets.map((t) => adviseDevice(t.name, release, opts, t.name === finding.name ? finding.driver : undefined));
    } else if (finding.driver) {
      finding.knownBugs = adviseKnownBugs(finding.driver, 'log', release);
    }
    findings.push(finding);
  }
  findings.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
  return {
    sources,
    total: tally.total,
    overflow: tally.overflow,
    truncatedLines: tally.truncatedLines,
    verified: opts.verified === true,
    oncePerBoot: opts.oncePerBoot === true || tally.sawNetdevForm,
    findings,
    found: tally.total > 0,
    needsFix: findings.some((f) => f.devices.some(stillOn)),
    absent: findings.some((f) => f.resolvedBy !== 'unresolved' && !f.present),
    kernel: release,
    inCsumErrors: { before: readCsumErrors(opts.netns, opts.snmpReader) },
  };
}

/**
 * `--fix`: turns rx-checksum off on every implicated device that has it and persists it
 * (also where it is already off live, so it stays off after a reboot). Updates the report.
 */
export async function applyFix(report: DoctorReport, opts: ReportOptions & FixOptions = {}): Promise<DoctorReport> {
  if (!report.verified && opts.trustLog !== true) {
    throw new NicOffloadError(
      `the report comes from ${report.sources.join(', ')}, which anyone who could write it may have forged; ` +
        'fix only on the kernel ring buffer or the system journal, or say trustLog (--trust-log) to act on it anyway',
      { code: ErrorCode.UNVERIFIED_LOG },
    );
  }
  const persistence = opts.persistence ?? defaultPersistence();
  // A device named twice (a bridge and "<unknown>" resolved to its port) is fixed once; its
  // other entries get the same outcome.
  const done = new Map<string, DeviceAdvice>();
  for (const finding of report.findings) {
    for (const d of finding.devices) {
      const first = done.get(d.ifname);
      if (first) {
        for (const k of ['rxChecksum', 'fix', 'command', 'applied', 'persisted', 'error'] as const) {
          if (first[k] === undefined) delete d[k];
          else (d as unknown as Record<string, unknown>)[k] = first[k];
        }
        continue;
      }
      if ((d.rxChecksum !== 'on' && d.rxChecksum !== 'off') || d.rxChecksumFixed) continue;
      done.set(d.ifname, d);
      try {
        if (d.rxChecksum === 'on') d.applied = await setFeatures(d.ifname, RX_OFF, { netns: opts.netns, dryRun: opts.dryRun });
        d.persisted = await persistence.persist(d.ifname, RX_OFF, {
          netns: opts.netns,
          root: opts.root,
          backend: opts.backend,
          apply: false,
          dryRun: opts.dryRun,
        });
      } catch (e) {
        d.error = errInfo(e);
      }
      if (!opts.dryRun) {
        d.rxChecksum = rxState(d.ifname, opts.netns).rx;
        if (d.rxChecksum === 'off') {
          d.fix = null;
          delete d.command;
        }
      }
    }
  }
  report.needsFix = report.findings.some((f) => f.devices.some(stillOn));
  if (!opts.dryRun) report.inCsumErrors.after = readCsumErrors(opts.netns, opts.snmpReader);
  return report;
}
