// The kernel-log doctor's API: scan text or a stream for "hw csum failure", diagnose the system's
// logs, fix, watch the live log, guard.
import * as os from 'os';
import { validateOptions } from '../validate';
import { argTypeError } from '../errors';
import type { KmsgRecord } from './kmsg';
import { readJournal } from './journal';
import { bootTimeMs, KMSG_PATH, LineStats, openLogFile, readLines, readRingBuffer } from './log-sources';
import { CsumFailure, CsumFailureDetector, LogLineParser } from './parse';
import { applyFix, buildReport, DoctorReport, FailureTally, FixOptions, ReportOptions } from './report';

export { matchHeadline } from './parse';
export type { CsumFailure, ResolvedBy } from './parse';
export type { LogLine, LogTime } from './log-line';
export { parseKmsgRecord } from './kmsg';
export type { KmsgRecord } from './kmsg';
export { FailureTally, applyFix, buildReport } from './report';
export type { DoctorReport, Finding, DeviceAdvice, TallyEntry, Sighting, RxState, ReportOptions, FixOptions } from './report';
export { KernelLogWatcher, watchKernelLog } from './watch';
export type { WatchOptions, LiveFailure, WatchStats, WatchMode } from './watch';
export { Guard, startGuard } from './guard';
export type { GuardOptions, GuardAction, GuardNotice } from './guard';
export { MAX_LINE_BYTES } from './log-sources';
export { parseJournalJson, readJournal } from './journal';
export { formatReport } from './format';
export { installGuard, uninstallGuard } from './install';
export { KNOWN_BUGS } from './known-bugs';
export type { KnownBug, KnownBugSource } from './known-bugs';
export type { KnownBugAdvice, KnownBugMatch, RuledOutBug } from './advice';
export type { KernelRange } from './kernel-release';
export { readCsumErrors } from './csum-counters';
export type { CsumErrorCounts, CsumErrorsReading } from './csum-counters';
export type { InstallOptions, InstallResult, UninstallResult } from './install';
export type { JournalReader } from './journal';

export interface ScanOptions {
  /** Fixes the year of syslog time stamps (which print none); default now. */
  now?: Date;
}

/** Every "hw csum failure" in a log text (dmesg, syslog, journalctl -k or /dev/kmsg records). */
export function scanText(text: string, options?: ScanOptions): CsumFailure[] {
  if (typeof text !== 'string') throw argTypeError('text must be a string');
  const opts = validateOptions<ScanOptions>(options);
  const parser = new LogLineParser(opts.now);
  const detector = new CsumFailureDetector();
  const out: CsumFailure[] = [];
  for (const raw of text.split('\n')) {
    const line = parser.parse(raw);
    if (line) out.push(...detector.feed(line));
  }
  out.push(...detector.end());
  return out;
}

export interface StreamScanOptions extends ScanOptions {
  /** Called for each failure as it is found. */
  onFailure?: (failure: CsumFailure) => void;
  /** Name of the source, kept with each sighting (default "-"). */
  source?: string;
  /** Add to this tally (to combine several logs). */
  tally?: FailureTally;
}

/** Scans a text stream line by line in bounded memory; resolves to the per-interface tally. */
export async function scanStream(stream: NodeJS.ReadableStream, options?: StreamScanOptions): Promise<FailureTally> {
  const opts = validateOptions<StreamScanOptions>(options);
  const source = opts.source ?? '-';
  const tally = opts.tally ?? new FailureTally();
  const parser = new LogLineParser(opts.now);
  const detector = new CsumFailureDetector();
  const take = (evs: CsumFailure[]): void => {
    for (const ev of evs) {
      tally.add(ev, source);
      opts.onFailure?.(ev);
    }
  };
  const lines: LineStats = { truncated: 0 };
  try {
    for await (const raw of readLines(stream, source, lines)) {
      const line = parser.parse(raw);
      if (line) take(detector.feed(line));
    }
  } finally {
    tally.truncatedLines += lines.truncated;
  }
  take(detector.end());
  return tally;
}

/**
 * Scans the kernel ring buffer now (/dev/kmsg, non-blocking; kernel-facility records only).
 * `kmsgPath` points elsewhere for tests.
 */
export function scanKernelLog(options?: { kmsgPath?: string; tally?: FailureTally; onFailure?: (f: CsumFailure) => void }): FailureTally {
  const opts = validateOptions<{ kmsgPath?: string; tally?: FailureTally; onFailure?: (f: CsumFailure) => void }>(options);
  const path = opts.kmsgPath ?? KMSG_PATH;
  const tally = opts.tally ?? new FailureTally();
  const detector = new CsumFailureDetector();
  const boot = bootTimeMs();
  const take = (evs: CsumFailure[]): void => {
    for (const ev of evs) {
      if (ev.uptime !== undefined) ev.date = new Date(boot + ev.uptime * 1000);
      tally.add(ev, path);
      opts.onFailure?.(ev);
    }
  };
  readRingBuffer((rec: KmsgRecord) => {
    if (rec.facility !== 0) return;
    take(detector.feed({ message: rec.message, kernel: true, uptime: rec.usec / 1e6, seq: rec.seq, record: true }));
  }, path);
  take(detector.end());
  return tally;
}

/** Whether the running kernel prints the failure only once per boot (5.14+, DO_ONCE_LITE). */
export function kernelPrintsOnce(release = os.release()): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 5 || (major === 5 && minor >= 14);
}

export interface DiagnoseOptions extends ReportOptions, ScanOptions {
  /** Saved logs to read ("-" is stdin, .gz is gunzipped). Default: the kernel ring buffer. */
  logs?: string[];
  /**
   * Also (or instead of the ring buffer) read the kernel's records of every boot from the systemd
   * journal through journalctl: true for the system journal, or a journal file or directory.
   */
  journal?: boolean | string;
  /** The kernel ring buffer device (tests). */
  kmsgPath?: string;
  stdin?: NodeJS.ReadableStream;
}

/** Reads the logs and reports per interface. Changes nothing. */
export async function diagnose(options?: DiagnoseOptions): Promise<DoctorReport> {
  const opts = validateOptions<DiagnoseOptions>(options);
  if (opts.logs !== undefined && (!Array.isArray(opts.logs) || opts.logs.some((l) => typeof l !== 'string'))) {
    throw argTypeError('options.logs must be an array of file names');
  }
  if (opts.journal !== undefined && typeof opts.journal !== 'boolean' && typeof opts.journal !== 'string') {
    throw argTypeError('options.journal must be a boolean or a journal file or directory');
  }
  const tally = new FailureTally();
  const sources: string[] = [];
  let ring = false;
  // Only what the kernel itself writes is verified: the ring buffer, the system journal.
  let verified = true;
  const journal = opts.journal === true || (typeof opts.journal === 'string' && opts.journal !== '');
  if ((opts.logs && opts.logs.length) || journal) {
    for (const file of opts.logs ?? []) {
      sources.push(file);
      verified = false;
      await scanStream(await openLogFile(file, opts.stdin), { tally, now: opts.now, source: file });
    }
    if (journal) {
      const file = typeof opts.journal === 'string' ? opts.journal : undefined;
      const label = file ?? 'journal';
      if (file !== undefined) verified = false;
      const reader = readJournal(file);
      sources.push(label);
      // Together: when journalctl cannot start, its output never ends, and the error must win.
      await Promise.all([scanStream(reader.stream, { tally, now: opts.now, source: label }), reader.done]);
    }
  } else {
    ring = true;
    sources.push(opts.kmsgPath ?? KMSG_PATH);
    scanKernelLog({ kmsgPath: opts.kmsgPath, tally });
  }
  return buildReport(tally, sources, { ...opts, oncePerBoot: ring && kernelPrintsOnce(), verified });
}

/** Applies and persists the fix the report recommends (see applyFix). */
export async function fix(report: DoctorReport, options?: ReportOptions & FixOptions): Promise<DoctorReport> {
  return applyFix(report, validateOptions<ReportOptions & FixOptions>(options));
}
