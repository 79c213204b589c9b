// The systemd journal as a kernel log: `journalctl -o json` lines, and a journalctl child that
// prints every boot's kernel records. Unlike saved text logs, the journal keeps who wrote a line:
// journald stores what it reads from /dev/kmsg with the trusted field _TRANSPORT=kernel and the
// record's SYSLOG_FACILITY, so a line sent with logger(1) (_TRANSPORT=syslog, whatever tag it
// claims) or written into /dev/kmsg from user space (facility 1) never counts.
import { spawn } from 'child_process';
import * as fs from 'fs';
import { ErrorCode, NicOffloadError } from '../errors';
import type { LogLine } from './log-line';

type JournalValue = string | number[] | Array<string | number[]> | null;

/** A field's value as text: journalctl prints binary values as byte arrays, and a field that
 *  occurs several times in one entry as an array of values (the first is taken). */
function text(v: JournalValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (!Array.isArray(v) || v.length === 0) return undefined;
  if (v.every((b) => typeof b === 'number')) return Buffer.from(v as number[]).toString('utf8');
  return text(v[0] as JournalValue);
}

/** A microsecond time stamp field, if it holds a number. */
function usec(v: JournalValue | undefined): number | undefined {
  const t = text(v);
  const n = t === undefined || t === '' ? NaN : Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * One line of `journalctl -o json` (or `-o json-seq`, which starts it with RS): the entry's
 * message, whether the kernel wrote it, and its times (_SOURCE_MONOTONIC_TIMESTAMP is the
 * printk stamp, __REALTIME_TIMESTAMP when journald stored it). Undefined if it is not an entry.
 */
export function parseJournalJson(line: string, lineNo?: number): LogLine | undefined {
  const body = line.startsWith('\x1e') ? line.slice(1) : line;
  if (!body.startsWith('{')) return undefined;
  let entry: Record<string, JournalValue>;
  try {
    const parsed: unknown = JSON.parse(body);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    entry = parsed as Record<string, JournalValue>;
  } catch {
    return undefined;
  }
  const message = text(entry.MESSAGE);
  if (message === undefined) return undefined;
  const transport = text(entry._TRANSPORT);
  const facility = text(entry.SYSLOG_FACILITY);
  // Without _TRANSPORT (journalctl --output-fields left it out) only the tag is left to go by.
  const fromKernel = transport !== undefined ? transport === 'kernel' : text(entry.SYSLOG_IDENTIFIER) === 'kernel';
  const out: LogLine = { message, kernel: fromKernel && (facility === undefined || facility === '0'), line: lineNo, record: true };
  const mono = usec(entry._SOURCE_MONOTONIC_TIMESTAMP);
  if (mono !== undefined) out.uptime = mono / 1e6;
  const real = usec(entry.__REALTIME_TIMESTAMP);
  if (real !== undefined) out.date = new Date(real / 1000);
  return out;
}

/** What `journalctl` is asked for: every boot's kernel records, as JSON, from the system journal
 *  or from `source` (a journal file or a directory of them, e.g. a copied /var/log/journal). */
export function journalctlArgs(source?: string): string[] {
  const args = ['--no-pager', '--quiet', '--output=json'];
  if (source !== undefined) {
    let dir: boolean;
    try {
      dir = fs.statSync(source).isDirectory();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
      throw new NicOffloadError(`cannot read journal ${source}${code === 'ENOENT' ? ': no such file or directory' : ` (${code})`}`, { code });
    }
    args.push(dir ? `--directory=${source}` : `--file=${source}`);
  }
  args.push('_TRANSPORT=kernel');
  return args;
}

export interface JournalReader {
  /** journalctl's standard output, JSON lines. */
  stream: NodeJS.ReadableStream;
  /** Resolves when journalctl has exited well; rejects with ENOENT (no journalctl) or ERR_JOURNAL.
   *  Await it together with reading the stream: if journalctl never started, the stream never ends. */
  done: Promise<void>;
}

/** Starts `journalctl` (found on PATH) printing the kernel's records. */
export function readJournal(source?: string, journalctl = 'journalctl'): JournalReader {
  const args = journalctlArgs(source);
  const child = spawn(journalctl, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) => {
      child.stdout.destroy();
      reject(
        e.code === 'ENOENT'
          ? new NicOffloadError('cannot read the journal: journalctl is not installed here (no systemd journal); read a saved log with --log FILE', { code: 'ENOENT', syscall: 'spawn' })
          : new NicOffloadError(`cannot run journalctl: ${e.message}`, { code: e.code ?? ErrorCode.JOURNAL }),
      );
    });
    child.on('close', (status, signal) => {
      if (status === 0) return resolve();
      const why = stderr.trim().split('\n')[0] || (signal ? `killed by ${signal}` : `exit status ${status}`);
      reject(new NicOffloadError(`journalctl failed: ${why}`, { code: ErrorCode.JOURNAL }));
    });
  });
  return { stream: child.stdout, done };
}
