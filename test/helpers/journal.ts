// Real systemd journal files for the doctor's tests: entries are written in journald's export
// format and stored by systemd-journal-remote (Debian's systemd-journal-remote package), so that
// what the doctor then reads is what the real journalctl prints.
import { spawnSync } from 'child_process';
import * as path from 'path';

export const JOURNAL_REMOTE = '/lib/systemd/systemd-journal-remote';
export const BOOT_ID = '3f1c0d2e9b8a47c6a5d4e3f2a1b0c9d8';
/** When the fixtures' machine booted (the realtime stamps are this plus the uptime). */
export const BOOT_USEC = 1764000000000000n;

export type JournalEntry = Record<string, string | Buffer>;

/** One entry in the export format; values with control characters go as binary fields. */
function exportEntry(fields: JournalEntry): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    const data = Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8');
    if (data.some((b) => b < 32 && b !== 9)) {
      const size = Buffer.alloc(8);
      size.writeBigUInt64LE(BigInt(data.length));
      parts.push(Buffer.from(`${k}\n`), size, data, Buffer.from('\n'));
    } else {
      parts.push(Buffer.from(`${k}=`), data, Buffer.from('\n'));
    }
  }
  parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

/** Stores `entries` in a new journal file at `file` (its name must end in .journal). */
export function writeJournal(file: string, entries: JournalEntry[]): void {
  if (!file.endsWith('.journal')) throw new Error(`${file}: systemd-journal-remote wants a .journal name`);
  const r = spawnSync(JOURNAL_REMOTE, [`--output=${file}`, '-'], { input: Buffer.concat(entries.map(exportEntry)), encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`systemd-journal-remote failed (${r.status}): ${r.stderr}`);
}

/** What journald stores for a /dev/kmsg record "<N>[uptime] message" (journald-kmsg.c). */
export function kernelEntry(prio: number, usec: bigint, message: string | Buffer): JournalEntry {
  const facility = prio >> 3;
  const e: JournalEntry = {
    __REALTIME_TIMESTAMP: String(BOOT_USEC + usec),
    __MONOTONIC_TIMESTAMP: String(usec + 2000n),
    _BOOT_ID: BOOT_ID,
    _SOURCE_MONOTONIC_TIMESTAMP: String(usec),
    _TRANSPORT: 'kernel',
    PRIORITY: String(prio & 7),
    SYSLOG_FACILITY: String(facility),
    MESSAGE: message,
  };
  if (facility === 0) e.SYSLOG_IDENTIFIER = 'kernel';
  return e;
}

/**
 * The entries journald would have made of a raw fixture ("<N>[uptime] message" lines, as the
 * syslog(2) interface prints records: each line of a multi-line record with the record's prefix).
 * Consecutive lines with the same prefix are one record, stored as one entry with '\n' inside.
 */
export function entriesFromRaw(text: string): JournalEntry[] {
  const out: JournalEntry[] = [];
  let last: { prefix: string; entry: JournalEntry } | undefined;
  for (const line of text.split('\n')) {
    const m = /^<(\d+)>\[\s*(\d+)\.(\d{6})\] (.*)$/.exec(line);
    if (!m) continue;
    const prefix = `${m[1]} ${m[2]}.${m[3]}`;
    if (last?.prefix === prefix) {
      last.entry.MESSAGE = `${last.entry.MESSAGE}\n${m[4]}`;
      continue;
    }
    const entry = kernelEntry(Number(m[1]), BigInt(m[2]) * 1000000n + BigInt(m[3]), m[4]);
    out.push(entry);
    last = { prefix, entry };
  }
  return out;
}

/** What `journalctl --file FILE -o FORMAT` prints, as the doctor would ask for it. */
export function journalctl(file: string, output = 'json'): string {
  const r = spawnSync('journalctl', [`--file=${path.resolve(file)}`, `--output=${output}`, '--no-pager', '--quiet'], { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`journalctl failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
