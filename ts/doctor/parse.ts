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

/** On the bare message text: groups 1 and 2 are driver and bus id (5.16+), group 3 the name. */
export const HEADLINE =
  /^(?:(\S+) (\S+) )??(<unknown>|<NULL>|\(NULL net_device\)|\(unnamed net_device\)|[^\s:()<>]+)(?: \([a-z]+\))?: hw csum failure\.?\s*$/;
/** On any log line whose prefix could not be told apart: the interface name only. */
export const ANY_LINE = /(\(NULL net_device\)|<unknown>|[^\s:()[\]]+)(?: \([a-z]+\))?: hw csum failure\.?\s*$/;
const DEV_NAME = /^dev name=(\S+) feat=/;
const IIF = /^hash\(.*\biif=(\d+)/;
/** The start of dump_stack(): no "dev name=" line can follow any more. */
const STACK_START = /^(CPU: \d|Call [Tt]race:|Hardware name: )/;
/** How many kernel lines after a headline may still hold its "dev name=" line. */
const RESOLVE_WINDOW = 24;

/** Names the kernel prints when it does not know the device. */
export function isPlaceholderName(name: string): boolean {
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
const HOST_TAG = /^([^\s:]+) ([^\s:[()]+)(?:\[\d+\])?: (.*)$/;

/**
 * Turns log lines as dmesg, syslog (kern.log, messages), journalctl -k (text, or -o json) or a
 * copy of /dev/kmsg print them into messages. Lines with a leading blank continue the previous line (journalctl
 * indents the later lines of a multi-line message).
 */
export class LogLineParser {
  private prev: LogLine | undefined;
  private lineNo = 0;
  private inKmsg = false;

  /** `now` fixes the year of syslog time stamps, which print none. */
  constructor(private readonly now: Date = new Date()) {}

  parse(raw: string): LogLine | undefined {
    this.lineNo++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') return undefined;
    if (/^\s/.test(text) && !CJK_MONTH_LINE.test(text)) {
      // A kmsg dictionary line (" SUBSYSTEM=usb") or a journalctl continuation.
      if (this.inKmsg || !this.prev) return undefined;
      return { ...this.prev, message: text.trim(), line: this.lineNo };
    }
    const entry = parseJournalJson(text, this.lineNo);
    if (entry) {
      this.inKmsg = false;
      this.prev = entry;
      return entry;
    }
    const rec = parseKmsgRecord(text);
    this.inKmsg = rec !== undefined;
    const out = rec
      ? { message: rec.message, kernel: isKernelRecord(rec), uptime: rec.usec / 1e6, seq: rec.seq, line: this.lineNo }
      : this.parseText(text);
    this.prev = out;
    return out;
  }

  private parseText(text: string): LogLine {
    const out: LogLine = { message: text, kernel: true, line: this.lineNo };
    let rest = text;
    let m = RAW_PRIO.exec(rest);
    if (m) {
      out.kernel = Number(m[1]) >>> 3 === 0;
      rest = rest.slice(m[0].length);
    } else if ((m = DMESG_DECODED.exec(rest))) {
      out.kernel = m[1] === 'kern';
      rest = rest.slice(m[0].length);
    }
    const stamp = readStamp(rest, this.now);
    if (stamp) {
      out.stamp = stamp.stamp;
      if (stamp.uptime !== undefined) out.uptime = stamp.uptime;
      if (stamp.date !== undefined) out.date = stamp.date;
      rest = rest.slice(stamp.length);
    }
    // After a time stamp, syslog and journalctl print "HOST TAG:"; only the tag "kernel" is the
    // kernel (a line sent with logger(1) carries the user's tag). No headline or dump line has
    // this shape, so dmesg output is never misread.
    const t = stamp ? HOST_TAG.exec(rest) : null;
    if (t) {
      out.kernel = out.kernel && t[2] === 'kernel';
      rest = t[3];
      // rsyslog on older systems keeps the kernel's own "[ 1234.567890]" after "kernel:".
      const u = UPTIME.exec(rest);
      if (u) {
        out.uptime = Number(u[1]);
        rest = rest.slice(u[0].length);
      }
    }
    out.message = rest;
    return out;
  }
}

// ---- the detector ------------------------------------------------------------------------------

interface Pending {
  event: CsumFailure;
  budget: number;
}

/** Matches the headline on a message; undefined if it is not one. */
export function matchHeadline(message: string): Pick<CsumFailure, 'printedName' | 'driver' | 'busId'> | undefined {
  const m = HEADLINE.exec(message);
  if (m) return { printedName: m[3], driver: m[1], busId: m[2] };
  const a = ANY_LINE.exec(message);
  return a ? { printedName: a[1] } : undefined;
}

/**
 * Reads messages in log order and reports each "hw csum failure". A headline that names the
 * device is reported at once; "<unknown>" and "(NULL net_device)" wait (a bounded number of
 * lines) for the dump's "dev name=" line. Only kernel lines are looked at. State is one pending
 * report, whatever the input.
 */
export class CsumFailureDetector {
  private pending: Pending | undefined;

  feed(entry: LogLine): CsumFailure[] {
    if (!entry.kernel) return [];
    const out: CsumFailure[] = [];
    // A multi-line record: '\n' from /dev/kmsg and journalctl, "#012" where rsyslog escaped it.
    const lines = /\n|#012/.test(entry.message) ? entry.message.split(/\n|#012/) : [entry.message];
    for (const line of lines) this.one(line.trim(), entry, out);
    return out;
  }

  /** Reports a failure still waiting for its device name (end of input). */
  end(): CsumFailure[] {
    const out: CsumFailure[] = [];
    this.settle(out);
    return out;
  }

  private one(text: string, entry: LogLine, out: CsumFailure[]): void {
    if (text.includes('hw csum failure')) {
      const head = matchHeadline(text);
      if (head) {
        this.settle(out);
        const event: CsumFailure = { ...head, resolvedBy: 'unresolved' };
        if (head.driver === undefined) delete event.driver;
        if (head.busId === undefined) delete event.busId;
        for (const k of ['stamp', 'uptime', 'date', 'seq', 'line'] as const) {
          if (entry[k] !== undefined) (event as unknown as Record<string, unknown>)[k] = entry[k];
        }
        if (isPlaceholderName(head.printedName)) {
          this.pending = { event, budget: RESOLVE_WINDOW };
        } else {
          event.ifname = head.printedName;
          event.resolvedBy = 'headline';
          out.push(event);
        }
        return;
      }
    }
    const p = this.pending;
    if (!p) return;
    let m = DEV_NAME.exec(text);
    if (m) {
      p.event.ifname = m[1];
      p.event.resolvedBy = 'dev-name';
      delete p.event.iif;
      this.settle(out);
      return;
    }
    if ((m = IIF.exec(text)) && Number(m[1]) > 0) p.event.iif = Number(m[1]);
    if (STACK_START.test(text) || --p.budget <= 0) this.settle(out);
  }

  private settle(out: CsumFailure[]): void {
    if (this.pending) out.push(this.pending.event);
    this.pending = undefined;
  }
}
