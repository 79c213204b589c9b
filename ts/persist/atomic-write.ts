// Crash-safe file replacement under a root, in two steps so that several files change together
// or not at all: prepare writes each new content to a dot-named temp file in the target's own
// directory (no consumer reads it: NetworkManager skips dotfiles, ifupdown's `source dir/*` glob
// skips them, and .link/.rules loading needs its own suffix) and fsyncs it, which is where a full
// disk or a bad path fails, before anything is replaced; commit renames it over the target and
// fsyncs the directory. A crash at any point leaves the old file or the new one, never a torn one.
// Every path is resolved inside the root (confined.ts), and only regular files are replaced or
// removed: a symlink at the target is refused, never followed or replaced.
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { processAlive as alive } from '../pid';
import { at, closeDir, fsyncFd, lstatAt, notRegular, openDir, openParent, OpenDir, removeEmptyDirs } from './confined';

const TEMP_RE = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** A change made ready by prepareWrite or prepareRemove: `commit` makes it, `abort` drops it. */
export interface Pending {
  commit(): void;
  abort(): void;
}

/** mkdir -p under `root` (mode 0755), syncing each parent that gained an entry; returns the open directory. */
export function ensureDirIn(root: string, dir: string, created: string[] = []): OpenDir {
  const mark = created.length;
  try {
    return openDir(root, dir, created) as OpenDir;
  } catch (e) {
    removeEmptyDirs(root, created.splice(mark));
    throw e;
  }
}

/** Removes temp files a killed writer left next to `base` in `dir` (never those of a live process). */
function sweepTemps(dir: OpenDir, base: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(`/proc/self/fd/${dir.fd}`);
  } catch {
    return;
  }
  for (const n of names) {
    const m = TEMP_RE.exec(n);
    if (!m || m[1] !== base || alive(Number(m[2]))) continue;
    try {
      fs.unlinkSync(at(dir.fd, n));
    } catch {
      // gone already, or not a file: left alone
    }
  }
}

export interface WriteOptions {
  /** Permission bits of a new file (the umask does not apply). */
  mode: number;
  /** An existing file keeps its owner, group and mode (instead of root's and `mode`). */
  keepOwner?: boolean;
  /** For error messages. */
  ifname?: string;
}

/**
 * Writes `data` for target path `file` under `root` into a synced temp file next to it, creating
 * missing directories (appended to `created`). Errors (nothing is left behind): ERR_PERSIST_PATH,
 * ERR_PERSIST_REFUSED (something other than a regular file is at `file`), and the file system's
 * (ENOSPC, EROFS, EDQUOT, …).
 */
export function prepareWrite(root: string, file: string, data: Buffer, opts: WriteOptions, created: string[] = []): Pending {
  const mark = created.length;
  const base = path.posix.basename(file);
  const dir = ensureDirIn(root, path.posix.dirname(file), created);
  let tmp: string | undefined;
  const drop = (): void => {
    if (tmp) fs.rmSync(at(dir.fd, tmp), { force: true });
    closeDir(dir);
    removeEmptyDirs(root, created.splice(mark));
  };
  try {
    const st = lstatAt(dir.fd, base);
    if (st && !st.isFile()) throw notRegular(file, st, opts.ifname);
    const keep = st && opts.keepOwner ? st : undefined;
    const mode = keep ? keep.mode & 0o7777 : opts.mode;
    sweepTemps(dir, base);
    tmp = `.${base}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fd = fs.openSync(at(dir.fd, tmp), fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
    try {
      let off = 0;
      while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
      if (keep) fs.fchownSync(fd, keep.uid, keep.gid);
      fs.fchmodSync(fd, mode); // after fchown, which clears set-id bits
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    drop();
    throw e;
  }
  let done = false;
  return {
    commit() {
      if (done) return;
      done = true;
      try {
        fs.renameSync(at(dir.fd, tmp as string), at(dir.fd, base));
        fsyncFd(dir.fd);
      } catch (e) {
        fs.rmSync(at(dir.fd, tmp as string), { force: true });
        throw e;
      } finally {
        closeDir(dir);
      }
    },
    abort() {
      if (done) return;
      done = true;
      drop();
    },
  };
}

/**
 * Checks that `file` under `root` is a regular file (or absent) and returns the removal of it;
 * its commit unlinks it durably, then removes the directories in `dirs` that are left empty.
 */
export function prepareRemove(root: string, file: string, dirs: readonly string[] = [], ifname?: string): Pending {
  const parent = openParent(root, file);
  const st = parent ? lstatAt(parent.dir.fd, parent.name) : null;
  if (parent && st && !st.isFile()) {
    closeDir(parent.dir);
    throw notRegular(file, st, ifname);
  }
  let done = false;
  return {
    commit() {
      if (done) return;
      done = true;
      if (parent) {
        try {
          if (st) {
            try {
              fs.unlinkSync(at(parent.dir.fd, parent.name));
            } catch (e) {
              if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
            }
            fsyncFd(parent.dir.fd);
          }
        } finally {
          closeDir(parent.dir);
        }
      }
      removeEmptyDirs(root, dirs);
    },
    abort() {
      if (done) return;
      done = true;
      if (parent) closeDir(parent.dir);
    },
  };
}
