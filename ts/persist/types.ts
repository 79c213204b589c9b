// Shapes shared by the persistence API and its backends.
import type { SetResult } from '../core';

export type BackendName = 'ifupdown' | 'systemd-link' | 'networkmanager' | 'udev';
export const BACKEND_NAMES: readonly BackendName[] = ['ifupdown', 'systemd-link', 'networkmanager', 'udev'];

export interface PersistOptions {
  /** Namespace the device is looked up (and applied) in. */
  netns?: string;
  /** Prefix of every path read or written (an image mount for image builders). Default '/'. */
  root?: string;
  backend?: BackendName | 'auto';
  /** Also apply the change live through setFeatures. Default true. */
  apply?: boolean;
  /** Compute the diffs, change nothing (no file, no device). */
  dryRun?: boolean;
}

export type FileAction = 'created' | 'updated' | 'unchanged' | 'removed';

export interface PersistedFile {
  /** The path on the target system (without the root prefix). */
  path: string;
  action: FileAction;
  /** Unified diff of the change (for changed files). */
  diff?: string;
}

export interface PersistResult {
  ifname: string;
  backend: BackendName;
  /** Why this backend: the detection's answer, or "chosen with --backend". */
  reason: string;
  /** Whether any file changed (in a dry run: would change). */
  changed: boolean;
  dryRun: boolean;
  root: string;
  /** Everything recorded for the interface after the call, in order (name -> on). */
  settings: Record<string, boolean>;
  files: PersistedFile[];
  /** The live change (absent with apply: false, a dry run, or nothing to apply). */
  applied?: SetResult;
  /** What a person should know: when it takes effect, what was carried over or left alone. */
  notes: string[];
}

export interface PersistedEntry {
  ifname: string;
  backend: BackendName;
  settings: Record<string, boolean>;
  /** Files holding the settings (paths on the target system). */
  files: string[];
}

/** What detection learned about the device (only ifname when it is absent, e.g. --no-apply into an image). */
export interface DeviceFacts {
  ifname: string;
  present: boolean;
  /** rtnetlink kind ('veth', 'bridge', …); '' for hardware; undefined when unknown. */
  kind?: string;
  address?: string;
  permAddress?: string;
  driver?: string;
  /** udev's ID_PATH: null when the device has none (virtual), undefined when unknown. */
  idPath?: string | null;
}

export interface Context {
  /** Real, absolute root prefix ('/' for the running system). */
  root: string;
  ifname: string;
  device: DeviceFacts;
}

/** One recorded setting: a canonical feature name (legacy short name where one covers exactly it). */
export type Setting = [name: string, on: boolean];

/** One file a backend wants to be in a given state. `after: null` removes it. */
export interface FileEdit {
  /** Path on the target system, e.g. /etc/systemd/network/10-nic-offload-eth0.link. */
  path: string;
  before: Buffer | null;
  after: Buffer | null;
  mode: number;
}

/** What a backend keeps in the state file between calls (to undo exactly). */
export interface FileRecord {
  path: string;
  /** The file is the package's own (created by it, removed on unpersist). */
  owned: boolean;
  /** For edited shared files: the bytes before the first edit (base64), restored on unpersist. */
  original?: string;
  /** sha256 of the bytes last written (tells whether someone edited the file since). */
  written?: string;
  /** Directories created for the file (deepest last); removed again with it when left empty. */
  dirs?: string[];
  /** For edited shared files: each key the package set, and its value before (null: absent). */
  keys?: Record<string, string | null>;
}

export interface Rendered {
  edits: FileEdit[];
  files: FileRecord[];
  notes: string[];
}

/**
 * One persistence backend: pure rendering from the tree under the root; index.ts validates,
 * locks, writes and keeps the state file, so a backend never touches a file itself. A new backend
 * touches these places, and no other:
 * - its own file, `ts/persist/NAME.ts`, exporting this interface (read-only facts about the
 *   system it needs go into `probes.ts`, shared with detection);
 * - `BackendName` and `BACKEND_NAMES` below (the API, `--backend` of persist, doctor and guard
 *   check against them);
 * - `BACKENDS` and the candidate order in `detect.ts` (where `auto` tries it, and why);
 * - the backend list in the help of `ts/cli/commands/persist.ts`, and the Backends table of docs/persistence.md;
 * - tests: `test/unit/persist-*.test.ts` (detection, round trips) and a
 *   `test/kernel/persist-NAME.test.ts` against the real consumer of its files.
 */
export interface Backend {
  name: BackendName;
  /**
   * Files besides the ones it records that hold the settings (listPersisted shows them): the
   * udev rule's `reapply` reads them from the state file.
   */
  alsoHeldIn?: readonly string[];
  /** Why this backend cannot hold `settings` for the device here; undefined when it can. */
  cannot(ctx: Context, settings: readonly Setting[]): string | undefined;
  /**
   * The edits that make the backend's files say exactly `settings` ([]: remove everything it
   * wrote and restore what was there). `prior` is what the last call recorded.
   */
  render(ctx: Context, settings: readonly Setting[], prior: readonly FileRecord[]): Rendered;
  /** Called after the files are written (not in a dry run): reload a running daemon. */
  notify?(ctx: Context, rendered: Rendered): string[];
}

export type { SetResult };
