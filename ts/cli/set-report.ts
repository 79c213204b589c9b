// What `ethtool -K` (netlink) prints for a SetResult, the plan of a dry run, and the JSON report.
import type { SetResult } from '../core';
import { ExitStatus } from './exit-status';
import { onOff } from '../format/features-text';

export interface CommandOutput {
  stdout: string;
  stderr: string;
  status: number;
}

const COULD_NOT_CHANGE = 'Could not change any device features\n';

function byKernelOrder(names: Iterable<string>, order: readonly string[]): string[] {
  const rank = new Map(order.map((n, i) => [n, i]));
  return [...names].sort((a, b) => (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity));
}

/**
 * ethtool -K's report: silent when everything took effect as asked and nothing else moved;
 * otherwise "Actual changes:" and, flat in kernel order, `name: <actual> [requested x]` for a
 * request that did not take effect, `name: on|off [not requested]` for a side effect and
 * `name: on|off` for a requested change. When nothing asked for took effect: "Could not change
 * any device features" on stderr and status 1. `order` is the kernel's feature names in bit
 * order (getFeatureNames), which the result does not carry.
 */
export function formatSetReport(result: SetResult, order: readonly string[]): CommandOutput {
  let stdout = '';
  if (result.unmet.length || result.sideEffects.length) {
    const unmet = new Map(result.unmet.map((u) => [u.name, u]));
    const changes = new Map(result.changes.map((c) => [c.name, c]));
    stdout = 'Actual changes:\n';
    for (const name of byKernelOrder(new Set([...unmet.keys(), ...changes.keys()]), order)) {
      const u = unmet.get(name);
      const c = changes.get(name);
      if (u) stdout += `${name}: ${onOff(u.actual)} [requested ${onOff(u.asked)}]\n`;
      else if (c && !c.requested) stdout += `${name}: ${onOff(c.after)} [not requested]\n`;
      else if (c) stdout += `${name}: ${onOff(c.after)}\n`;
    }
  }
  return { stdout, stderr: result.couldNotChange ? COULD_NOT_CHANGE : '', status: setStatus(result) };
}

/** The exit status of ethtool -K for this result: 1 when nothing asked for took effect, else 0. */
export function setStatus(result: SetResult): number {
  return result.couldNotChange ? ExitStatus.FAILED : ExitStatus.OK;
}

/**
 * The status of `set --check`: 2 when set would change the device, 0 when the request is
 * already in effect, 1 when none of it can take effect (set would print "Could not change any
 * device features").
 */
export function checkStatus(result: SetResult): number {
  if (result.changed) return ExitStatus.WOULD_CHANGE;
  return result.couldNotChange ? ExitStatus.FAILED : ExitStatus.OK;
}

/**
 * The plan of a dry run (setFeatures with dryRun): the requested features that would change,
 * in kernel order, as `name: before -> after`, and those that cannot, as `name: on [fixed]
 * [requested off]`. Side effects of the kernel's dependency rules are not predicted.
 */
export function formatCheckReport(result: SetResult): CommandOutput {
  const unmet = new Map(result.unmet.map((u) => [u.name, u]));
  const lines: string[] = [];
  for (const r of result.requested) {
    const u = unmet.get(r.name);
    if (u) lines.push(`${r.name}: ${onOff(u.actual)} [fixed] [requested ${onOff(u.asked)}]`);
    else if (r.before !== r.after) lines.push(`${r.name}: ${onOff(r.before)} -> ${onOff(r.after)}`);
  }
  let head = `No change needed for ${result.ifname}.`;
  if (result.changed) head = `Would change ${result.ifname}:`;
  else if (lines.length) head = `Would not change ${result.ifname}; cannot take effect:`;
  const status = checkStatus(result);
  return {
    stdout: [head, ...lines].map((l) => `${l}\n`).join(''),
    stderr: status === ExitStatus.FAILED ? COULD_NOT_CHANGE : '',
    status,
  };
}

export interface SetReportJson {
  interface: string;
  /** The namespace as given, null for the caller's own. */
  netns: string | null;
  /** true for `--check`: nothing was sent, `changed`/`changes` are what set would do. */
  check: boolean;
  changed: boolean;
  /** Every kernel feature the request covered (legacy names expanded), in kernel order. */
  requested: Array<{ name: string; via: string; asked: boolean; before: boolean; after: boolean }>;
  /** Every feature whose active state changed; `asked` is null for side effects. */
  changes: Array<{ name: string; asked: boolean | null; before: boolean; after: boolean }>;
  /** Requests that did not (or, with check, cannot) take effect. */
  unmet: Array<{ name: string; asked: boolean; actual: boolean; reason: string }>;
  /** Nothing asked for took effect: ethtool's "Could not change any device features". */
  couldNotChange: boolean;
}

/** One object describing the set (or its plan), for `set --json` and provisioning tools. */
export function setReportJson(result: SetResult): SetReportJson {
  const asked = new Map(result.requested.map((r) => [r.name, r.asked]));
  const changes = result.dryRun
    ? result.requested.filter((r) => r.before !== r.after).map((r) => ({ name: r.name, asked: r.asked, before: r.before, after: r.after }))
    : result.changes.map((c) => ({ name: c.name, asked: c.requested ? asked.get(c.name) ?? null : null, before: c.before, after: c.after }));
  return {
    interface: result.ifname,
    netns: result.netns || null,
    check: result.dryRun,
    changed: result.changed,
    requested: result.requested.map(({ name, via, asked: a, before, after }) => ({ name, via, asked: a, before, after })),
    changes,
    unmet: result.unmet.map(({ name, asked: a, actual, reason }) => ({ name, asked: a, actual, reason })),
    couldNotChange: result.couldNotChange,
  };
}
