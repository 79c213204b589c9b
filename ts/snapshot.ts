// A device's feature words as ETHTOOL_GFEATURES returns them, decoded by kernel bit index.

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

export interface FeatureState {
  /** Currently enabled (`dev->features`). */
  active: boolean;
  /** Asked to be enabled if possible (`dev->wanted_features`). */
  requested: boolean;
  /** The driver lets it be changed (`dev->hw_features`). */
  available: boolean;
  /** Cannot be changed: `!available || never_changed` (ethtool's `[fixed]`). */
  fixed: boolean;
}

/** Feature states keyed by kernel name, in kernel bit order. */
export type Features = Record<string, FeatureState>;

type Builder = (blocks: Uint32Array) => Features;

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
    // A literal "__proto__" key would set the prototype; such a table keeps the loop.
    if (name === '__proto__') return null;
    const b = (i >>> 5) * 4;
    const m = 1 << (i & 31);
    const has = (field: number): string => `(b[${b + field}] & ${m}) !== 0`;
    props.push(
      `${JSON.stringify(name)}: { active: ${has(ACTIVE)}, requested: ${has(REQUESTED)}, available: ${has(AVAILABLE)}, ` +
        `fixed: !(${has(AVAILABLE)}) || ${has(NEVER_CHANGED)} }`,
    );
  }
  try {
    return new Function('b', `return {\n${props.join(',\n')}\n};`) as Builder;
  } catch {
    return null; // code generation disallowed (--disallow-code-generation-from-strings)
  }
}

export function toFeatures(s: Snapshot): Features {
  if (Object.isFrozen(s.names)) {
    const build = builders.get(s.names) ?? 0;
    if (typeof build === 'function') return build(s.blocks);
    if (typeof build === 'number') builders.set(s.names, build + 1 < COMPILE_AFTER ? build + 1 : compile(s.names));
  }
  return toFeaturesLoop(s);
}

function toFeaturesLoop(s: Snapshot): Features {
  const out: Features = {};
  const { names, blocks } = s;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (!name) continue;
    const b = (i >>> 5) * 4;
    const m = 1 << (i & 31);
    const available = (blocks[b + AVAILABLE] & m) !== 0;
    out[name] = {
      active: (blocks[b + ACTIVE] & m) !== 0,
      requested: (blocks[b + REQUESTED] & m) !== 0,
      available,
      fixed: !available || (blocks[b + NEVER_CHANGED] & m) !== 0,
    };
  }
  return out;
}
