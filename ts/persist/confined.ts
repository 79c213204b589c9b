// Paths under a root prefix, resolved the way chroot(2) would resolve them, and never outside it.
// A path is walked one component at a time through directory descriptors opened with
// O_NOFOLLOW; each symbolic link met on the way is read and resolved here, inside the root (an
// absolute target starts again at the root, never at the host's /; a ".." that would climb above
// the root is refused). Every operation then acts on one name inside an open directory, through
// /proc/self/fd/N/NAME (Node's stand-in for the *at() system calls), so a directory swapped for a
// symlink between the walk and the use cannot redirect it: the descriptor keeps pointing at the
// directory that was checked.
import * as fs from 'fs';
import * as path from 'path';
import { ErrorCode, NicOffloadError } from '../errors';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fs.constants;
/** Links followed for one path, as the kernel's MAXSYMLINKS. */
const MAX_LINKS = 40;

let procChecked = false;

/** /proc/self/fd is how a name inside an open directory is reached: without it, nothing is safe to open. */
function checkProc(): void {
  if (procChecked) return;
  if (!fs.existsSync('/proc/self/fd')) {
    throw new NicOffloadError('/proc is not mounted: persistence opens files through /proc/self/fd (mount -t proc proc /proc)', { code: ErrorCode.PERSIST_PATH });
  }
  procChecked = true;
}

/** The path that names `name` inside the open directory `fd` (what openat(fd, name) opens). */
export function at(fd: number, name: string): string {
  return `/proc/self/fd/${fd}/${name}`;
}

/** The error for a path that cannot be used inside the root (ERR_PERSIST_PATH). */
function unsafePath(root: string, p: string, why: string): NicOffloadError {
  return new NicOffloadError(`${p}${root === '/' ? '' : ` under ${root}`} ${why}; refusing to use it`, { code: ErrorCode.PERSIST_PATH });
}

/** The error for something other than a regular file at a path the package reads or writes (ERR_PERSIST_REFUSED). */
export function notRegular(p: string, st: fs.Stats, ifname?: string): NicOffloadError {
  const what = st.isSymbolicLink() ? 'is a symbolic link' : 'is not a regular file';
  return new NicOffloadError(`${p} ${what}; leaving it alone`, { code: ErrorCode.PERSIST_REFUSED, ifname });
}

export function lstatAt(fd: number, name: string): fs.Stats | null {
  try {
    return fs.lstatSync(at(fd, name));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw e;
  }
}

export function fsyncFd(fd: number): void {
  fs.fsyncSync(fd);
}

/** An open directory on the target system. Close it with closeDir. */
export interface OpenDir {
  fd: number;
  /** Its path on the target system with every link resolved (e.g. /usr/lib/udev/rules.d). */
  path: string;
}

export function closeDir(d: OpenDir | null | undefined): void {
  if (d) fs.closeSync(d.fd);
}

interface Step {
  name: string;
  /** The component comes from a symlink's target (a link's directory is never created). */
  viaLink: boolean;
}

function steps(p: string, viaLink: boolean): Step[] {
  return p
    .split('/')
    .filter((n) => n !== '' && n !== '.')
    .map((name) => ({ name, viaLink }));
}

/**
 * Opens directory `dir` (a path on the target system) inside `root`. Missing components give
 * null, unless `created` is given: then they are made (mode 0755, each parent synced) and their
 * target paths appended to it, outermost first. A link to a missing directory is never filled
 * in (mkdir -p would fail there too). Errors: ERR_PERSIST_PATH when the path climbs above the
 * root, loops, or (when creating) has a non-directory where a directory must be.
 */
export function openDir(root: string, dir: string, created?: string[]): OpenDir | null {
  checkProc();
  const stack: Array<{ fd: number; name: string }> = [{ fd: fs.openSync(root, O_RDONLY | O_DIRECTORY), name: '' }];
  const where = (name?: string): string => '/' + [...stack.slice(1).map((s) => s.name), ...(name === undefined ? [] : [name])].join('/');
  let todo = steps(dir, false);
  let links = 0;
  try {
    while (todo.length) {
      const { name, viaLink } = todo.shift() as Step;
      if (name === '..') {
        if (stack.length > 1) fs.closeSync((stack.pop() as { fd: number }).fd);
        else if (root !== '/') throw unsafePath(root, dir, 'climbs above the root through ".."');
        continue;
      }
      const top = stack[stack.length - 1];
      try {
        stack.push({ fd: fs.openSync(at(top.fd, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW), name });
        continue;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          if (!created) return null;
          if (viaLink) throw unsafePath(root, dir, `goes through a symbolic link to ${where(name)}, which does not exist`);
          try {
            fs.mkdirSync(at(top.fd, name), 0o755);
            fsyncFd(top.fd);
            created.push(where(name));
          } catch (m) {
            if ((m as NodeJS.ErrnoException).code !== 'EEXIST') throw m;
          }
          todo.unshift({ name, viaLink });
          continue;
        }
        if (code !== 'ENOTDIR' && code !== 'ELOOP') throw e;
      }
      const st = lstatAt(top.fd, name);
      if (!st) {
        todo.unshift({ name, viaLink }); // gone meanwhile: look again
        continue;
      }
      if (!st.isSymbolicLink()) {
        if (!created) return null;
        throw unsafePath(root, dir, `needs ${where(name)} to be a directory, and it is not one`);
      }
      if (++links > MAX_LINKS) throw unsafePath(root, dir, 'goes through too many symbolic links (a loop?)');
      const target = fs.readlinkSync(at(top.fd, name));
      if (target.startsWith('/')) while (stack.length > 1) fs.closeSync((stack.pop() as { fd: number }).fd);
      todo = [...steps(target, true), ...todo];
    }
    const p = where();
    const top = stack.pop() as { fd: number };
    for (const s of stack) fs.closeSync(s.fd);
    return { fd: top.fd, path: p };
  } catch (e) {
    for (const s of stack) fs.closeSync(s.fd);
    throw e;
  }
}

/** The parent directory of `p` (opened as openDir does) and `p`'s last component. */
export function openParent(root: string, p: string, created?: string[]): { dir: OpenDir; name: string } | null {
  const name = path.posix.basename(p);
  if (name === '' || name === '.' || name === '..') throw unsafePath(root, p, 'does not name a file');
  const dir = openDir(root, path.posix.dirname(p), created);
  return dir ? { dir, name } : null;
}

/** Removes the directories in `dirs` (target paths) that are empty, deepest first. */
export function removeEmptyDirs(root: string, dirs: readonly string[]): void {
  for (const d of [...dirs].reverse()) {
    const parent = openParent(root, d);
    if (!parent) continue;
    try {
      fs.rmdirSync(at(parent.dir.fd, parent.name));
      fsyncFd(parent.dir.fd);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
    } finally {
      closeDir(parent.dir);
    }
  }
}
