// The package's own record of what it persisted: <root>/var/lib/nic-offload/persisted.json.
// It says which backend holds each interface's settings, in which files, and what those files
// held before (so unpersist restores them exactly). The udev fallback re-applies from it.
import { ErrorCode, NicOffloadError } from '../errors';
import { readBytes } from './tree';
import { BACKEND_NAMES, BackendName, FileRecord } from './types';

const STATE_DIR = '/var/lib/nic-offload';
export const STATE_FILE = `${STATE_DIR}/persisted.json`;
export const LOCK_FILE = `${STATE_DIR}/lock`;

export interface InterfaceRecord {
  backend: BackendName;
  /** Feature name -> on, in the order given (later entries win where names overlap). */
  settings: Record<string, boolean>;
  files: FileRecord[];
}

export interface State {
  version: 1;
  interfaces: Record<string, InterfaceRecord>;
}

function corrupt(why: string): NicOffloadError {
  return new NicOffloadError(`${STATE_FILE} is not a nic-offload state file (${why}); move it away to start over`, {
    code: ErrorCode.PERSIST_STATE,
  });
}

function checkRecord(r: unknown): r is InterfaceRecord {
  if (!r || typeof r !== 'object') return false;
  const rec = r as InterfaceRecord;
  return (
    BACKEND_NAMES.includes(rec.backend) &&
    typeof rec.settings === 'object' &&
    rec.settings !== null &&
    Object.values(rec.settings).every((v) => typeof v === 'boolean') &&
    Array.isArray(rec.files) &&
    rec.files.every((f) => f && typeof f.path === 'string' && f.path.startsWith('/') && !f.path.split('/').includes('..') && typeof f.owned === 'boolean')
  );
}

export function readState(root: string): State {
  const bytes = readBytes(root, STATE_FILE);
  if (!bytes) return { version: 1, interfaces: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw corrupt((e as Error).message);
  }
  const st = parsed as State;
  if (!st || st.version !== 1 || typeof st.interfaces !== 'object' || st.interfaces === null) throw corrupt('unknown version');
  for (const [name, rec] of Object.entries(st.interfaces)) if (!checkRecord(rec)) throw corrupt(`bad entry for ${name}`);
  return st;
}

/** The state file's bytes for `st` (null when nothing is recorded: the file goes away). */
export function serializeState(st: State): Buffer | null {
  const names = Object.keys(st.interfaces).sort();
  if (!names.length) return null;
  const sorted: State = { version: 1, interfaces: {} };
  for (const k of names) sorted.interfaces[k] = st.interfaces[k];
  return Buffer.from(JSON.stringify(sorted, null, 2) + '\n');
}
