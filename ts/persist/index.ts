// Persistence API (work in progress: the backends land in the following commits).
import { ErrorCode, NicOffloadError } from '../errors';
import type { BackendName, PersistedEntry, PersistOptions, PersistResult } from './types';

export type { BackendName, PersistOptions, PersistResult, PersistedEntry, PersistedFile, FileAction } from './types';

function notYet(): never {
  throw new NicOffloadError('persistence is not implemented yet', { code: ErrorCode.PERSIST_UNSUPPORTED });
}

export function detectBackend(ifname: string, opts?: { netns?: string; root?: string }): { backend: BackendName; reason: string } {
  void ifname;
  void opts;
  return notYet();
}

export async function persist(ifname: string, changes: Record<string, boolean>, opts?: PersistOptions): Promise<PersistResult> {
  void ifname;
  void changes;
  void opts;
  return notYet();
}

export async function unpersist(ifname: string, names?: string[], opts?: PersistOptions): Promise<PersistResult> {
  void ifname;
  void names;
  void opts;
  return notYet();
}

export function listPersisted(opts?: { root?: string; ifname?: string }): PersistedEntry[] {
  void opts;
  return notYet();
}
