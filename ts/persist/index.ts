// Persistence: record offload settings where the system re-applies them at boot and on re-plug
// (ifupdown, a systemd .link file, a NetworkManager profile, or a udev rule), and undo that
// exactly. Backends only compute file contents; this module validates, locks, writes
// atomically, keeps the state file and applies the change live.
import { setFeatures } from '../core';
import { argTypeError, ErrorCode, NicOffloadError } from '../errors';
import type { SetResult } from '../core';
import { validateChanges, validateOptions } from '../validate';
import { removeEmptyDir, removeFileDurable, writeFileAtomic } from './atomic-write';
import { BACKENDS, choose, Choice } from './detect';
import { unifiedDiff } from './diff';
import { deviceFacts, validatePersistIfname } from './facts';
import { acquireLock } from './lock';
import { canonicalName, canonicalSettings, mergeSettings, settingsRecord } from './names';
import { LOCK_FILE, readState, serializeState, STATE_FILE, State } from './state';
import { exists, hostPath, readBytes, resolveRoot } from './tree';
import { BACKEND_NAMES, BackendName, Context, FileEdit, PersistedEntry, PersistedFile, PersistOptions, PersistResult, Setting } from './types';

export type { BackendName, PersistOptions, PersistResult, PersistedEntry, PersistedFile, FileAction } from './types';
export { BACKEND_NAMES } from './types';
export { formatPersistResult, formatPersisted } from './report';
// For other layers that write system files the same way (the guard's unit).
export { writeFileAtomic, ensureDir } from './atomic-write';

interface Opts {
  root: string;
  netns?: string;
  backend: BackendName | 'auto';
  apply: boolean;
  dryRun: boolean;
}

function checkOptions(opts: unknown): Opts {
  const o = validateOptions<PersistOptions>(opts);
  for (const k of ['apply', 'dryRun'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean') throw argTypeError(`options.${k} must be a boolean`);
  }
  if (o.netns !== undefined && typeof o.netns !== 'string') throw argTypeError('options.netns must be a string');
  const backend = o.backend ?? 'auto';
  if (backend !== 'auto' && !BACKEND_NAMES.includes(backend as BackendName)) {
    throw new NicOffloadError(`unknown backend ${JSON.stringify(backend)}: use auto, ${BACKEND_NAMES.join(', ')}`, { code: ErrorCode.INVALID_BACKEND });
  }
  return { root: resolveRoot(o.root), netns: o.netns || undefined, backend, apply: o.apply !== false, dryRun: o.dryRun === true };
}

/** Which backend `persist` would use for the interface (with auto), and why. */
export function detectBackend(ifname: string, opts?: { netns?: string; root?: string }): { backend: BackendName; reason: string } {
  validatePersistIfname(ifname);
  const o = checkOptions({ netns: opts?.netns, root: opts?.root });
  const { device } = deviceFacts(ifname, o.netns, o.root, false);
  return choose({ root: o.root, ifname, device }, [], 'auto');
}

/** Ancestors of `path` that do not exist yet, outermost first. */
function missingDirs(root: string, path: string): string[] {
  const out: string[] = [];
  for (let d = path.slice(0, path.lastIndexOf('/')); d && !exists(root, d); d = d.slice(0, d.lastIndexOf('/'))) out.unshift(d);
  return out;
}

function action(before: Buffer | null, after: Buffer | null): PersistedFile['action'] {
  if (before === null) return after === null ? 'unchanged' : 'created';
  if (after === null) return 'removed';
  return before.equals(after) ? 'unchanged' : 'updated';
}

function report(path: string, before: Buffer | null, after: Buffer | null): PersistedFile {
  const a = action(before, after);
  const f: PersistedFile = { path, action: a };
  if (a !== 'unchanged') f.diff = unifiedDiff(path, before?.toString('utf8') ?? null, after?.toString('utf8') ?? null);
  return f;
}

type Update = (prior: { settings: Setting[]; backend?: BackendName }) => { settings: Setting[]; choose: (ctx: Context, s: Setting[]) => Choice };

/** Under the lock: read the state, render, write (state first, so a crash never loses track of a file), report. */
async function commit(ctx: Context, o: Opts, update: Update, applied: SetResult | undefined): Promise<PersistResult> {
  const lock = o.dryRun ? undefined : await acquireLock(hostPath(ctx.root, LOCK_FILE));
  try {
    const st: State = readState(ctx.root);
    const prior = st.interfaces[ctx.ifname];
    const u = update({ settings: Object.entries(prior?.settings ?? {}), backend: prior?.backend });
    const choice = u.choose(ctx, u.settings);
    const edits: FileEdit[] = [];
    if (prior && prior.backend !== choice.backend) edits.push(...BACKENDS[prior.backend].render(ctx, [], prior.files).edits);
    const backend = BACKENDS[choice.backend];
    const r = backend.render(ctx, u.settings, prior && prior.backend === choice.backend ? prior.files : []);
    edits.push(...r.edits);
    // Remember the directories a new file needs, so that removing it leaves the tree as it was.
    const priorDirs = new Map((prior?.files ?? []).map((f) => [f.path, f.dirs]));
    const created = new Map(edits.filter((e) => e.before === null && e.after !== null).map((e) => [e.path, missingDirs(ctx.root, e.path)]));
    const records = r.files.map((f) => {
      const dirs = priorDirs.get(f.path) ?? created.get(f.path);
      return dirs?.length ? { ...f, dirs } : f;
    });
    const next: State = { version: 1, interfaces: { ...st.interfaces } };
    if (u.settings.length) next.interfaces[ctx.ifname] = { backend: choice.backend, settings: settingsRecord(u.settings), files: records };
    else delete next.interfaces[ctx.ifname];
    const stateBefore = readBytes(ctx.root, STATE_FILE);
    const stateAfter = serializeState(next);
    const files = [...edits.map((e) => report(e.path, e.before, e.after)), report(STATE_FILE, stateBefore, stateAfter)];
    const notes = [...r.notes];
    if (!o.dryRun) {
      const write = (path: string, before: Buffer | null, after: Buffer | null, mode: number): void => {
        if (after === null) {
          if (before !== null) {
            removeFileDurable(hostPath(ctx.root, path));
            for (const d of [...(priorDirs.get(path) ?? [])].reverse()) removeEmptyDir(hostPath(ctx.root, d));
          }
        } else if (before === null || !before.equals(after)) writeFileAtomic(hostPath(ctx.root, path), after, mode);
      };
      write(STATE_FILE, stateBefore, stateAfter, 0o644);
      for (const e of edits) write(e.path, e.before, e.after, e.mode);
      if (edits.some((e) => action(e.before, e.after) !== 'unchanged')) notes.push(...(backend.notify?.(ctx, r) ?? []));
    }
    return {
      ifname: ctx.ifname,
      backend: choice.backend,
      reason: choice.reason,
      changed: files.some((f) => f.action !== 'unchanged'),
      dryRun: o.dryRun,
      root: ctx.root,
      settings: settingsRecord(u.settings),
      files,
      ...(applied ? { applied } : {}),
      notes,
    };
  } finally {
    lock?.release();
  }
}

/**
 * Applies `changes` live (unless `apply: false`) and records them, merged with what was recorded
 * for the interface before, in the backend `backend` picks (auto: detected). Idempotent: a second
 * identical call writes nothing (`changed: false`). Errors: ERR_INVALID_IFNAME, ERR_UNKNOWN_FEATURE,
 * ERR_INVALID_ROOT, ERR_INVALID_BACKEND, ERR_PERSIST_UNSUPPORTED (the backend cannot express a
 * feature here), ERR_PERSIST_REFUSED (a file that is not ours is in the way, or masked),
 * ERR_PERSIST_LOCK, ERR_PERSIST_STATE, and setFeatures' errors (ENODEV, EPERM, …). On error
 * nothing is written.
 */
export async function persist(ifname: string, changes: Record<string, boolean>, opts?: PersistOptions): Promise<PersistResult> {
  validatePersistIfname(ifname);
  const o = checkOptions(opts);
  const list = validateChanges(changes);
  if (!list.length) throw argTypeError('changes must name at least one feature');
  const facts = deviceFacts(ifname, o.netns, o.root, o.apply);
  const wanted = canonicalSettings(list, facts.names, ifname);
  const ctx: Context = { root: o.root, ifname, device: facts.device };
  const update: Update = (prior) => ({ settings: mergeSettings(prior.settings, wanted), choose: (c, s) => choose(c, s, o.backend) });
  // Everything knowable fails before the device changes: a backend that cannot hold the
  // settings, a file in the way. (The real commit below checks again, under the lock.)
  if (!o.dryRun) await commit(ctx, { ...o, dryRun: true }, update, undefined);
  const applied = o.apply ? await setFeatures(ifname, changes, { netns: o.netns, dryRun: o.dryRun }) : undefined;
  return commit(ctx, o, update, applied);
}

/**
 * Removes `names` (all when omitted or empty) from what is recorded for the interface and
 * rewrites or removes its files; with nothing left, every file is back to its state before the
 * first persist, byte for byte. The device itself keeps its current settings.
 */
export async function unpersist(ifname: string, names?: string[], opts?: PersistOptions): Promise<PersistResult> {
  validatePersistIfname(ifname);
  const o = checkOptions(opts);
  if (names !== undefined && (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))) throw argTypeError('names must be an array of feature names');
  const drop = new Set((names ?? []).map(canonicalName));
  if (names?.length) canonicalSettings(names.map((n) => [n, false] as [string, boolean]), undefined, ifname);
  const { device } = deviceFacts(ifname, o.netns, o.root, false);
  const ctx: Context = { root: o.root, ifname, device };
  return commit(
    ctx,
    o,
    (prior) => ({
      settings: drop.size ? prior.settings.filter(([n]) => !drop.has(n)) : [],
      choose: () =>
        prior.backend ? { backend: prior.backend, reason: 'the backend recorded by persist' } : { ...choose(ctx, [], 'auto'), reason: 'nothing is recorded for it' },
    }),
    undefined,
  );
}

/** What is recorded, per interface (all, or only `ifname`). */
export function listPersisted(opts?: { root?: string; ifname?: string }): PersistedEntry[] {
  const o = validateOptions<{ root: string; ifname: string }>(opts);
  const root = resolveRoot(o.root);
  const st = readState(root);
  return Object.entries(st.interfaces)
    .filter(([name]) => o.ifname === undefined || name === o.ifname)
    .map(([name, rec]) => ({
      ifname: name,
      backend: rec.backend,
      settings: { ...rec.settings },
      files: [...rec.files.map((f) => f.path), ...(BACKENDS[rec.backend].alsoHeldIn ?? [])],
    }));
}

/**
 * Sets what is recorded for the interface (the udev fallback rule runs this through
 * `nic-offload reapply IFACE`). Returns undefined when nothing is recorded.
 */
export async function reapply(ifname: string, opts?: { root?: string; netns?: string }): Promise<SetResult | undefined> {
  validatePersistIfname(ifname);
  const o = validateOptions<{ root: string; netns: string }>(opts);
  const rec = readState(resolveRoot(o.root)).interfaces[ifname];
  if (!rec) return undefined;
  return setFeatures(ifname, new Map(Object.entries(rec.settings)), { netns: o.netns });
}
