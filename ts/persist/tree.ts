// Reading the target system's tree under a root prefix. Every path is resolved inside the root
// (confined.ts): an image's absolute link /etc/x -> /usr/lib/x means <root>/usr/lib/x, never the
// host's file, and a path that climbs out of the root is refused (ERR_PERSIST_PATH).
import * as fs from 'fs';
import * as path from 'path';
import { ErrorCode, NicOffloadError } from '../errors';
import { at, closeDir, lstatAt, openDir, openParent } from './confined';

/**
 * Checks and normalises a root prefix: an absolute path to an existing directory. Undefined
 * means '/'; an empty string is refused (it must never mean "this host" by accident).
 */
export function resolveRoot(root: unknown): string {
  if (root === undefined || root === null) return '/';
  if (root === '') throw new NicOffloadError('invalid root "": give an absolute directory path (/ for this system)', { code: ErrorCode.INVALID_ROOT });
  if (typeof root !== 'string' || root.includes('\0') || !path.isAbsolute(root)) {
    throw new NicOffloadError(`invalid root ${JSON.stringify(root)}: give an absolute directory path`, { code: ErrorCode.INVALID_ROOT });
  }
  let real: string;
  try {
    real = fs.realpathSync(root);
  } catch {
    throw new NicOffloadError(`root directory ${root} does not exist`, { code: ErrorCode.INVALID_ROOT });
  }
  if (!fs.statSync(real).isDirectory()) throw new NicOffloadError(`root ${root} is not a directory`, { code: ErrorCode.INVALID_ROOT });
  return real;
}

export type Entry =
  | { kind: 'missing' }
  | { kind: 'masked' } // a symlink to /dev/null
  | { kind: 'file'; data: Buffer; mode: number; symlink: boolean }
  | { kind: 'other' }; // a directory, device or FIFO

const MAX_LINKS = 40;

/** What is at target path `p` (following symlinks inside the root). */
export function readEntry(root: string, p: string): Entry {
  let cur = p;
  let symlink = false;
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    const base = path.posix.basename(cur);
    if (base === '' || base === '.' || base === '..') {
      const d = openDir(root, cur);
      closeDir(d);
      return d ? { kind: 'other' } : { kind: 'missing' };
    }
    const parent = openParent(root, cur);
    if (!parent) return { kind: 'missing' };
    const { dir, name } = parent;
    try {
      const st = lstatAt(dir.fd, name);
      if (!st) return { kind: 'missing' };
      if (st.isSymbolicLink()) {
        symlink = true;
        const target = fs.readlinkSync(at(dir.fd, name));
        if (target === '/dev/null') return { kind: 'masked' };
        // Left unnormalised: openDir resolves each ".." itself (and refuses one above the root).
        cur = target.startsWith('/') ? target : `${dir.path}/${target}`;
        continue;
      }
      if (!st.isFile()) return { kind: 'other' };
      // O_NONBLOCK: a FIFO swapped in after the lstat cannot make the open wait.
      const fd = fs.openSync(at(dir.fd, name), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
      try {
        const fst = fs.fstatSync(fd);
        if (!fst.isFile()) return { kind: 'other' };
        return { kind: 'file', data: fs.readFileSync(fd), mode: fst.mode & 0o7777, symlink };
      } finally {
        fs.closeSync(fd);
      }
    } finally {
      closeDir(dir);
    }
  }
  return { kind: 'other' };
}

/** The bytes at `p`, or null when missing. */
export function readBytes(root: string, p: string): Buffer | null {
  const e = readEntry(root, p);
  return e.kind === 'file' ? e.data : null;
}

export function isFile(root: string, p: string): boolean {
  return readEntry(root, p).kind === 'file';
}

/** Whether something (file, dir or link) exists at `p`. */
export function exists(root: string, p: string): boolean {
  if (path.posix.basename(p) === '') return true;
  const parent = openParent(root, p);
  if (!parent) return false;
  try {
    return lstatAt(parent.dir.fd, parent.name) !== null;
  } finally {
    closeDir(parent.dir);
  }
}

/** Names in directory `dir` on the target (sorted; [] when missing). */
export function listDir(root: string, dir: string): string[] {
  const d = openDir(root, dir);
  if (!d) return [];
  try {
    return fs.readdirSync(`/proc/self/fd/${d.fd}`).sort();
  } catch {
    return [];
  } finally {
    closeDir(d);
  }
}

/** Expands a shell glob such as /etc/network/interfaces.d/* like ifupdown's `source`. */
export function globFiles(root: string, pattern: string): string[] {
  const dir = path.posix.dirname(pattern);
  const re = globRegExp(path.posix.basename(pattern));
  return listDir(root, dir)
    .filter((n) => !n.startsWith('.') && re.test(n))
    .map((n) => path.posix.join(dir, n));
}

/** fnmatch(3)-style glob (`*`, `?`, `[...]`, backslash escapes) as an anchored RegExp. */
export function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '\\' && i + 1 < glob.length) re += escapeRe(glob[++i]);
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = glob.slice(i + 1, end);
        if (body.startsWith('!')) body = '^' + body.slice(1);
        re += '[' + body.replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, 's');
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
