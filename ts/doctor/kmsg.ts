// /dev/kmsg records (Documentation/ABI/testing/dev-kmsg):
//   "<prio>,<seq>,<usec>,<flags>[,more fields];<message>\n" then optional " KEY=value\n" lines.
// prio = facility << 3 | level. The kernel's own printk records have facility 0; a line written
// into /dev/kmsg from user space gets facility LOG_USER (1) unless its "<N>" prefix names another
// non-zero facility: devkmsg_write() never lets user space produce facility 0.
// Bytes below ' ', from 127 up, and '\' itself are escaped as \xNN, so a record's message never
// holds a raw newline: a multi-line printk shows "\x0a" between its lines.

const KERNEL_FACILITY = 0;
/** Longest record the kernel hands out (CONSOLE_EXT_LOG_MAX is 8192); anything longer is not kmsg. */
export const MAX_RECORD_BYTES = 16384;
/** Dictionary keys kept per record (SUBSYSTEM, DEVICE and a few spare). */
const MAX_DICT_KEYS = 8;

export interface KmsgRecord {
  /** The raw prefix number: facility << 3 | level. */
  priority: number;
  facility: number;
  /** Syslog level: 0 emerg … 3 err … 7 debug. */
  level: number;
  seq: number;
  /** Microseconds since boot (CLOCK_MONOTONIC at printk time). */
  usec: number;
  /** '-' normally, 'c' / '+' / '*' for continuation fragments. */
  flags: string;
  /** The message with \xNN escapes decoded (multi-line printks contain '\n'). */
  message: string;
  /** SUBSYSTEM=, DEVICE= … from the continuation lines. */
  dict: Record<string, string>;
}

const HEADER = /^(\d{1,10}),(\d{1,20}),(\d{1,20}),([^;,]*)[^;]*;/;

/** Decodes the kernel's \xNN escapes (bytes, so escaped UTF-8 sequences come back whole). */
export function unescapeKmsg(text: string): string {
  if (!text.includes('\\x')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c && text[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      bytes.push(parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      bytes.push(...Buffer.from(text[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * Parses one record: its header line and any " KEY=value" lines after it. Returns undefined for
 * text that is not a kmsg record.
 */
export function parseKmsgRecord(text: string): KmsgRecord | undefined {
  const nl = text.indexOf('\n');
  const head = nl < 0 ? text : text.slice(0, nl);
  const m = HEADER.exec(head);
  if (!m) return undefined;
  const priority = Number(m[1]);
  const rec: KmsgRecord = {
    priority,
    facility: priority >>> 3,
    level: priority & 7,
    seq: Number(m[2]),
    usec: Number(m[3]),
    flags: m[4],
    message: unescapeKmsg(head.slice(m[0].length)),
    dict: {},
  };
  if (nl >= 0) {
    for (const line of text.slice(nl + 1).split('\n')) addDictLine(rec, line);
  }
  return rec;
}

function addDictLine(rec: KmsgRecord, line: string): void {
  if (!line.startsWith(' ')) return;
  const eq = line.indexOf('=');
  if (eq < 2) return;
  const key = line.slice(1, eq);
  if (!(key in rec.dict) && Object.keys(rec.dict).length >= MAX_DICT_KEYS) return;
  rec.dict[key] = unescapeKmsg(line.slice(eq + 1));
}

/** A record made by the kernel itself, as opposed to a line user space wrote into /dev/kmsg. */
export function isKernelRecord(rec: KmsgRecord): boolean {
  return rec.facility === KERNEL_FACILITY;
}

/**
 * Splits a byte stream of records (a FIFO or a file holding a copy of /dev/kmsg) back into
 * records. Reading the real /dev/kmsg gives one record per read(); a stream does not keep those
 * boundaries, so a record ends where the next header starts or when flush() is called. Memory
 * is bounded: an over-long line is dropped up to its newline.
 */
export class KmsgFramer {
  private partial = '';
  private dropping = false;
  private current: KmsgRecord | undefined;

  constructor(private readonly maxLine = MAX_RECORD_BYTES) {}

  /** Feeds text; returns the records completed by it. */
  push(chunk: string): KmsgRecord[] {
    const out: KmsgRecord[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl < 0) break;
      const piece = chunk.slice(start, nl);
      start = nl + 1;
      if (this.dropping) {
        this.dropping = false;
        this.partial = '';
        continue;
      }
      const line = this.partial + piece;
      this.partial = '';
      if (line.length > this.maxLine) continue;
      this.line(line, out);
    }
    const rest = chunk.slice(start);
    if (!this.dropping) {
      if (this.partial.length + rest.length > this.maxLine) {
        this.dropping = true;
        this.partial = '';
      } else {
        this.partial += rest;
      }
    }
    return out;
  }

  /** Ends the current record (the writer paused); a partial line stays for the next push. */
  flush(): KmsgRecord[] {
    const rec = this.current;
    this.current = undefined;
    return rec ? [rec] : [];
  }

  private line(line: string, out: KmsgRecord[]): void {
    if (line.startsWith(' ')) {
      if (this.current) addDictLine(this.current, line);
      return;
    }
    if (this.current) out.push(this.current);
    this.current = parseKmsgRecord(line);
  }
}
