// The public device API: reads are synchronous nouns, writes take the shape reads return.
import { binding, NativeBinding, NativeDriverInfo, NativeLink } from '../binding';
import { ErrorCode, fromNative, NicOffloadError } from '../errors';
import type * as OutcomeModule from './outcome';
import type { SetResult } from './outcome';
import type { FeatureChanges } from './catalogue';
import type * as PlanModule from './plan';
import { buildFeatures, defineOwn, Features, Snapshot } from './snapshot';
import { resolveNetns, validateChanges, validateIfname, validateOptions } from '../validate';

export interface NetnsOptions {
  /** A name from `ip netns list`, or a namespace file path such as /proc/PID/ns/net. Default: the caller's own. */
  netns?: string;
}

export interface SetOptions extends NetnsOptions {
  /** Compute what would be sent, send nothing. */
  dryRun?: boolean;
}

export type DriverInfo = NativeDriverInfo;

// The kernel's feature names are the same for every device and never change while it runs, so
// they are read once per binding (ETHTOOL_GSSET_INFO + GSTRINGS) and kept.
const namesCache = new WeakMap<NativeBinding, readonly string[]>();

// The binding and names of the last read (one binding in practice: fakes replace it in tests).
let lastBinding: NativeBinding | undefined;
let lastNames: readonly string[] | undefined;

function kernelNames(b: NativeBinding, ns: string, ifname: string): readonly string[] {
  if (b === lastBinding) return lastNames!;
  let names = namesCache.get(b);
  if (!names) {
    names = Object.freeze(b.featureNames(ns, ifname));
    if (names.length === 0) {
      throw new NicOffloadError('this kernel reports no named offload features (ETHTOOL_GSSET_INFO); it is older than 2.6.39', {
        code: ErrorCode.NO_NAMED_FEATURES,
        ifname,
      });
    }
    namesCache.set(b, names);
  }
  lastBinding = b;
  lastNames = names;
  return names;
}

// Name resolution (legacy table, suggestions) and outcome diffing serve writes only: they load on
// the first write, so that reads and `nic-offload show` start faster.
let planModule: typeof PlanModule | undefined;
let outcomeModule: typeof OutcomeModule | undefined;
/* eslint-disable @typescript-eslint/no-require-imports */
const plans = (): typeof PlanModule => (planModule ??= require('./plan') as typeof PlanModule);
const outcomes = (): typeof OutcomeModule => (outcomeModule ??= require('./outcome') as typeof OutcomeModule);
/* eslint-enable @typescript-eslint/no-require-imports */

let scratch = new Uint32Array(8);

// The SFEATURES words go to the addon through two long-lived arrays: a small typed array made
// fresh for each call lives on the V8 heap, and handing it to native code first moves it off the
// heap (an allocation, ~1.4 us here). Reusing them is safe because every binding copies the words
// before setFeatures/setFeaturesAsync returns (the rule in binding.ts, which the contract tests).
let validWords = new Uint32Array(2);
let requestedWords = new Uint32Array(2);

function requestWords(plan: { valid: Uint32Array; requested: Uint32Array }): [Uint32Array, Uint32Array] {
  if (validWords.length !== plan.valid.length) {
    validWords = new Uint32Array(plan.valid.length);
    requestedWords = new Uint32Array(plan.valid.length);
  }
  validWords.set(plan.valid);
  requestedWords.set(plan.requested);
  return [validWords, requestedWords];
}

/** A read kept for a diff: its blocks are its own copy. */
function readSnapshot(b: NativeBinding, ns: string, ifname: string): Snapshot {
  const names = kernelNames(b, ns, ifname);
  const words = readWords(b, ns, ifname);
  return { names, words, blocks: scratch.slice() };
}

/** A read whose blocks only build the result: no Snapshot object. */
function readFeatures(b: NativeBinding, ns: string, ifname: string): Features {
  const names = kernelNames(b, ns, ifname);
  readWords(b, ns, ifname); // may replace `scratch`: read it after
  return buildFeatures(names, scratch);
}

/** GFEATURES into `scratch`; returns the kernel's word count. */
function readWords(b: NativeBinding, ns: string, ifname: string): number {
  let words = b.getFeatures(ns, ifname, scratch);
  if (words * 4 !== scratch.length) {
    // The word count is fixed for the kernel's lifetime: size the buffer to it once, so later
    // reads need neither a second call nor a view.
    if (words * 4 < scratch.length) {
      scratch = scratch.slice(0, words * 4);
    } else {
      scratch = new Uint32Array(words * 4);
      words = b.getFeatures(ns, ifname, scratch);
    }
  }
  return words;
}

function call<T>(ifname: string | undefined, netns: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw fromNative(e, ifname, netns);
  }
}

/**
 * The offload features of `ifname`, keyed by kernel name in kernel order.
 * Errors: ERR_INVALID_IFNAME, ERR_INVALID_NETNS, ENODEV, ENOENT/EPERM (namespace).
 */
export function getFeatures(ifname: string, options?: NetnsOptions): Features {
  // The hot read: a name seen valid before skips the checks, and no closure is made.
  if (!validNames.has(ifname)) rememberValid(validateIfname(ifname));
  const netns = options === undefined ? undefined : validateOptions<NetnsOptions>(options).netns;
  const ns = netns === undefined ? '' : resolveNetns(netns);
  try {
    return readFeatures(binding(), ns, ifname);
  } catch (e) {
    throw fromNative(e, ifname, netns ?? '');
  }
}

/** Interface names that passed validateIfname (a bounded set: names are few and short). */
const validNames = new Set<string>();
function rememberValid(ifname: string): void {
  if (validNames.size >= 4096) validNames.clear();
  validNames.add(ifname);
}

/** The raw snapshot (names, word count, blocks): for callers that diff states. */
export function getFeatureSnapshot(ifname: string, options?: NetnsOptions): Snapshot {
  validateIfname(ifname);
  const opts = validateOptions<NetnsOptions>(options);
  const ns = resolveNetns(opts.netns);
  return call(ifname, opts.netns ?? '', () => readSnapshot(binding(), ns, ifname));
}

/** The kernel's feature names in bit order ('' marks a hole). Read through `ifname`. */
export function getFeatureNames(ifname: string, options?: NetnsOptions): readonly string[] {
  validateIfname(ifname);
  const opts = validateOptions<NetnsOptions>(options);
  const ns = resolveNetns(opts.netns);
  return call(ifname, opts.netns ?? '', () => kernelNames(binding(), ns, ifname));
}

interface Prepared {
  b: NativeBinding;
  ns: string;
  netns: string;
  before: Snapshot;
  plan: PlanModule.Plan;
  dryRun: boolean;
}

function prepare(ifname: unknown, changes: unknown, options: unknown): Prepared {
  validateIfname(ifname);
  const opts = validateOptions<SetOptions>(options);
  const ns = resolveNetns(opts.netns);
  if (opts.dryRun !== undefined && typeof opts.dryRun !== 'boolean') {
    throw Object.assign(new TypeError('options.dryRun must be a boolean'), { code: ErrorCode.INVALID_ARG_TYPE });
  }
  const list = validateChanges(changes);
  const netns = opts.netns ?? '';
  const b = binding();
  const before = call(ifname as string, netns, () => readSnapshot(b, ns, ifname as string));
  const asks = plans().resolveAsks(list, before.names, ifname as string);
  return { b, ns, netns, before, plan: plans().planChange(asks, before), dryRun: opts.dryRun === true };
}

/**
 * Changes offload features in one ETHTOOL_SFEATURES request. `changes` maps kernel names or
 * ethtool's legacy names (rx, tx, sg, tso, gso, gro, lro, … short or long) to on/off. A request
 * already in effect sends nothing. Errors: ERR_INVALID_IFNAME, ERR_UNKNOWN_FEATURE,
 * ERR_INVALID_ARG_TYPE (TypeError), ENODEV, EPERM (needs CAP_NET_ADMIN), EINVAL, EOPNOTSUPP.
 */
export async function setFeatures(ifname: string, changes: FeatureChanges | ReadonlyMap<string, boolean>, options?: SetOptions): Promise<SetResult> {
  const p = prepare(ifname, changes, options);
  if (p.dryRun) return outcomes().dryRunOutcome(ifname, p.netns, p.plan, p.before);
  let flags = 0;
  if (p.plan.needed) {
    try {
      flags = await p.b.setFeaturesAsync(p.ns, ifname, ...requestWords(p.plan));
    } catch (e) {
      throw fromNative(e, ifname, p.netns);
    }
  }
  const after = p.plan.needed ? call(ifname, p.netns, () => readSnapshot(p.b, p.ns, ifname)) : p.before;
  return outcomes().outcome(ifname, p.netns, p.plan, p.before, after, p.plan.needed, flags);
}

/** `setFeatures` for scripts: the same, blocking. */
export function setFeaturesSync(ifname: string, changes: FeatureChanges | ReadonlyMap<string, boolean>, options?: SetOptions): SetResult {
  const p = prepare(ifname, changes, options);
  if (p.dryRun) return outcomes().dryRunOutcome(ifname, p.netns, p.plan, p.before);
  let flags = 0;
  if (p.plan.needed) flags = call(ifname, p.netns, () => p.b.setFeatures(p.ns, ifname, ...requestWords(p.plan)));
  const after = p.plan.needed ? call(ifname, p.netns, () => readSnapshot(p.b, p.ns, ifname)) : p.before;
  return outcomes().outcome(ifname, p.netns, p.plan, p.before, after, p.plan.needed, flags);
}

/** Driver name, version, firmware and bus address (ETHTOOL_GDRVINFO). Errors: ENODEV, EOPNOTSUPP. */
export function getDriverInfo(ifname: string, options?: NetnsOptions): DriverInfo {
  validateIfname(ifname);
  const opts = validateOptions<NetnsOptions>(options);
  const ns = resolveNetns(opts.netns);
  return call(ifname, opts.netns ?? '', () => binding().driverInfo(ns, ifname));
}

/** Names of every interface in the namespace, by ifindex. Errors: ENOENT/EPERM (namespace). */
export function listInterfaces(options?: NetnsOptions): string[] {
  const opts = validateOptions<NetnsOptions>(options);
  const ns = resolveNetns(opts.netns);
  return call(undefined, opts.netns ?? '', () => binding().listInterfaces(ns).map((l) => l.name));
}

export type LinkInfo = NativeLink;

/** Every interface of the namespace with its index, master (bridge/bond), kind and MAC addresses. */
export function listLinks(options?: NetnsOptions): LinkInfo[] {
  const opts = validateOptions<NetnsOptions>(options);
  const ns = resolveNetns(opts.netns);
  return call(undefined, opts.netns ?? '', () => binding().listInterfaces(ns));
}

/**
 * The features of every interface in the namespace, keyed by interface name. An interface that
 * disappears while being read is left out.
 */
export function getAllFeatures(options?: NetnsOptions): Record<string, Features> {
  const opts = validateOptions<NetnsOptions>(options);
  const ns = resolveNetns(opts.netns);
  const b = binding();
  const out: Record<string, Features> = {};
  for (const { name } of call(undefined, opts.netns ?? '', () => b.listInterfaces(ns))) {
    try {
      const features = readFeatures(b, ns, name);
      if (name === '__proto__') defineOwn(out, name, features); // a valid interface name
      else out[name] = features;
    } catch (e) {
      const err = fromNative(e, name, opts.netns);
      if ((err as { code?: string }).code === 'ENODEV') continue;
      throw err;
    }
  }
  return out;
}

/**
 * Drops the cached control sockets. Each keeps its namespace alive after `ip netns del`; call this
 * when done with namespaces that are going away. Safe at any time, also while reads in workers or
 * writes in the thread pool are under way: a socket still in use by a call is closed when that
 * call returns, and later calls open fresh ones.
 */
export function releaseSockets(): void {
  binding().closeSockets();
}
