// The stack's own count of packets with a bad checksum: InCsumErrors in /proc/net/snmp (Icmp, Tcp,
// Udp, UdpLite), /proc/net/snmp6 (Icmp6InCsumErrors, Udp6InCsumErrors, UdpLite6InCsumErrors; TCP
// over IPv6 counts in Tcp) and /proc/net/netstat (IpExt: IPv4 header checksums, which the stack
// always checks itself; the snmp Ip line has no such column). They
// count packets whose checksum the stack itself found wrong and dropped, whatever the offload; a
// "hw csum failure" is not one of them (that packet was good, the NIC's sum was not). The numbers
// belong to a network namespace, not to a device.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { resolveNetns } from '../validate';

export interface CsumErrorCounts {
  /** Where they were read. */
  source: string;
  /** InCsumErrors by protocol: Icmp, Tcp, Udp, UdpLite, Icmp6, Udp6, UdpLite6, IpExt. A protocol
   *  the kernel does not count (no IPv6, a kernel before 3.10) is absent. */
  counters: Record<string, number>;
  total: number;
}

export type CsumErrorsReading = CsumErrorCounts | { source: string; error: { message: string; code?: string } };

/** The raw text of snmp, snmp6 and netstat (concatenated in any order: their lines tell them apart). */
export interface SnmpText {
  source: string;
  text: string;
}

const COUNTER = 'InCsumErrors';

/** InCsumErrors of every "Proto: names" / "Proto: values" pair of /proc/net/snmp (or netstat). */
export function parseSnmp(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  const heads = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9]+): (.*)$/.exec(line);
    if (!m) continue;
    const [, proto, rest] = m;
    const words = rest.trim().split(/\s+/);
    const head = heads.get(proto);
    if (!head || words.some((w) => !/^-?\d+$/.test(w))) {
      heads.set(proto, words);
      continue;
    }
    heads.delete(proto);
    const i = head.indexOf(COUNTER);
    if (i >= 0 && i < words.length) out[proto] = Number(words[i]);
  }
  return out;
}

/** The "NameInCsumErrors value" lines of /proc/net/snmp6, keyed by their prefix (Udp6, ...). */
export function parseSnmp6(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9]+)InCsumErrors\s+(\d+)\s*$/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

export function countsOf(snmp: SnmpText): CsumErrorCounts {
  const counters = { ...parseSnmp(snmp.text), ...parseSnmp6(snmp.text) };
  const total = Object.values(counters).reduce((a, b) => a + b, 0);
  return { source: snmp.source, counters, total };
}

function readOptional(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    // No /proc/net/snmp6 where IPv6 is off (ipv6.disable=1).
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw e;
  }
}

const FILES = ['snmp', 'snmp6', 'netstat'];

function readDir(dir: string): SnmpText {
  return { source: `${dir}/snmp`, text: fs.readFileSync(`${dir}/snmp`, 'utf8') + readOptional(`${dir}/snmp6`) + readOptional(`${dir}/netstat`) };
}

/**
 * The text of snmp, snmp6 and netstat as seen in a namespace: this process's own (/proc/net), a
 * process's (/proc/PID/ns/net -> /proc/PID/net), or any other namespace file (an `ip netns` name)
 * read by `cat` run inside it through nsenter(1).
 */
export function readSnmp(netns?: string): SnmpText {
  const nsPath = resolveNetns(netns);
  if (nsPath === '') return readDir('/proc/net');
  const proc = /^\/proc\/(\d+|self|thread-self)\/ns\/net$/.exec(nsPath);
  if (proc) return readDir(`/proc/${proc[1]}/net`);
  const args = [`--net=${nsPath}`, '--', 'cat', ...FILES.map((f) => `/proc/self/net/${f}`)];
  const source = `nsenter ${args.join(' ')}`;
  const r = spawnSync('nsenter', args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.error) {
    const err = r.error as NodeJS.ErrnoException;
    throw Object.assign(new Error(`cannot run nsenter (util-linux) to read the counters of ${nsPath}: ${err.message}`), { code: err.code });
  }
  // cat fails on snmp6 alone where IPv6 is off; snmp is enough.
  if (!/^Udp: /m.test(r.stdout)) throw new Error(`${source}: ${r.stderr.trim() || `exit status ${r.status}`}`);
  return { source, text: r.stdout };
}

/** Reads and counts; a failure is kept in the reading, never thrown (the counters only inform). */
export function readCsumErrors(netns?: string, reader: (netns?: string) => SnmpText = readSnmp): CsumErrorsReading {
  try {
    return countsOf(reader(netns));
  } catch (e) {
    const err = e as { message?: string; code?: string };
    const error: { message: string; code?: string } = { message: err?.message ?? String(e) };
    if (err?.code) error.code = err.code;
    return { source: netns === undefined ? '/proc/net/snmp' : `netns ${netns}`, error };
  }
}
