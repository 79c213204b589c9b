// Every exit status of the CLI, in one place: show/set as netlink ethtool -k/-K exit where ethtool
// has one, the doctor's, and the status a command's error maps to.
import type { DoctorReport } from '../doctor';

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

/** `nic-offload doctor`. */
export const DoctorExit = Object.freeze({
  /** No "hw csum failure" in the logs read. */
  CLEAN: 0,
  ERROR: 1,
  /** Found, and rx-checksum is still on for an implicated device (or --fix failed). */
  NEEDS_FIX: 2,
  /** Found, but rx-checksum is off on every implicated device (already, or by --fix). */
  HANDLED: 3,
  /** Found, nothing implicated is on, but a named device is not here: its state is unknown. */
  ABSENT: 4,
});

export function doctorExitStatus(report: DoctorReport): number {
  if (!report.found) return DoctorExit.CLEAN;
  if (report.needsFix) return DoctorExit.NEEDS_FIX;
  return report.absent ? DoctorExit.ABSENT : DoctorExit.HANDLED;
}
