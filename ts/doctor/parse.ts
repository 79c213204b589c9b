// Finds the kernel's "hw csum failure" reports (net/core/dev.c, netdev_rx_csum_fault) in log text.
// What the kernel printed over the years:
//   <= 4.19    pr_err("%s: hw csum failure\n", dev ? dev->name : "<unknown>") + dump_stack(),
//              rate-limited by net_ratelimit()
//   4.20-5.3   the same, then "dev features: %pNF" (only when dev is set) and "skb len=%u data_len=…"
//   5.4+       the same headline, then skb_dump(): "skb len=… headroom=…" (one multi-line printk:
//              mac=, shinfo(, csum(, hash(… iif=N)), "dev name=%s feat=%pNF" for skb->dev, hex lines
//   5.14+      DO_ONCE_LITE: printed once per boot, system-wide
//   5.16+      netdev_err(dev, "hw csum failure\n"): "DRIVER BUS-ID IFACE: …" when the device has a
//              parent, "IFACE: …" when not (bridges, bonds), "(NULL net_device): …" for no device
// Callers such as skb_copy_and_csum_datagram_msg() pass dev == NULL, so the headline says
// "<unknown>" while the dump's "dev name=" line (from skb->dev) names the receiving device.
import { isKernelRecord, parseKmsgRecord } from './kmsg';
import { parseJournalJson } from './journal';
import type { LogLine, LogTime } from './log-line';
import { CJK_MONTH_LINE, readStamp } from './log-time';

/**
 * The headline, on the first line of a record's text (never on a later line: a record's later
 * lines can hold text user space chose, such as a program's file name in a segfault report).
 * Groups 1 and 2 are driver and bus id (5.16+), group 3 the name. Only tried on lines of at most
 * MAX_HEADLINE characters, so it runs in constant time whatever the input.
 */
export const HEADLINE =
  /^(?:(\S{1,64}) (\S{1,128}) )??(<unknown>|<NULL>|\(NULL net_device\)|\(unnamed net_device\)|[^\s:()<>]{1,128})(?: \([a-z]{1,16}\))?: hw csum failure\.?\s{0,4}$/;
/** Longer than any headline the kernel prints (driver, bus id, a 128-byte altname, the text). */
const MAX_HEADLINE = 400;
const DEV_NAME = /^dev name=(\S{1,128}) feat=/;
const IIF = /^hash\([^)]{0,80}\).{0,80}\biif=(\d{1,10})/;
/** The later lines of skb_dump's first record ("skb len=..."), when a text log prints each line
 *  of a record as a line of its own (the syslog(2) interface, rsyslog's imklog, dmesg -S). */
const SKB_LINE = /^(mac=\(|shinfo\(|csum\(|hash\(|priority=|encapsulation=|dev features: )/;

/** Names the kernel prints when it does not know the device. */
function isPlaceholderName(name: string): boolean {
  return name.startsWith('<') || name.startsWith('(');
}

export type ResolvedBy = 'headline' | 'dev-name' | 'iif' | 'unresolved';

export interface CsumFailure extends LogTime {
  /** The name in the headline: an interface, "<unknown>" or "(NULL net_device)". */
  printedName: string;
  /** The interface, when known (from the headline or the dump's "dev name=" line). */
  ifname?: string;
  resolvedBy: ResolvedBy;
  /** skb_iif from the dump's hash(…) line, when the name is not known otherwise (0 = none). */
  iif?: number;
  /** Driver and bus id from the 5.16+ netdev_err() prefix. */
  driver?: string;
  busId?: string;
  seq?: number;
  line?: number;
}

// ---- log line prefixes -------------------------------------------------------------------------

const FACILITY_NAMES =
  'kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|ftp|res0|res1|res2|res3|local[0-7]';
const DMESG_DECODED = new RegExp(`^(${FACILITY_NAMES})\\s*:\\s*(emerg|alert|crit|err|warn|notice|info|debug)\\s*: ?`);
const RAW_PRIO = /^<(\d{1,4})>/;
const UPTIME = /^\[\s{0,12}(\d{1,12}\.\d{1,9})\] ?/;
// "HOST TAG[PID]: message". Tags hold no ':' or '(' so the 5.16+ "smsc95xx 1-1.1:1.0 eth0:" and
// "(NULL net_device):" headlines are never taken for a host and a tag.
const HOST_TAG = /^([^\s:]{1,255}) ([^\s:[()]{1,255})(?:\[\d{1,10}\])?: /;

/**
 * Turns log lines as dmesg, syslog (kern.log, messages), journalctl -k (text, or -o json) or a
 * copy of /dev/kmsg print them into messages. A record's later lines are marked `continued`:
 * lines with a leading blank (dmesg and journalctl indent them), and lines whose priority and
 * microsecond uptime repeat the line before (the syslog(2) interface, dmesg -S and rsyslog's imklog
 * print every line of a record with the record's prefix; separate records differ in their stamp).
 */
export class LogLineParser {
  private prev: LogLine | undefined;
  private lineNo = 0;
  private inKmsg = false;
  /** Priority and uptime as the previous text line printed them. */
  private prevPrefix: string | undefined;
  private prefix: string | undefined;

  /** `now` fixes the year of syslog time stamps, which print none. */
  constructor(private readonly now: Date = new Date()) {}

  parse(raw: string): LogLine | undefined {
    this.lineNo++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') return undefined;
    if (/^\s/.test(text) && !CJK_MONTH_LINE.test(text)) {
      // A kmsg dictionary line (" SUBSYSTEM=usb") or a journalctl continuation.
      if (this.inKmsg || !this.prev) return undefined;
      return { ...this.prev, message: text.trim(), line: this.lineNo, continued: true };
    }
    const entry = parseJournalJson(text, this.lineNo);
    if (entry) {
      this.inKmsg = false;
      this.prev = entry;
      return entry;
    }
    const rec = parseKmsgRecord(text);
    this.inKmsg = rec !== undefined;
    let out: LogLine;
    this.prefix = undefined;
    if (rec) {
      out = { message: rec.message, kernel: isKernelRecord(rec), uptime: rec.usec / 1e6, seq: rec.seq, line: this.lineNo, record: true };
    } else {
      out = this.parseText(text);
      if (this.prefix !== undefined && this.prefix === this.prevPrefix) out.continued = true;
    }
    this.prevPrefix = this.prefix;
    this.prev = out;
    return out;
  }

  private parseText(text: string): LogLine {
    const out: LogLine = { message: text, kernel: true, line: this.lineNo };
    let rest = text;
    let prio = '';
    let m = RAW_PRIO.exec(rest);
    if (m) {
      out.kernel = Number(m[1]) >>> 3 === 0;
      prio = m[1];
      rest = rest.slice(m[0].length);
    } else if ((m = DMESG_DECODED.exec(rest))) {
      out.kernel = m[1] === 'kern';
      prio = `${m[1]}.${m[2]}`;
      rest = rest.slice(m[0].length);
    }
    const stamp = readStamp(rest, this.now);
    if (stamp) {
      out.stamp = stamp.stamp;
      if (stamp.uptime !== undefined) out.uptime = stamp.uptime;
      if (stamp.date !== undefined) out.date = stamp.date;
      rest = rest.slice(stamp.length);
    }
    // After a syslog or journalctl time stamp comes "HOST TAG:"; only the tag "kernel" is the
    // kernel (a line sent with logger(1) carries the user's tag). After a bracketed stamp it may
    // come (journalctl short-monotonic) or not (dmesg, where "usb 1-1: reset" is a kernel
    // message): there only "HOST kernel:" is taken off.
    const t = stamp ? HOST_TAG.exec(rest) : null;
    if (t && (stamp!.syslog || t[2] === 'kernel')) {
      out.kernel = out.kernel && t[2] === 'kernel';
      rest = rest.slice(t[0].length);
      // rsyslog on older systems keeps the kernel's own "[ 1234.567890]" after "kernel:".
      const u = UPTIME.exec(rest);
      if (u) {
        out.uptime = Number(u[1]);
        rest = rest.slice(u[0].length);
        this.prefix = `${t[1]} ${prio} ${u[1]}`;
      }
    } else if (stamp?.uptime !== undefined) {
      this.prefix = `${prio} ${stamp.stamp}`;
    }
    out.message = rest;
    return out;
  }
}

// ---- the detector ------------------------------------------------------------------------------

/** Where a "<unknown>" headline is in the dump that follows it. */
type Stage = 'headline' | 'skb';

interface Pending {
  event: CsumFailure;
  stage: Stage;
}

/** Matches the headline on the first line of a record; undefined if it is not one. */
export function matchHeadline(firstLine: string): Pick<CsumFailure, 'printedName' | 'driver' | 'busId'> | undefined {
  if (firstLine.length > MAX_HEADLINE || !firstLine.includes(': hw csum failure')) return undefined;
  const m = HEADLINE.exec(firstLine);
  return m ? { printedName: m[3], driver: m[1], busId: m[2] } : undefined;
}

/** A record's lines: '\n' from /dev/kmsg and the journal, "#012" where rsyslog escaped it. */
function recordLines(message: string): string[] {
  return /\n|#012/.test(message) ? message.split(/\n|#012/) : [message];
}

/**
 * Reads log records in order and reports each "hw csum failure". netdev_rx_csum_fault() prints
 * its headline as the start of a record of its own, then skb_dump() (5.4+) a record starting
 * "skb len=" (its hash(...) line holds iif=N) and a record "dev name=IFACE feat=...". So:
 * - a headline counts only as the first line of a record (LogLine.continued lines and a record's
 *   later lines never start one);
 * - "<unknown>" / "(NULL net_device)" is resolved only by the dump that directly follows it: the
 *   next kernel record must start "skb len=" (4.20-5.3 print "dev features:" first), its iif=
 *   counts only inside it, and the record after it names the device only if it starts
 *   "dev name=". Anything else ends the wait, unresolved.
 * Only kernel records are looked at. State is one pending report, whatever the input.
 */
export class CsumFailureDetector {
  private pending: Pending | undefined;
  /** The record being read is skb_dump's first one (its later lines may hold iif=). */
  private inSkb = false;

  feed(entry: LogLine): CsumFailure[] {
    if (!entry.kernel) return [];
    const out: CsumFailure[] = [];
    const lines = recordLines(entry.message);
    let i = 0;
    if (!entry.continued) {
      this.start(lines[0].trim(), entry, out);
      i = 1;
    }
    for (; i < lines.length; i++) this.later(lines[i].trim());
    return out;
  }

  /** Reports a failure still waiting for its device name (end of input). */
  end(): CsumFailure[] {
    const out: CsumFailure[] = [];
    this.settle(out);
    return out;
  }

  /** The first line of a record. */
  private start(text: string, entry: LogLine, out: CsumFailure[]): void {
    const head = matchHeadline(text);
    if (head) {
      this.settle(out);
      this.inSkb = false;
      const event: CsumFailure = { ...head, resolvedBy: 'unresolved' };
      if (head.driver === undefined) delete event.driver;
      if (head.busId === undefined) delete event.busId;
      for (const k of ['stamp', 'uptime', 'date', 'seq', 'line'] as const) {
        if (entry[k] !== undefined) (event as unknown as Record<string, unknown>)[k] = entry[k];
      }
      if (isPlaceholderName(head.printedName)) {
        this.pending = { event, stage: 'headline' };
      } else {
        event.ifname = head.printedName;
        event.resolvedBy = 'headline';
        out.push(event);
      }
      return;
    }
    const p = this.pending;
    const wasSkb = this.inSkb;
    this.inSkb = false;
    if (!p) return;
    if (p.stage === 'headline') {
      if (text.startsWith('skb len=')) {
        p.stage = 'skb';
        this.inSkb = true;
      } else if (!text.startsWith('dev features: ')) {
        this.settle(out);
      }
      return;
    }
    // After the "skb len=" record. A text log that printed that record's lines one by one goes on
    // with them here; a record source (kmsg, journal) had them inside the record.
    if (!entry.record && wasSkb && SKB_LINE.test(text)) {
      this.inSkb = true;
      this.later(text);
      return;
    }
    const m = DEV_NAME.exec(text);
    if (m) {
      p.event.ifname = m[1];
      p.event.resolvedBy = 'dev-name';
      delete p.event.iif;
    }
    this.settle(out);
  }

  /** A later line of the record being read. */
  private later(text: string): void {
    if (!this.inSkb || !this.pending) return;
    const m = IIF.exec(text);
    if (m && Number(m[1]) > 0) this.pending.event.iif = Number(m[1]);
  }

  private settle(out: CsumFailure[]): void {
    if (this.pending) out.push(this.pending.event);
    this.pending = undefined;
  }
}
