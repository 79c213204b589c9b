// One error shape everywhere: `code` is stable ('ENODEV', 'EPERM', … for the kernel's errors;
// 'ERR_…' for ours), `errno` stays a number, and the message says what to do.
import { constants } from 'os';

const ERRNO_NAMES: Record<number, string> = {};
for (const [name, num] of Object.entries(constants.errno)) {
  // os.constants.errno lists aliases (EWOULDBLOCK = EAGAIN, ENOTSUP = EOPNOTSUPP); keep the first,
  if (!(num in ERRNO_NAMES)) ERRNO_NAMES[num] = name;
}
// except where Linux itself names the error otherwise: ENOTSUP is listed first, but the kernel's
// name for 95 (what ioctls return, what strerror and ethtool describe) is EOPNOTSUPP.
if (constants.errno.EOPNOTSUPP !== undefined) ERRNO_NAMES[constants.errno.EOPNOTSUPP] = 'EOPNOTSUPP';

/** Codes of validation errors raised before any syscall. */
export const ErrorCode = Object.freeze({
  /** The CLI's command line was wrong (cli/report-error.ts UsageError). */
  USAGE: 'ERR_USAGE',
  INVALID_IFNAME: 'ERR_INVALID_IFNAME',
  INVALID_NETNS: 'ERR_INVALID_NETNS',
  UNKNOWN_FEATURE: 'ERR_UNKNOWN_FEATURE',
  INVALID_ARG_TYPE: 'ERR_INVALID_ARG_TYPE',
  NO_NAMED_FEATURES: 'ERR_NO_NAMED_FEATURES',
  NATIVE_UNAVAILABLE: 'ERR_NATIVE_UNAVAILABLE',
  // persistence (ts/persist/)
  INVALID_ROOT: 'ERR_INVALID_ROOT',
  INVALID_BACKEND: 'ERR_INVALID_BACKEND',
  PERSIST_UNSUPPORTED: 'ERR_PERSIST_UNSUPPORTED',
  PERSIST_REFUSED: 'ERR_PERSIST_REFUSED',
  PERSIST_LOCK: 'ERR_PERSIST_LOCK',
  PERSIST_STATE: 'ERR_PERSIST_STATE',
  PERSIST_PATH: 'ERR_PERSIST_PATH',
  // kernel log doctor and guard (ts/doctor/)
  LOG_FORMAT: 'ERR_LOG_FORMAT',
  JOURNAL: 'ERR_JOURNAL',
  UNVERIFIED_LOG: 'ERR_UNVERIFIED_LOG',
  GUARD_INSTALL: 'ERR_GUARD_INSTALL',
});

export interface NicOffloadErrorProps {
  code: string;
  errno?: number;
  syscall?: string;
  command?: string;
  ifname?: string;
  netns?: string;
  /** For ERR_UNKNOWN_FEATURE: the names not found, and the closest real names. */
  unknown?: string[];
  suggestions?: string[];
}

export class NicOffloadError extends Error {
  code: string;
  errno?: number;
  syscall?: string;
  command?: string;
  ifname?: string;
  netns?: string;
  unknown?: string[];
  suggestions?: string[];

  constructor(message: string, props: NicOffloadErrorProps) {
    super(message);
    this.name = 'NicOffloadError';
    this.code = props.code;
    for (const key of ['errno', 'syscall', 'command', 'ifname', 'netns', 'unknown', 'suggestions'] as const) {
      if (props[key] !== undefined) (this as Record<string, unknown>)[key] = props[key];
    }
  }
}

/** A TypeError with our code, for arguments of the wrong type. */
export function argTypeError(message: string): TypeError {
  const e = new TypeError(message) as TypeError & { code: string };
  e.code = ErrorCode.INVALID_ARG_TYPE;
  return e;
}

function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `E${errno}`;
}

interface NativeErrorLike {
  message: string;
  errno: number;
  syscall: string;
  command?: string;
  ifname?: string;
  netns?: string;
}

function isNativeError(e: unknown): e is NativeErrorLike {
  return e instanceof Error && typeof (e as { errno?: unknown }).errno === 'number';
}

function where(ifname: string | undefined, netns: string | undefined): string {
  const dev = ifname ? `interface "${ifname}"` : 'the interface list';
  return netns ? `${dev} in network namespace ${netns}` : dev;
}

/** Turns an error thrown by the native layer into a NicOffloadError a person can act on. */
export function fromNative(e: unknown, ifname?: string, netns?: string): unknown {
  if (!isNativeError(e)) return e;
  const code = errnoName(e.errno);
  const dev = ifname ?? e.ifname;
  const ns = netns || e.netns || undefined;
  const target = where(dev, ns);
  let message: string;
  if (e.syscall === 'open' || e.syscall === 'statx') {
    message =
      code === 'ENOENT'
        ? `network namespace ${ns} does not exist (ip netns list shows the names)`
        : `cannot open network namespace ${ns}: ${code}`;
  } else if (e.syscall === 'setns') {
    message =
      code === 'EPERM'
        ? `entering network namespace ${ns} needs CAP_SYS_ADMIN: run as root`
        : `cannot enter network namespace ${ns} (${code}): is it a network namespace file?`;
  } else if (code === 'ENODEV') {
    message = `no such network interface: ${target}`;
  } else if (code === 'EPERM' || code === 'EACCES') {
    message = `changing offloads of ${target} needs CAP_NET_ADMIN: run as root or grant the capability (${e.command ?? e.syscall})`;
  } else if (code === 'EOPNOTSUPP') {
    message = `${e.command ?? e.syscall} is not supported by ${target}`;
  } else {
    message = `${e.command ?? e.syscall} failed on ${target}: ${e.message.replace(/^.*failed: /, '')} (${code})`;
  }
  return new NicOffloadError(message, {
    code,
    errno: e.errno,
    syscall: e.syscall,
    command: e.command,
    ifname: dev,
    netns: ns,
  });
}
