// Kernel releases as uname -r prints them ("4.14.71-v7+", "6.1.0-rpi7-rpi-v8", "5.10.17-v8+"), read
// as version numbers so they can be compared with the ranges of known bugs.

export interface KernelVersion {
  major: number;
  minor: number;
  /** The stable sublevel; absent when the release does not say ("4.18-rc3", "5.4"). */
  patch?: number;
}

/** "4.14.71-v7+" -> 4.14.71; undefined when the release does not start with MAJOR.MINOR. */
export function parseKernelRelease(release: string): KernelVersion | undefined {
  const m = /^(\d{1,4})\.(\d{1,4})(?:\.(\d{1,6}))?(?![\d.])/.exec(release);
  if (!m) return undefined;
  const v: KernelVersion = { major: Number(m[1]), minor: Number(m[2]) };
  if (m[3] !== undefined) v.patch = Number(m[3]);
  return v;
}

export function formatKernelVersion(v: KernelVersion): string {
  return v.patch === undefined ? `${v.major}.${v.minor}` : `${v.major}.${v.minor}.${v.patch}`;
}

/** Compares a with b; a missing sublevel counts as 0 (4.18 is 4.18.0). */
function compare(a: KernelVersion, b: KernelVersion): number {
  return a.major - b.major || a.minor - b.minor || (a.patch ?? 0) - (b.patch ?? 0);
}

/** Affected kernels: from `from` (inclusive) up to `before` (exclusive); either end may be open. */
export interface KernelRange {
  from?: string;
  before?: string;
}

function bound(text: string): KernelVersion {
  const v = parseKernelRelease(text);
  if (!v) throw new Error(`not a kernel version: ${text}`);
  return v;
}

export function inKernelRange(v: KernelVersion, range: KernelRange): boolean {
  if (range.from !== undefined && compare(v, bound(range.from)) < 0) return false;
  if (range.before !== undefined && compare(v, bound(range.before)) >= 0) return false;
  return true;
}

/** "4.14.71-4.14.79" style text for a range. */
export function describeKernelRange(range: KernelRange): string {
  if (range.from !== undefined && range.before !== undefined) {
    const from = bound(range.from);
    const before = bound(range.before);
    if (from.patch === undefined && before.patch === undefined && before.major === from.major && before.minor === from.minor + 1) return `${range.from}.x`;
    if (before.patch !== undefined && before.patch > 0) return `${range.from}-${before.major}.${before.minor}.${before.patch - 1}`;
    return `${range.from} up to (not including) ${range.before}`;
  }
  if (range.from !== undefined) return `${range.from} and later`;
  if (range.before !== undefined) return `before ${range.before}`;
  return 'every kernel';
}
