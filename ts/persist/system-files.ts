// Files other layers write on the target system, with the persistence layer's guarantees: every
// path resolved inside the root (confined.ts: a symlinked directory cannot lead out of it),
// replaced atomically and durably, and a symlink or other non-regular file at a target refused
// (ERR_PERSIST_REFUSED), never followed. The guard's systemd unit is written with these.
import * as fs from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';
import { prepareRemove, prepareWrite } from './atomic-write';
import { at, closeDir, fsyncFd, lstatAt, notRegular, openDir, openParent } from './confined';
import { ErrorCode, NicOffloadError } from '../errors';

/** The file's bytes, or undefined when it does not exist. A non-regular file is refused. */
export function readSystemFile(root: string, file: string): Buffer | undefined {
  const parent = openParent(root, file);
  if (!parent) return undefined;
  try {
    const st = lstatAt(parent.dir.fd, parent.name);
    if (!st) return undefined;
    if (!st.isFile()) throw notRegular(file, st);
    return fs.readFileSync(at(parent.dir.fd, parent.name));
  } finally {
    closeDir(parent.dir);
  }
}

/** Replaces `file` with `data` (mode `mode`), creating its directories. */
export function writeSystemFile(root: string, file: string, data: Buffer, mode: number): void {
  prepareWrite(root, file, data, { mode }).commit();
}

/** Removes `file` if it exists (a regular file only). */
export function removeSystemFile(root: string, file: string): boolean {
  const existed = readSystemFile(root, file) !== undefined;
  prepareRemove(root, file).commit();
  return existed;
}

/** The target of the symlink `link`, undefined when there is none; something else there is refused. */
export function readSystemLink(root: string, link: string): string | undefined {
  const parent = openParent(root, link);
  if (!parent) return undefined;
  try {
    const st = lstatAt(parent.dir.fd, parent.name);
    if (!st) return undefined;
    if (!st.isSymbolicLink()) {
      throw new NicOffloadError(`${link} is not a symbolic link; leaving it alone`, { code: ErrorCode.PERSIST_REFUSED });
    }
    return fs.readlinkSync(at(parent.dir.fd, parent.name));
  } finally {
    closeDir(parent.dir);
  }
}

/** Makes `link` a symlink to `target` (replaced atomically; a non-link there is refused). */
export function writeSystemLink(root: string, link: string, target: string): void {
  if (readSystemLink(root, link) === target) return;
  const dir = openDir(root, path.posix.dirname(link), []);
  if (!dir) throw new NicOffloadError(`cannot create ${path.posix.dirname(link)}`, { code: ErrorCode.PERSIST_PATH });
  const name = path.posix.basename(link);
  const tmp = `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.symlinkSync(target, at(dir.fd, tmp));
    fs.renameSync(at(dir.fd, tmp), at(dir.fd, name));
    fsyncFd(dir.fd);
  } catch (e) {
    fs.rmSync(at(dir.fd, tmp), { force: true });
    throw e;
  } finally {
    closeDir(dir);
  }
}

/** Removes the symlink `link` if it exists. */
export function removeSystemLink(root: string, link: string): boolean {
  if (readSystemLink(root, link) === undefined) return false;
  const parent = openParent(root, link)!;
  try {
    fs.unlinkSync(at(parent.dir.fd, parent.name));
    fsyncFd(parent.dir.fd);
  } finally {
    closeDir(parent.dir);
  }
  return true;
}
