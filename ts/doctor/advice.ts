// What the known bugs (known-bugs.ts) say about one device: its driver and the running kernel.
import { describeKernelRange, formatKernelVersion, inKernelRange, parseKernelRelease } from './kernel-release';
import { KNOWN_BUGS, KnownBug } from './known-bugs';

export interface KnownBugMatch extends KnownBug {
  /** 'affected': the kernel is in one of the entry's ranges; 'every': the entry names no range
   *  (no kernel is known to be free of it); 'unknown': the kernel release could not be read. */
  kernelMatch: 'affected' | 'every' | 'unknown';
  /** The entry's ranges as text ("4.14.71-4.14.79, 4.18.x"). */
  affectedKernels?: string;
}

/** An entry for this driver that the kernel is outside of (fixed here, or not yet broken). */
export interface RuledOutBug {
  id: string;
  title: string;
  affectedKernels: string;
  fixedIn?: string;
}

export interface KnownBugAdvice {
  driver: string;
  /** Where the driver name came from: ETHTOOL_GDRVINFO, or the 5.16+ log prefix (the device
   *  itself is not here). */
  driverFrom: 'ethtool' | 'log';
  /** The kernel release matched against (uname -r). */
  kernel: string;
  /** Known causes of "hw csum failure" that fit the driver and kernel. */
  causes: KnownBugMatch[];
  /** Other faults of this driver, with their own symptom: not part of the rx off fix. */
  separate: KnownBugMatch[];
  /** Causes known for this driver that do not apply to this kernel. */
  ruledOut: RuledOutBug[];
}

function ranges(bug: KnownBug): string | undefined {
  return bug.kernels?.map(describeKernelRange).join(', ');
}

/** Matches the table against one driver and kernel release. */
export function adviseKnownBugs(driver: string, driverFrom: 'ethtool' | 'log', release: string, table: readonly KnownBug[] = KNOWN_BUGS): KnownBugAdvice {
  const advice: KnownBugAdvice = { driver, driverFrom, kernel: release, causes: [], separate: [], ruledOut: [] };
  const version = parseKernelRelease(release);
  for (const bug of table) {
    if (!bug.drivers.includes(driver)) continue;
    const affectedKernels = ranges(bug);
    let kernelMatch: KnownBugMatch['kernelMatch'];
    if (!bug.kernels) kernelMatch = 'every';
    else if (!version) kernelMatch = 'unknown';
    else if (bug.kernels.some((r) => inKernelRange(version, r))) kernelMatch = 'affected';
    else {
      advice.ruledOut.push({ id: bug.id, title: bug.title, affectedKernels: affectedKernels!, ...(bug.fixedIn ? { fixedIn: bug.fixedIn } : {}) });
      continue;
    }
    const match: KnownBugMatch = { ...bug, kernelMatch };
    if (affectedKernels) match.affectedKernels = affectedKernels;
    (bug.relation === 'cause' ? advice.causes : advice.separate).push(match);
  }
  return advice;
}

/** "4.14.74" for "4.14.74-v7+", or the release itself when it is not a version. */
export function kernelLabel(release: string): string {
  const v = parseKernelRelease(release);
  return v ? formatKernelVersion(v) : release;
}
