// Feature names on their way into a file: validated against the kernel's names (or, when the
// device is absent, the catalogue) and made canonical, so that `rx`, `rx-checksumming` and
// `rx-checksum` are one setting. Only [a-z0-9_-] names pass, so no name can carry a line
// break, a quote, `=`, `$`, `%` or a space into a config file or a udev RUN.
import { KERNEL_FEATURE_NAMES, LEGACY_FLAGS } from '../core';
import { findLegacyFlag, patternMatches } from '../core';
import { resolveAsks, unknownFeatureError } from '../core';
import type { Setting } from './types';

const SAFE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** The legacy short name that covers exactly this kernel name, if any (rx-checksum -> rx). */
function shortForKernelName(name: string): string | undefined {
  return LEGACY_FLAGS.find((f) => !f.pattern.includes('*') && f.pattern === name)?.short;
}

/** The canonical form of a valid name. */
export function canonicalName(name: string): string {
  return findLegacyFlag(name)?.short ?? shortForKernelName(name) ?? name;
}

/**
 * Validates `changes` and returns them as canonical settings, in order (a later mention of the
 * same feature wins). `kernelNames`: the device's names, or undefined to check the catalogue.
 */
export function canonicalSettings(changes: ReadonlyArray<[string, boolean]>, kernelNames: readonly string[] | undefined, ifname: string): Setting[] {
  const known = kernelNames ?? KERNEL_FEATURE_NAMES;
  const bad = changes.map(([n]) => n).filter((n) => !SAFE_NAME.test(n));
  if (bad.length) throw unknownFeatureError(bad, known, ifname);
  resolveAsks(changes, known, ifname); // throws ERR_UNKNOWN_FEATURE with suggestions
  return mergeSettings([], changes.map(([n, on]) => [canonicalName(n), on]));
}

/** `base` with `changes` applied: a re-mentioned name moves to the end with its new value. */
export function mergeSettings(base: readonly Setting[], changes: readonly Setting[]): Setting[] {
  const out = base.map((s) => [...s] as Setting);
  for (const [name, on] of changes) {
    const i = out.findIndex(([n]) => n === name);
    if (i >= 0) out.splice(i, 1);
    out.push([name, on]);
  }
  return out;
}

/** Kernel names a canonical setting covers (legacy names expand like ethtool -K). */
export function expand(name: string, kernelNames: readonly string[] = KERNEL_FEATURE_NAMES): string[] {
  const flag = findLegacyFlag(name);
  return flag ? kernelNames.filter((k) => k && patternMatches(flag.pattern, k)) : [name];
}

/**
 * Pairs of settings that overlap with different values (`tx off` + `tx-checksum-ipv4 on`).
 * Backends that cannot keep the order of their entries refuse these.
 */
export function conflicts(settings: readonly Setting[]): string | undefined {
  for (let i = 0; i < settings.length; i++) {
    for (let j = i + 1; j < settings.length; j++) {
      const [a, av] = settings[i];
      const [b, bv] = settings[j];
      if (av === bv) continue;
      const ea = expand(a);
      if (expand(b).some((k) => ea.includes(k))) return `"${a} ${av ? 'on' : 'off'}" and "${b} ${bv ? 'on' : 'off'}" overlap`;
    }
  }
  return undefined;
}

export function settingsRecord(settings: readonly Setting[]): Record<string, boolean> {
  return Object.fromEntries(settings);
}

export function describeSettings(settings: readonly Setting[]): string {
  return settings.map(([n, on]) => `${n} ${on ? 'on' : 'off'}`).join(' ');
}
