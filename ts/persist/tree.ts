// Reading the target system's tree under a root prefix. Symlinks are resolved inside the root
// (an image's absolute link /etc/x -> /usr/lib/x means <root>/usr/lib/x, never the host's file).
import * as fs from 'fs';
import * as path from 'path';
import { ErrorCode, NicOffloadError } from '../errors';

/** Checks and normalises a root prefix: an absolute path to an existing directory. */
export function resolveRoot(root: unknown): string {
  if (root === undefined || root === null || root === '') return '/';
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

/** Host path of a path on the target system. */
export function hostPath(root: string, p: string): string {
  return root === '/' ? p : path.join(root, p);
}

export type Entry =
  | { kind: 'missing' }
  | { kind: 'masked' } // a symlink to /dev/null
  | { kind: 'file'; data: Buffer; mode: number; symlink: boolean }
  | { kind: 'other' }; // a directory, device, or a link loop

/** What is at target path `p` (following symlinks inside the root). */
export function readEntry(root: string, p: string): Entry {
  let cur = p;
  let symlink = false;
  for (let hops = 0; hops < 16; hops++) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(hostPath(root, cur));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return { kind: 'missing' };
      throw e;
    }
    if (st.isSymbolicLink()) {
      symlink = true;
      const target = fs.readlinkSync(hostPath(root, cur));
      if (target === '/dev/null') return { kind: 'masked' };
      cur = path.posix.resolve(path.posix.dirname(cur), target);
      continue;
    }
    if (!st.isFile()) return { kind: 'other' };
    return { kind: 'file', data: fs.readFileSync(hostPath(root, cur)), mode: st.mode & 0o7777, symlink };
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
  try {
    fs.lstatSync(hostPath(root, p));
    return true;
  } catch {
    return false;
  }
}

/** Names in directory `dir` on the target (sorted; [] when missing). */
export function listDir(root: string, dir: string): string[] {
  try {
    return fs.readdirSync(hostPath(root, dir)).sort();
  } catch {
    return [];
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
