// Checks done before anything reaches the kernel or a file.
import { argTypeError, ErrorCode, NicOffloadError } from './errors';

/** IFNAMSIZ - 1: the longest name SIOCETHTOOL can carry. */
export const MAX_IFNAME_BYTES = 15;
const NETNS_RUN_DIR = '/var/run/netns';
/** PATH_MAX - 1: the longest path the kernel takes; a longer one is refused, never shortened. */
const MAX_NETNS_PATH_BYTES = 4095;
/** NAME_MAX: the longest name a file under /var/run/netns can have. */
const MAX_NETNS_NAME_BYTES = 255;

/**
 * Interface names as the kernel's dev_valid_name() accepts them: 1..15 bytes, not "." or "..",
 * no "/", ":", whitespace or NUL. Names that pass are also safe in file names and config lines.
 */
export function validateIfname(ifname: unknown): string {
  if (typeof ifname !== 'string') throw argTypeError(`interface name must be a string, got ${describe(ifname)}`);
  const bytes = Buffer.byteLength(ifname);
  let problem: string | undefined;
  if (bytes === 0) problem = 'is empty';
  else if (bytes > MAX_IFNAME_BYTES) problem = `is ${bytes} bytes long; Linux allows at most ${MAX_IFNAME_BYTES}`;
  else if (ifname === '.' || ifname === '..') problem = 'is "." or ".."';
  else if (/[\s/:\0]/u.test(ifname) || /[\u0000-\u001f\u007f]/u.test(ifname)) problem = 'contains "/", ":", whitespace or a control character';
  if (problem) {
    throw new NicOffloadError(`invalid interface name ${JSON.stringify(ifname)}: it ${problem}`, {
      code: ErrorCode.INVALID_IFNAME,
      ifname,
    });
  }
  return ifname;
}

/**
 * A namespace option: undefined for the caller's own, a name as `ip netns` uses (a file under
 * /var/run/netns), or an absolute path such as /proc/1234/ns/net. An empty string is refused:
 * it is what an unset variable gives (`{ netns: process.env.NS }`), and taking it for "here"
 * would act on the host. Returns the path the native layer opens ('' for the caller's own).
 */
export function resolveNetns(netns: unknown): string {
  // The hot read path asks for the same namespace again and again: the last answer is kept (one
  // string object, so the addon reads the same flat string each time).
  if (netns === lastNetns) return lastPath;
  const path = resolve(netns);
  lastNetns = netns as string;
  lastPath = path;
  return path;
}

let lastNetns: string | undefined;
let lastPath = '';

function resolve(netns: unknown): string {
  if (netns === undefined || netns === null) return '';
  if (netns === '') {
    throw new NicOffloadError('invalid network namespace "": leave netns out for this namespace, or give a name or a path', {
      code: ErrorCode.INVALID_NETNS,
      netns,
    });
  }
  if (typeof netns !== 'string') throw argTypeError(`netns must be a string, got ${describe(netns)}`);
  if (netns.includes('\0') || /[\n\r]/.test(netns)) {
    throw new NicOffloadError(`invalid network namespace ${JSON.stringify(netns)}`, { code: ErrorCode.INVALID_NETNS, netns });
  }
  if (netns.startsWith('/')) {
    tooLong(netns, MAX_NETNS_PATH_BYTES, 'path', 'PATH_MAX');
    return netns;
  }
  if (netns.includes('/') || netns === '.' || netns === '..') {
    throw new NicOffloadError(
      `invalid network namespace ${JSON.stringify(netns)}: give a name from "ip netns list" or an absolute path`,
      { code: ErrorCode.INVALID_NETNS, netns },
    );
  }
  tooLong(netns, MAX_NETNS_NAME_BYTES, 'name', 'NAME_MAX');
  return `${NETNS_RUN_DIR}/${netns}`;
}

function tooLong(netns: string, max: number, what: string, limit: string): void {
  const bytes = Buffer.byteLength(netns);
  if (bytes <= max) return;
  throw new NicOffloadError(`invalid network namespace: the ${what} is ${bytes} bytes long; Linux takes at most ${max} (${limit})`, {
    code: ErrorCode.INVALID_NETNS,
    netns,
  });
}

/** Options object check shared by every call. */
export function validateOptions<T extends object>(opts: unknown, what = 'options'): Partial<T> {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== 'object' || Array.isArray(opts)) throw argTypeError(`${what} must be an object, got ${describe(opts)}`);
  return opts as Partial<T>;
}

/** `changes` as ordered [name, on] pairs; a Map or a plain object whose values are booleans. */
export function validateChanges(changes: unknown): Array<[string, boolean]> {
  let entries: Array<[unknown, unknown]>;
  if (changes instanceof Map) entries = [...changes.entries()];
  else if (changes && typeof changes === 'object' && !Array.isArray(changes)) entries = Object.entries(changes);
  else throw argTypeError(`changes must be an object mapping feature names to booleans, got ${describe(changes)}`);
  for (const [name, on] of entries) {
    if (typeof name !== 'string') throw argTypeError(`feature names must be strings, got ${describe(name)}`);
    if (typeof on !== 'boolean') {
      throw argTypeError(`the value for feature "${name}" must be true or false, got ${describe(on)}`);
    }
  }
  return entries as Array<[string, boolean]>;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}
