// A device's feature words as ETHTOOL_GFEATURES returns them, decoded by kernel bit index.
import type { KernelFeatureName } from './catalogue';

/** Offsets of the four words in each block of ETHTOOL_GFEATURES. */
export const AVAILABLE = 0;
export const REQUESTED = 1;
export const ACTIVE = 2;
export const NEVER_CHANGED = 3;

export interface Snapshot {
  /** Kernel names by bit index; '' marks a hole. */
  readonly names: readonly string[];
  /** The kernel's word count: SFEATURES must use exactly this. */
  readonly words: number;
  /** `words` blocks of {available, requested, active, never_changed}. */
  readonly blocks: Uint32Array;
}

export function bit(s: Snapshot, field: number, index: number): boolean {
  return (s.blocks[(index >>> 5) * 4 + field] & (1 << (index & 31))) !== 0;
}

/** Whether SFEATURES may carry this bit: in hw_features and not in NETIF_F_NEVER_CHANGE. */
export function changeable(s: Snapshot, index: number): boolean {
  return bit(s, AVAILABLE, index) && !bit(s, NEVER_CHANGED, index);
}

/** One feature's state. Results share these objects, so they are frozen. */
export interface FeatureState {
  /** Currently enabled (`dev->features`). */
  readonly active: boolean;
  /** Asked to be enabled if possible (`dev->wanted_features`). */
  readonly requested: boolean;
  /** The driver lets it be changed (`dev->hw_features`). */
  readonly available: boolean;
  /** Cannot be changed: `!available || never_changed` (ethtool's `[fixed]`). */
  readonly fixed: boolean;
}

// A feature has 4 bits of state, so there are only 16 distinct FeatureStates. Results point at
// these shared frozen objects instead of allocating ~64 new ones per read (3x faster reads).
// Index: active << 3 | requested << 2 | available << 1 | never_changed.
const STATES: readonly FeatureState[] = Array.from({ length: 16 }, (_, k) =>
  Object.freeze({ active: (k & 8) !== 0, requested: (k & 4) !== 0, available: (k & 2) !== 0, fixed: (k & 2) === 0 || (k & 1) !== 0 }),
);

/**
 * Feature states keyed by kernel name, in kernel bit order. Typed with the kernel names the
 * typings know, each optional: a name the running kernel lacks is absent, so `| undefined` is
 * honest (also under noUncheckedIndexedAccess). For a name the typings do not know, read the
 * result as AnyFeatures (every Features is one).
 */
export type Features = { readonly [K in KernelFeatureName]?: FeatureState };

/** A Features indexed by any string (names a newer kernel has and the typings do not). */
export type AnyFeatures = Readonly<Record<string, FeatureState | undefined>>;

/** What the builders make: every name the kernel reported, present. */
type FeatureTable = Record<string, FeatureState>;

type Builder = (blocks: Uint32Array) => FeatureTable;

// One builder per names table: the kernel's table is read once and frozen (see device.ts), so it
// is compiled once into a single object literal. V8 then makes every result with one fixed hidden
// class instead of growing a dictionary key by key: about 10x faster for ~64 features. Compiling
// costs about five loop runs, so a table is compiled only once it has been used COMPILE_AFTER
// times (a CLI that reads one interface never pays for it).
const COMPILE_AFTER = 8;
const builders = new WeakMap<readonly string[], Builder | null | number>();

function compile(names: readonly string[]): Builder | null {
  const props: string[] = [];
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (!name) continue;
    const b = (i >>> 5) * 4;
    const sh = i & 31;
    const bitOf = (field: number, to: number): string => `((b[${b + field}] >>> ${sh}) & 1) << ${to}`;
    // A literal "__proto__": key would set the prototype; a computed ["__proto__"] key is a property.
    const key = name === '__proto__' ? `[${JSON.stringify(name)}]` : JSON.stringify(name);
    props.push(`${key}: S[${bitOf(ACTIVE, 3)} | ${bitOf(REQUESTED, 2)} | ${bitOf(AVAILABLE, 1)} | ${bitOf(NEVER_CHANGED, 0)}]`);
  }
  try {
    const make = new Function('S', 'b', `return {\n${props.join(',\n')}\n};`) as (S: readonly FeatureState[], b: Uint32Array) => FeatureTable;
    return (blocks) => make(STATES, blocks);
  } catch {
    return null; // code generation disallowed (--disallow-code-generation-from-strings)
  }
}

// The builder of the names table seen last: one kernel has one table, so the lookup is usually this.
let lastNames: readonly string[] | undefined;
let lastBuild: ((blocks: Uint32Array) => FeatureTable) | undefined;

export function toFeatures(s: Snapshot): Features {
  return buildFeatures(s.names, s.blocks);
}

/** toFeatures without a Snapshot object (the hot read path). */
export function buildFeatures(names: readonly string[], blocks: Uint32Array): Features {
  if (names === lastNames) return lastBuild!(blocks);
  if (Object.isFrozen(names)) {
    const build = builders.get(names) ?? 0;
    if (typeof build === 'function') {
      lastNames = names;
      lastBuild = build;
      return build(blocks);
    }
    if (typeof build === 'number') builders.set(names, build + 1 < COMPILE_AFTER ? build + 1 : compile(names));
  }
  return toFeaturesLoop(names, blocks);
}

function toFeaturesLoop(names: readonly string[], blocks: Uint32Array): FeatureTable {
  const out: FeatureTable = {};
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (!name) continue;
    const b = (i >>> 5) * 4;
    const sh = i & 31;
    const state =
      STATES[
        (((blocks[b + ACTIVE] >>> sh) & 1) << 3) |
          (((blocks[b + REQUESTED] >>> sh) & 1) << 2) |
          (((blocks[b + AVAILABLE] >>> sh) & 1) << 1) |
          ((blocks[b + NEVER_CHANGED] >>> sh) & 1)
      ];
    if (name === '__proto__') defineOwn(out, name, state);
    else out[name] = state;
  }
  return out;
}

/** `obj[key] = value` as a plain own property, also for the key "__proto__" (which would set the prototype). */
export function defineOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Whether results for this names table are made by a compiled builder yet (for tests). */
export function usesCompiledBuilder(names: readonly string[]): boolean {
  return typeof builders.get(names) === 'function';
}
