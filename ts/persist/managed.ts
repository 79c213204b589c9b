// Marks on files the package owns, so it never mistakes (or removes) a file a person wrote.
import { createHash } from 'crypto';
import { ErrorCode, NicOffloadError } from '../errors';
import { readEntry } from './tree';

/** First line of every file nic-offload owns (comment syntax `#` works in all of them). */
export function ownedHeader(ifname: string): string {
  return `# Managed by nic-offload: "nic-offload unpersist ${ifname}" removes this file. Do not edit.\n`;
}

export function isOwned(data: Buffer | null): boolean {
  return data !== null && data.subarray(0, 64).toString('utf8').startsWith('# Managed by nic-offload');
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The content of a file the package owns, or null when there is none. A file that is masked (a
 * link to /dev/null), a symbolic link, not a regular file, or written by someone else is refused
 * (ERR_PERSIST_REFUSED), with `hint` saying what to do instead: the package writes and removes
 * only regular files, never what a link points to.
 */
export function readOwned(root: string, file: string, ifname: string, hint = ''): Buffer | null {
  const entry = readEntry(root, file);
  if (entry.kind === 'masked' || entry.kind === 'other' || (entry.kind === 'file' && entry.symlink)) {
    const what = entry.kind === 'masked' ? 'masked (a link to /dev/null)' : entry.kind === 'file' ? 'a symbolic link' : 'not a regular file';
    throw new NicOffloadError(`${file} is ${what}; leaving it alone`, { code: ErrorCode.PERSIST_REFUSED, ifname });
  }
  const data = entry.kind === 'file' ? entry.data : null;
  if (data && !isOwned(data)) {
    throw new NicOffloadError(`${file} exists and was not written by nic-offload; not overwriting it${hint}`, { code: ErrorCode.PERSIST_REFUSED, ifname });
  }
  return data;
}
