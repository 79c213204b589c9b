// Exit statuses of the CLI, the same as netlink ethtool -k/-K where ethtool has one.

export const ExitStatus = Object.freeze({
  /** Done; for `set --check`: the request is already in effect. */
  OK: 0,
  /** Bad command line; `show` failed; `set` changed nothing ("Could not change any device features"). */
  FAILED: 1,
  /** `set --check` only: set would change the device. */
  WOULD_CHANGE: 2,
  /** `set`: the kernel refused the request (no such device, no privilege, ...), as netlink ethtool -K exits. */
  KERNEL_ERROR: 92,
});

/**
 * The exit status for an error thrown by `command`. ethtool -K exits 92 when the kernel rejects
 * the request (and an unknown feature name is the kernel's rejection there); bad arguments and
 * every error of -k exit 1.
 */
export function errorExitStatus(e: unknown, command: string): number {
  const code = (e as { code?: unknown } | null)?.code;
  if (command !== 'set' || typeof code !== 'string') return ExitStatus.FAILED;
  if (code === 'ERR_UNKNOWN_FEATURE') return ExitStatus.KERNEL_ERROR;
  // Only the ethtool request itself: failing to enter a namespace exits 1, like `ip netns exec`.
  return (e as { syscall?: unknown }).syscall === 'ioctl' ? ExitStatus.KERNEL_ERROR : ExitStatus.FAILED;
}
