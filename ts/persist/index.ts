// Persistence: record offload settings where the system re-applies them at boot and on re-plug
// (ifupdown, a systemd .link file, a NetworkManager profile, or a udev rule), and undo that
// exactly. Backends only compute file contents; this module validates, locks, writes
// atomically, keeps the state file and applies the change live.
import { setFeatures } from '../core';
import { argTypeError, ErrorCode, NicOffloadError } from '../errors';
import type { FeatureChanges, SetResult } from '../core';
import { validateChanges, validateOptions } from '../validate';
import { Pending, prepareRemove, prepareWrite } from './atomic-write';
import { BACKENDS, choose, Choice } from './detect';
import { unifiedDiff } from './diff';
import { deviceFacts, validatePersistIfname } from './facts';
import { acquireLock } from './lock';
import { canonicalName, canonicalSettings, mergeSettings, settingsRecord } from './names';
import { LOCK_FILE, readState, serializeState, STATE_FILE, State } from './state';
import { exists, readBytes, resolveRoot } from './tree';
import { BACKEND_NAMES, BackendName, Context, FileEdit, PersistedEntry, PersistedFile, PersistOptions, PersistResult, Setting } from './types';

export type { BackendName, PersistOptions, PersistResult, PersistedEntry, PersistedFile, FileAction } from './types';
export { BACKEND_NAMES } from './types';
export { formatPersistResult, formatPersisted } from './report';
// For other layers that write system files the same way (the guard's unit).
export { readSystemFile, writeSystemFile, removeSystemFile, readSystemLink, writeSystemLink, removeSystemLink } from './system-files';

interface Opts {
  root: string;
  netns?: string;
  backend: BackendName | 'auto';
  apply: boolean;
  dryRun: boolean;
}

/** An empty netns must never mean "this host" by accident (undefined does). */
function emptyNetns(): NicOffloadError {
  return new NicOffloadError('invalid network namespace "": give a name from "ip netns list" or an absolute path (leave it out for this one)', {
    code: ErrorCode.INVALID_NETNS,
    netns: '',
  });
}

function checkOptions(opts: unknown): Opts {
  const o = validateOptions<PersistOptions>(opts);
  for (const k of ['apply', 'dryRun'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean') throw argTypeError(`options.${k} must be a boolean`);
  }
  if (o.netns !== undefined && typeof o.netns !== 'string') throw argTypeError('options.netns must be a string');
  if (o.netns === '') throw emptyNetns();
  const backend = o.backend ?? 'auto';
  if (backend !== 'auto' && !BACKEND_NAMES.includes(backend as BackendName)) {
    throw new NicOffloadError(`unknown backend ${JSON.stringify(backend)}: use auto, ${BACKEND_NAMES.join(', ')}`, { code: ErrorCode.INVALID_BACKEND });
  }
  return { root: resolveRoot(o.root), netns: o.netns, backend, apply: o.apply !== false, dryRun: o.dryRun === true };
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
/** The live change, made between preparing the files and putting them in place. */
type Apply = (dryRun: boolean) => Promise<SetResult>;

interface Change {
  path: string;
  before: Buffer | null;
  after: Buffer | null;
  mode: number;
  /** Directories to remove with the file when they are left empty. */
  dirs?: string[];
}

/** A file system error while writing under the root, with the path, and whether all was set back. */
function writeError(root: string, path: string, e: unknown, setBack = true): unknown {
  if (e instanceof NicOffloadError || !(e instanceof Error) || typeof (e as NodeJS.ErrnoException).code !== 'string') return e;
  const err = e as NodeJS.ErrnoException;
  const outcome = setBack ? 'nothing was changed' : 'some files or the device could not be set back: check them';
  return new NicOffloadError(`cannot write ${path}${root === '/' ? '' : ` under ${root}`}: ${err.message}; ${outcome}`, {
    code: err.code as string,
    errno: typeof err.errno === 'number' ? Math.abs(err.errno) : undefined,
    syscall: err.syscall,
  });
}

/** Sets back what a live change changed; false when that failed. */
async function rollBack(applied: SetResult | undefined, netns: string | undefined): Promise<boolean> {
  if (!applied?.changes.length) return true;
  try {
    await setFeatures(applied.ifname, new Map(applied.changes.map((c) => [c.name, c.before])), { netns });
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `changes` (the state file first, so a crash never loses track of a file) and makes the
 * live change in between, so that an error leaves files and device as they were: every new
 * content is prepared (temp files written and synced, directories made) before `apply`; only
 * then are they renamed into place. When putting them in place fails after all, the files done
 * so far get their bytes back and the live change is rolled back.
 */
async function write(ctx: Context, o: Opts, changes: readonly Change[], apply: Apply | undefined): Promise<SetResult | undefined> {
  const pending: Array<{ change: Change; p: Pending }> = [];
  const created: string[] = [];
  try {
    for (const c of changes) {
      const p = c.after === null ? prepareRemove(ctx.root, c.path, c.dirs, ctx.ifname) : prepareWrite(ctx.root, c.path, c.after, { mode: c.mode, keepOwner: true, ifname: ctx.ifname }, created);
      pending.push({ change: c, p });
    }
  } catch (e) {
    const failed = changes[pending.length].path;
    for (const { p } of [...pending].reverse()) p.abort();
    throw writeError(ctx.root, failed, e);
  }
  let applied: SetResult | undefined;
  try {
    applied = apply ? await apply(false) : undefined;
  } catch (e) {
    for (const { p } of [...pending].reverse()) p.abort();
    throw e;
  }
  const done: Change[] = [];
  for (const [i, { change, p }] of pending.entries()) {
    try {
      p.commit();
      done.push(change);
    } catch (e) {
      for (const { p: rest } of pending.slice(i + 1).reverse()) rest.abort();
      let setBack = true;
      for (const c of done.reverse()) {
        try {
          if (c.before === null) prepareRemove(ctx.root, c.path).commit();
          else prepareWrite(ctx.root, c.path, c.before, { mode: c.mode, keepOwner: true }).commit();
        } catch {
          setBack = false; // the error below is still the one to act on
        }
      }
      setBack = (await rollBack(applied, o.netns)) && setBack;
      throw writeError(ctx.root, change.path, e, setBack);
    }
  }
  return applied;
}

/** Under the lock: read the state, render, write and apply (write()), report. */
async function commit(ctx: Context, o: Opts, update: Update, apply?: Apply): Promise<PersistResult> {
  const lock = o.dryRun ? undefined : await acquireLock(ctx.root, LOCK_FILE);
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
    let applied: SetResult | undefined;
    if (o.dryRun) applied = apply ? await apply(true) : undefined;
    else {
      const changes: Change[] = [{ path: STATE_FILE, before: stateBefore, after: stateAfter, mode: 0o644 }, ...edits]
        .filter((c) => action(c.before, c.after) !== 'unchanged')
        .map((c) => (c.after === null ? { ...c, dirs: priorDirs.get(c.path) ?? [] } : c));
      applied = await write(ctx, o, changes, apply);
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
 * identical call writes nothing (`changed: false`). Errors: ERR_INVALID_IFNAME, ERR_INVALID_NETNS,
 * ERR_UNKNOWN_FEATURE, ERR_INVALID_ROOT, ERR_INVALID_BACKEND, ERR_PERSIST_UNSUPPORTED (the backend
 * cannot express a feature here), ERR_PERSIST_REFUSED (a file that is not ours is in the way,
 * masked, or a symbolic link), ERR_PERSIST_PATH (a path leaves the root), ERR_PERSIST_LOCK,
 * ERR_PERSIST_STATE, the file system's (ENOSPC, EROFS, …) and setFeatures' errors (ENODEV, EPERM,
 * …). On error no file and no device setting has changed: the files are prepared first, the
 * device is changed next, and the files are put in place last.
 */
export async function persist(ifname: string, changes: FeatureChanges | ReadonlyMap<string, boolean>, opts?: PersistOptions): Promise<PersistResult> {
  validatePersistIfname(ifname);
  const o = checkOptions(opts);
  const list = validateChanges(changes);
  if (!list.length) throw argTypeError('changes must name at least one feature');
  const facts = deviceFacts(ifname, o.netns, o.root, o.apply);
  const wanted = canonicalSettings(list, facts.names, ifname);
  const ctx: Context = { root: o.root, ifname, device: facts.device };
  const update: Update = (prior) => ({ settings: mergeSettings(prior.settings, wanted), choose: (c, s) => choose(c, s, o.backend) });
  const apply: Apply | undefined = o.apply ? (dryRun) => setFeatures(ifname, changes, { netns: o.netns, dryRun }) : undefined;
  // What the tree alone refuses (a backend that cannot hold the settings, a file in the way)
  // fails here, before even the lock file is made. (The real commit checks again, under the lock.)
  if (!o.dryRun) await commit(ctx, { ...o, dryRun: true }, update);
  return commit(ctx, o, update, apply);
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
  if (o.netns === '') throw emptyNetns();
  const rec = readState(resolveRoot(o.root)).interfaces[ifname];
  if (!rec) return undefined;
  return setFeatures(ifname, new Map(Object.entries(rec.settings)), { netns: o.netns });
}
